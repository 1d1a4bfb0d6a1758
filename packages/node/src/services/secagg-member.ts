// The member's side of a secure round (--secure-agg), run when its update is ready: the four
// exchanges of the SecAgg protocol with its head (key advert -> roster, shares -> delivery, masked
// input -> unmask request, unmask response -> ack), each reply awaited with a deadline. The state
// machine (@ppfm/protocol's SecAggMember) checks everything; this driver only moves messages and
// reports how the round ended. The head's own update takes the same path, in process.
import {
  SecAggMember,
  type SecAggAbort,
  type SecAggConfig,
  type SecAggMessage,
  type SecAggRound,
  type SecAggStage,
} from '@ppfm/protocol';
import { peerIdFromString } from '@libp2p/peer-id';
import type { WeightSet } from '@ppfm/meta';
import { logEvent, notice, type PeerComponents } from '../components.js';
import { secAggRequest, type SecAggReply } from '../net/secagg-wire.js';
import type { SecAggIdentity } from '../privacy/identity.js';
import { secAggConfigFor, secureStageMs, type DpSettings } from '../privacy/settings.js';
import { flattenWeights } from '../privacy/vector.js';
import { describeAbort, type SecureRound } from './secagg-head.js';

/** Carries one message to the head and returns its reply (a stream, or a call for the head itself). */
export type SecAggTransport = (m: SecAggMessage, timeoutMs: number) => Promise<SecAggReply>;

/** One member's part in one secure round. */
export interface SecureContributionInit {
  self: string;
  head: string;
  round: SecAggRound;
  /** The round's members (its RoundOpen list). */
  members: readonly string[];
  config: SecAggConfig;
  identity: SecAggIdentity;
  transport: SecAggTransport;
  /** How long to wait for the roster (the head closes adverts on all / quorum + grace / deadline). */
  rosterTimeoutMs: number;
  /** How long to wait for each later reply (one stage). */
  stageTimeoutMs: number;
  signal: AbortSignal;
  /** Told after each completed stage (logs; tests stop a peer at a chosen point). */
  onStage?: (stage: SecAggStage) => void;
}

/** How a member's secure round ended. */
export type ContributionOutcome =
  /** The masked input reached the head and the unmask request was answered; `survivors` = |U3|. */
  | { kind: 'contributed'; survivors: number }
  /** The protocol refused something (forged key, bad share, wrong parameters...). */
  | { kind: 'aborted'; abort: SecAggAbort }
  /** No usable reply at `stage` (timeout, a head error, a transport failure). */
  | { kind: 'failed'; stage: SecAggStage; detail: string }
  /** The cluster session ended first. */
  | { kind: 'cancelled' };

/** Masks and delivers `update` (weight `weight`) through the SecAgg protocol with the head. */
export async function contributeSecurely(
  o: SecureContributionInit,
  update: Float32Array,
  weight: number,
): Promise<ContributionOutcome> {
  let sa: SecAggMember;
  try {
    sa = new SecAggMember({
      self: o.self,
      head: o.head,
      round: o.round,
      members: o.members,
      config: o.config,
      sign: o.identity.sign,
      verify: o.identity.verify,
    });
  } catch (err) {
    return { kind: 'failed', stage: 'advertise', detail: (err as Error).message };
  }
  const cancelled = (): boolean => o.signal.aborted;
  type Got<K> = { ok: true; value: K } | { ok: false; detail: string };
  /** Sends `m` and checks that the reply is `want` (a frame of that kind, or an ack). */
  const exchange = async <K extends SecAggMessage['kind']>(
    m: SecAggMessage,
    want: K | 'ack',
    timeoutMs: number,
  ): Promise<Got<Extract<SecAggMessage, { kind: K }> | undefined>> => {
    let r: SecAggReply;
    try {
      r = await o.transport(m, timeoutMs);
    } catch (err) {
      return { ok: false, detail: (err as Error).message };
    }
    if (r.kind === 'error') return { ok: false, detail: `head replied ${r.code}: ${r.message}` };
    if (r.kind === 'ack')
      return want === 'ack'
        ? { ok: true, value: undefined }
        : { ok: false, detail: `expected ${want}, got an ack` };
    if (r.message.kind !== want) return { ok: false, detail: `expected ${want}, got ${r.message.kind}` };
    return { ok: true, value: r.message as Extract<SecAggMessage, { kind: K }> };
  };
  const failed = (stage: SecAggStage, detail: string): ContributionOutcome =>
    cancelled() ? { kind: 'cancelled' } : { kind: 'failed', stage, detail };

  const advert = await sa.advertise();
  if (advert.kind !== 'send') return ended(advert, 'advertise');
  if (cancelled()) return { kind: 'cancelled' };
  const roster = await exchange(advert.message, 'roster', o.rosterTimeoutMs);
  if (!roster.ok || roster.value === undefined)
    return failed('advertise', roster.ok ? 'no roster' : roster.detail);
  const shares = await sa.onRoster(o.head, roster.value);
  if (shares.kind !== 'send') return ended(shares, 'share');
  o.onStage?.('advertise');
  if (cancelled()) return { kind: 'cancelled' };
  const delivery = await exchange(shares.message, 'share_delivery', o.stageTimeoutMs);
  if (!delivery.ok || delivery.value === undefined)
    return failed('share', delivery.ok ? 'no delivery' : delivery.detail);
  const ready = sa.onShareDelivery(o.head, delivery.value);
  if (ready.kind !== 'ready') return ended(ready, 'share');
  o.onStage?.('share');
  if (cancelled()) return { kind: 'cancelled' };
  const masked = sa.maskInput(update, weight);
  if (masked.kind !== 'send') return ended(masked, 'mask');
  const req = await exchange(masked.message, 'unmask_request', o.stageTimeoutMs);
  if (!req.ok || req.value === undefined) return failed('mask', req.ok ? 'no unmask request' : req.detail);
  o.onStage?.('mask');
  if (cancelled()) return { kind: 'cancelled' };
  const reveal = sa.onUnmaskRequest(o.head, req.value);
  if (reveal.kind !== 'send') return ended(reveal, 'unmask');
  const ack = await exchange(reveal.message, 'ack', o.stageTimeoutMs);
  if (!ack.ok) return failed('unmask', ack.detail);
  o.onStage?.('unmask');
  return { kind: 'contributed', survivors: req.value.survivors.length };
}

