// The head's side of secure rounds (--secure-agg). A SecureRound drives @ppfm/protocol's SecAggHead
// for one cluster round: key adverts are collected like plain updates (everyone, quorum + grace, or
// the round deadline), then each later stage closes when all expected members have sent or after
// one stage time. A member's request is held until its stage closes and answered with the next
// stage's message (see net/secagg-wire.ts). The head never sees an individual update: it ends with
// the sum, its weight, and who contributed.
import { logEvent, type PeerComponents } from '../components.js';
import type { Cancel } from '../clock.js';
import {
  PROTOCOL_SECAGG,
  SecAggHead,
  type SecAggAbort,
  type SecAggConfig,
  type SecAggMessage,
  type SecAggReceipt,
  type SecAggResult,
  type SecAggRound,
  type SecAggStage,
  type SecAggVerify,
} from '@ppfm/protocol';
import { RoundCollector } from '../rounds.js';
import type { SecAggReply } from '../net/secagg-wire.js';
import { secAggConfigFor, secureStageMs, type DpSettings } from '../privacy/settings.js';
import { vectorLength } from '../privacy/vector.js';

export type SecureRoundComponents = Pick<PeerComponents, 'clock' | 'bus'>;

/** One round's parameters at the head. */
export interface SecureRoundInit {
  round: SecAggRound;
  /** The RoundOpen member list (head included). */
  members: readonly string[];
  /** The members whose adverts are waited for (default all; see MemberActivity in head-activity.ts). */
  expected?: ReadonlySet<string>;
  config: SecAggConfig;
  openedAt: number;
  /** Adverts close like a plain round's updates. */
  deadlineMs: number;
  quorumFraction: number;
  quorumGraceMs: number;
  /** Longest wait of each later stage. */
  stageMs: number;
  verify: SecAggVerify;
}

/** How a secure round ended at the head. */
export type SecureOutcome =
  { kind: 'done'; result: SecAggResult; ms: number } | { kind: 'aborted'; abort: SecAggAbort };

type Stage = 'advertise' | 'share' | 'mask' | 'unmask';

const err = (code: 'stale_round' | 'not_member' | 'rejected' | 'busy', message: string): SecAggReply => ({
  kind: 'error',
  code,
  message,
});

/** The head's side of one secure round. */
export class SecureRound {
  readonly round: SecAggRound;
  private readonly sa: SecAggHead;
  /** Who advertised (the collector's close rule decides when adverts close). */
  private readonly adverts: RoundCollector<true>;
  private stage: Stage = 'advertise';
  /** Requests waiting for their stage to close, by member. */
  private readonly held = new Map<string, (r: SecAggReply) => void>();
  private wake: (() => void) | undefined;
  private complete = false;
  private timer: Cancel | undefined;
  private finishing: Promise<SecureOutcome> | undefined;
  /** The unmask request, for masked inputs that arrive after their stage closed. */
  private unmaskReply: SecAggReply | undefined;

  constructor(
    private readonly c: SecureRoundComponents,
    private readonly init: SecureRoundInit,
  ) {
    this.round = init.round;
    this.sa = new SecAggHead({
      round: init.round,
      members: init.members,
      config: init.config,
      verify: init.verify,
    });
    this.adverts = new RoundCollector<true>(
      init.round.cluster,
      init.round.round,
      init.round.term,
      new Set(init.members),
      init.openedAt,
      { deadlineMs: init.deadlineMs, quorumFraction: init.quorumFraction, quorumGraceMs: init.quorumGraceMs },
      init.expected,
    );
  }

  /** The members whose key advert was accepted (they took part, even if they dropped later). */
  advertised(): string[] {
    return [...this.adverts.updates.keys()];
  }

  /** The protocol parameters of this round (threshold, fraction bits...). */
  get params(): SecAggHead['params'] {
    return this.sa.params;
  }

  /** True when the adverts should close now (then the driver calls finish()). */
  shouldClose(now: number): boolean {
    return this.stage === 'advertise' && this.adverts.shouldClose(now);
  }