/** A transition that did not send: an abort, or a message ignored (a head that is not ours). */
function ended(
  step: { kind: 'aborted'; abort: SecAggAbort } | { kind: 'ignored'; reason: string; detail: string },
  stage: SecAggStage,
): ContributionOutcome {
  return step.kind === 'aborted'
    ? { kind: 'aborted', abort: step.abort }
    : { kind: 'failed', stage, detail: `${step.reason}: ${step.detail}` };
}

export type SecureMemberComponents = Pick<
  PeerComponents,
  'self' | 'clock' | 'bus' | 'timing' | 'store' | 'libp2p'
>;

/** What a secure contribution is about: the round as its RoundOpen names it. */
export interface SecureRoundRef {
  cluster: string;
  round: number;
  term: number;
  head: string;
  members: readonly string[];
  /** The round deadline the head announced. */
  deadlineMs: number;
}

/** The member's secure-aggregation service: delivers this peer's update of a round through SecAgg. */
export class SecureMember {
  constructor(
    private readonly c: SecureMemberComponents,
    private readonly o: { dp: DpSettings | undefined; identity: SecAggIdentity },
  ) {}

  /** Why this peer cannot take part securely in round `ro` (undefined: it can). */
  cannotJoin(ro: SecureRoundRef): string | undefined {
    if (!ro.members.includes(this.c.self))
      return `this peer is not in the round's member list (${ro.members.length} members): no secure round for it`;
    if (ro.members.length < 2) return 'the round has a single member: no secure round';
    return undefined;
  }

  /** A member's update, to its head over /ppfm/1/secagg. */
  contribute(
    ro: SecureRoundRef,
    delta: WeightSet,
    samples: number,
    signal: AbortSignal,
  ): Promise<ContributionOutcome> {
    const head = peerIdFromString(ro.head);
    return this.run(ro, delta, samples, signal, (m, t) => secAggRequest(this.c.libp2p, head, m, t, signal));
  }

  /** The head's own update, in process to its open secure round. */
  contributeOwn(
    sr: SecureRound,
    ro: SecureRoundRef,
    delta: WeightSet,
    samples: number,
    signal: AbortSignal,
  ): Promise<ContributionOutcome> {
    return this.run(ro, delta, samples, signal, (m) => sr.receive(this.c.self, m));
  }

  private async run(
    ro: SecureRoundRef,
    delta: WeightSet,
    samples: number,
    signal: AbortSignal,
    transport: SecAggTransport,
  ): Promise<ContributionOutcome> {
    const { c } = this;
    const round: SecAggRound = { cluster: ro.cluster, round: ro.round, term: ro.term };
    const update = flattenWeights(delta, c.store.template);
    const stageMs = secureStageMs(ro.deadlineMs);
    c.bus.emit('secagg:contributed', { ...round, update, weight: samples });
    const out = await contributeSecurely(
      {
        self: c.self,
        head: ro.head,
        round,
        members: ro.members,
        config: secAggConfigFor(update.length, ro.members.length, this.o.dp),
        identity: this.o.identity,
        transport,
        rosterTimeoutMs: ro.deadlineMs + stageMs,
        stageTimeoutMs: 2 * stageMs + 1000,
        signal,
        onStage: (stage) => logEvent(c, { event: 'secagg_stage', ...round, role: 'member', stage }),
      },
      update,
      samples,
    );
    if (out.kind === 'aborted' || out.kind === 'failed') {
      const why =
        out.kind === 'aborted' ? describeAbort(out.abort) : `no reply at ${out.stage}: ${out.detail}`;
      const hint =
        out.kind === 'aborted' && out.abort.reason === 'params_mismatch'
          ? ' (every peer of a cluster needs the same --secure-agg and --dp-* settings)'
          : '';
      notice(
        c,
        'warn',
        `round ${ro.round}: secure aggregation failed, update not counted: ${why}${hint}`,
        'secagg_failed',
      );
    }
    return out;
  }
}