  /** One message from a member (or from this head's own member, in process); resolves with the reply. */
  async receive(from: string, m: SecAggMessage): Promise<SecAggReply> {
    const r = this.round;
    if (!this.init.members.includes(from))
      return this.refuse(from, {
        kind: 'rejected',
        reason: 'not_member',
        detail: `${from} is not in the round`,
      });
    if (m.cluster !== r.cluster || m.round !== r.round || m.term !== r.term)
      return err('stale_round', `no open secure round ${m.cluster}/${m.round}/${m.term} here`);
    switch (m.kind) {
      case 'key_advert': {
        const v = await this.sa.onKeyAdvert(from, m);
        if (v.kind === 'accepted')
          this.adverts.add(r.round, { from, samples: 1, delta: true }, this.c.clock.now());
        return this.hold(from, v);
      }
      case 'share_keys':
        return this.hold(from, this.sa.onShareKeys(from, m));
      case 'masked_input': {
        const v = this.sa.onMaskedInput(from, m);
        if (v.kind === 'accepted') this.c.bus.emit('secagg:input', { ...r, from, masked: m.masked });
        // Late for the sum, but its shares still help unmask the others.
        if (v.kind === 'ignored' && v.reason === 'wrong_phase' && this.unmaskReply !== undefined)
          return this.unmaskReply;
        return this.hold(from, v);
      }
      case 'unmask_response': {
        const v = this.sa.onUnmaskResponse(from, m);
        if (v.kind === 'accepted') {
          if (v.complete) this.stageComplete();
          return { kind: 'ack', cluster: r.cluster, round: r.round };
        }
        return this.refuse(from, v);
      }
      default:
        return this.refuse(from, {
          kind: 'rejected',
          reason: 'sender_mismatch',
          detail: `${m.kind} goes head -> member`,
        });
    }
  }

  /**
   * Closes the adverts and runs the remaining stages (shares, masked inputs, unmasking), each until
   * every expected member has sent or `stageMs`; resolves with the sum or why there is none.
   */
  finish(): Promise<SecureOutcome> {
    this.finishing ??= this.run();
    return this.finishing;
  }

  /** Gives up (no longer head, deadline, stop): every held request gets an error. */
  cancel(detail: string): void {
    this.sa.abort(detail);
    this.release(() => err('busy', `secure round cancelled: ${detail}`));
    this.timer?.();
    this.wake?.();
  }

  private async run(): Promise<SecureOutcome> {
    const t0 = this.c.clock.now();
    const r = this.round;
    const roster = this.sa.closeAdverts();
    this.logStage('advertise', roster.kind === 'send' ? roster.message.to.length : 0);
    if (roster.kind !== 'send') return this.end(roster);
    this.next('share');
    const rosterReply: SecAggReply = { kind: 'frame', message: roster.message.message };
    this.release((id) => (roster.message.to.includes(id) ? rosterReply : undefined));
    await this.waitStage();

    const deliveries = this.sa.closeShares();
    this.logStage('share', deliveries.kind === 'send' ? deliveries.message.length : 0);
    if (deliveries.kind !== 'send') return this.end(deliveries);
    this.next('mask');
    const byRecipient = new Map(deliveries.message.map((d) => [d.recipient, d]));
    this.release((id) => {
      const d = byRecipient.get(id);
      return d === undefined ? undefined : { kind: 'frame', message: d };
    });
    await this.waitStage();

    const request = this.sa.closeInputs();
    this.logStage('mask', request.kind === 'send' ? request.message.message.survivors.length : 0);
    if (request.kind !== 'send') return this.end(request);
    this.next('unmask');
    this.unmaskReply = { kind: 'frame', message: request.message.message };
    const reply = this.unmaskReply;
    this.release((id) => (request.message.to.includes(id) ? reply : undefined));
    await this.waitStage();

    const done = await this.sa.finish();
    if (done.kind !== 'done') return this.end(done);
    const ms = this.c.clock.now() - t0;
    this.logStage('unmask', done.result.contributors.length);
    logEvent(this.c, {
      event: 'secagg_aggregated',
      ...r,
      contributors: done.result.contributors.length,
      dropped: done.result.dropped.length,
      threshold: this.sa.params.threshold,
      ms,
    });
    this.c.bus.emit('secagg:sum', { ...r, result: done.result, params: this.sa.params });
    return { kind: 'done', result: done.result, ms };
  }

  /** Holds an accepted request until its stage closes; answers anything else at once. */
  private hold(from: string, v: SecAggReceipt): SecAggReply | Promise<SecAggReply> {
    if (v.kind !== 'accepted') return this.refuse(from, v);
    if (v.complete && this.stage !== 'advertise') this.stageComplete();
    this.held.get(from)?.(err('busy', 'superseded by a newer request'));
    return new Promise((resolve) => this.held.set(from, resolve));
  }

  private refuse(from: string, v: Exclude<SecAggReceipt, { kind: 'accepted' }>): SecAggReply {
    if (v.kind === 'rejected') {
      logEvent(this.c, {
        event: 'message_rejected',
        protocol: PROTOCOL_SECAGG,
        from,
        reason: v.reason,
        detail: v.detail,
      });
      return err(v.reason === 'not_member' ? 'not_member' : 'rejected', `${v.reason}: ${v.detail}`);
    }
    if (v.kind === 'aborted') return err('stale_round', `secure round aborted: ${v.abort.reason}`);
    return err('stale_round', `${v.reason}: ${v.detail}`);
  }

  /** Answers every held request with `reply(id)` (undefined: an error, the member is out of the round). */
  private release(reply: (id: string) => SecAggReply | undefined): void {
    const held = [...this.held];
    this.held.clear();
    for (const [id, resolve] of held) resolve(reply(id) ?? err('not_member', `left out at ${this.stage}`));
  }

  private next(stage: Stage): void {
    this.stage = stage;
    this.complete = false;
  }

  private stageComplete(): void {
    this.complete = true;
    this.wake?.();
  }

  /** Resolves when every expected member has sent, or after stageMs. */
  private waitStage(): Promise<void> {
    if (this.complete || this.sa.state.phase === 'aborted') return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.timer?.();
        this.timer = this.wake = undefined;
        resolve();
      };
      this.wake = done;
      this.timer = this.c.clock.after(this.init.stageMs, done);
    });
  }

  private end(
    step: { kind: 'aborted'; abort: SecAggAbort } | { kind: 'ignored'; detail: string },
  ): SecureOutcome {
    const abort: SecAggAbort =
      step.kind === 'aborted' ? step.abort : { reason: 'cancelled', detail: step.detail };
    this.release(() => err('stale_round', `secure round aborted: ${abort.reason}`));
    return { kind: 'aborted', abort };
  }

  private logStage(stage: SecAggStage, count: number): void {
    const r = this.round;
    logEvent(this.c, {
      event: 'secagg_stage',
      ...r,
      role: 'head',
      stage,
      count,
    });
  }
}

export type SecureHeadComponents = Pick<PeerComponents, 'clock' | 'bus' | 'timing' | 'store'>;

/** The head's secure-aggregation service: opens one SecureRound per round and serves it to the handler. */
export class SecureHead {
  private open_: SecureRound | undefined;

  constructor(
    private readonly c: SecureHeadComponents,
    private readonly o: { dp: DpSettings | undefined; verify: SecAggVerify },
  ) {}

  /** The secure round of a RoundOpen, or undefined for a cluster of one (no one to hide an update from). */
  open(r: {
    cluster: string;
    round: number;
    term: number;
    members: readonly string[];
    expected?: ReadonlySet<string>;
    openedAt: number;
  }): SecureRound | undefined {
    this.open_?.cancel('a new round opened');
    this.open_ = undefined;
    if (r.members.length < 2) return undefined;
    const { timing } = this.c;
    this.open_ = new SecureRound(this.c, {
      round: { cluster: r.cluster, round: r.round, term: r.term },
      members: r.members,
      ...(r.expected ? { expected: r.expected } : {}),
      config: secAggConfigFor(vectorLength(this.c.store.template), r.members.length, this.o.dp),
      openedAt: r.openedAt,
      deadlineMs: timing.roundDeadlineMs,
      quorumFraction: timing.quorumFraction,
      quorumGraceMs: timing.quorumGraceMs,
      stageMs: secureStageMs(timing.roundDeadlineMs),
      verify: this.o.verify,
    });
    return this.open_;
  }

  /** The round members' secagg messages go to (undefined: none open). */
  current(): SecureRound | undefined {
    return this.open_;
  }

  /** Cancels the open round, if any (no longer head, stopping). */
  cancelOpen(why: string): void {
    if (this.open_ !== undefined) this.close(this.open_, why);
  }

  /** The round is over (or abandoned): later messages find no round. */
  close(sr: SecureRound, why?: string): void {
    if (why !== undefined) sr.cancel(why);
    if (this.open_ === sr) this.open_ = undefined;
  }
}

/** A one-line account of a failed secure round, for the notice. */
export function describeAbort(a: SecAggAbort): string {
  return `${a.reason}${a.stage ? ` at ${a.stage}` : ''}${a.peer ? ` (${a.peer})` : ''}: ${a.detail}`;
}
