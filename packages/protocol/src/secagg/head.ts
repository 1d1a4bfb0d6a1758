// The head (server) side of one secure-aggregation round: it relays keys and encrypted shares,
// sums masked inputs as they arrive, and at the end reconstructs exactly the secrets it is owed
// (survivors' self-mask seeds, dropped members' mask keys) to strip the masks off the sum. It never
// sees an individual update. Stages close when the driver says so (all in, or its deadline): the
// receive methods report `complete` so the driver can close early without a timer.
import { applyMask, decodeFixedPoint, ringAddInto, secAggParams } from './arithmetic.js';
import { advertSigningBytes, pairMaskInfo, roundContext, seedCommitment, selfMaskInfo } from './context.js';
import { agree, shamirCombine, x25519FromSecret } from './crypto.js';
import type {
  EncryptedShare,
  KeyAdvertMsg,
  MaskedInputMsg,
  RosterMsg,
  ShareDeliveryMsg,
  ShareKeysMsg,
  SignedAdvert,
  UnmaskRequestMsg,
  UnmaskResponseMsg,
} from './messages.js';
import type {
  SecAggAbort,
  SecAggAborted,
  SecAggConfig,
  SecAggIgnored,
  SecAggParams,
  SecAggReceipt,
  SecAggRejected,
  SecAggResult,
  SecAggRound,
  SecAggStage,
  SecAggStep,
  SecAggVerify,
} from './types.js';

/** What the head needs for one round. */
export interface SecAggHeadInit {
  round: SecAggRound;
  /** The members of the round (its RoundOpen list). */
  members: readonly string[];
  config: SecAggConfig;
  verify: SecAggVerify;
}

/** One message for several members (the driver sends it to each of `to`). */
export interface SecAggBroadcast<M> {
  message: M;
  to: string[];
}

/** End of a round at the head. */
export type SecAggFinished = { kind: 'done'; result: SecAggResult } | SecAggIgnored | SecAggAborted;

type Roster = Map<string, SignedAdvert>;

/** The head's state; `phase` discriminates. */
export type SecAggHeadState =
  | { phase: 'collecting_adverts'; adverts: Roster }
  | { phase: 'collecting_shares'; roster: Roster; shares: Map<string, EncryptedShare[]> }
  | { phase: 'collecting_inputs'; roster: Roster; u2: string[]; sum: Uint32Array; inputs: Set<string> }
  | {
      phase: 'collecting_reveals';
      roster: Roster;
      u2: string[];
      u3: string[];
      sum: Uint32Array;
      reveals: Map<string, UnmaskResponseMsg>;
    }
  | { phase: 'finishing' }
  | { phase: 'done'; result: SecAggResult }
  | { phase: 'aborted'; abort: SecAggAbort };

/** The head's side of a secure-aggregation round. */
export class SecAggHead {
  readonly params: SecAggParams;
  private st: SecAggHeadState = { phase: 'collecting_adverts', adverts: new Map() };
  private readonly members: ReadonlySet<string>;
  private readonly ctx: Uint8Array;

  constructor(private readonly init: SecAggHeadInit) {
    this.members = new Set(init.members);
    this.params = secAggParams(this.members.size, init.config);
    this.ctx = roundContext(init.round);
  }

  /** The current state (read-only view). */
  get state(): SecAggHeadState {
    return this.st;
  }

  /** Round 0: a member's signed keys; rejected unless its identity signature verifies. */
  async onKeyAdvert(from: string, m: KeyAdvertMsg): Promise<SecAggReceipt> {
    const pre = this.screen('collecting_adverts', from, m, m.sender);
    if (pre) return pre;
    if (!this.members.has(from)) return rejected('not_member', `${from} is not in the round`);
    let valid = false;
    try {
      valid = await this.init.verify(from, advertSigningBytes(m), m.signature);
    } catch {
      valid = false;
    }
    if (!valid) return rejected('bad_signature', `key advert of ${from} does not verify`);
    // An unusable key (wrong point, low order) would make every honest member abort: keep it out.
    if (!usableKey(m.cipherKey) || !usableKey(m.maskKey))
      return rejected('bad_key', `key advert of ${from} has an unusable X25519 key`);
    const st = this.st;
    if (st.phase !== 'collecting_adverts') return ignored('wrong_phase', 'stage closed while verifying');
    if (st.adverts.has(from)) return ignored('duplicate', `second advert from ${from}`);
    const { kind: _kind, ...advert } = m;
    st.adverts.set(from, advert);
    return { kind: 'accepted', complete: st.adverts.size === this.members.size };
  }

  /** Ends round 0: the roster (U1) for every advertiser, or below_threshold. */
  closeAdverts(): SecAggStep<SecAggBroadcast<RosterMsg>> {
    const st = this.st;
    if (st.phase !== 'collecting_adverts') return this.stale(`closeAdverts in ${st.phase}`);
    const low = this.belowThreshold(st.adverts.size, 'advertise');
    if (low) return low;
    const to = [...st.adverts.keys()].sort();
    const roster: Roster = new Map(to.map((id) => [id, st.adverts.get(id) as SignedAdvert]));
    this.st = { phase: 'collecting_shares', roster, shares: new Map() };
    const p = this.params;
    const message: RosterMsg = {
      kind: 'roster',
      ...this.init.round,
      length: p.length,
      threshold: p.threshold,
      fracBits: p.fracBits,
      clip: p.clip,
      maxWeight: p.maxWeight,
      adverts: [...roster.values()],
    };
    return { kind: 'send', message: { message, to } };
  }

  /** Round 1: a member's encrypted shares, exactly one for every other member of U1. */
  onShareKeys(from: string, m: ShareKeysMsg): SecAggReceipt {
    const pre = this.screen('collecting_shares', from, m, m.sender);
    if (pre) return pre;
    const st = this.st as Extract<SecAggHeadState, { phase: 'collecting_shares' }>;
    if (!st.roster.has(from)) return rejected('not_member', `${from} is not in the roster`);
    if (st.shares.has(from)) return ignored('duplicate', `second share set from ${from}`);
    const want = new Set([...st.roster.keys()].filter((id) => id !== from));
    if (m.shares.length !== want.size || !m.shares.every((s) => want.delete(s.peer)))
      return rejected('bad_shares', `shares of ${from} do not cover exactly the other roster members`);
    st.shares.set(from, m.shares);
    return { kind: 'accepted', complete: st.shares.size === st.roster.size };
  }

  /** Ends round 1: one delivery per member of U2 (those that shared), or below_threshold. */
  closeShares(): SecAggStep<ShareDeliveryMsg[]> {
    const st = this.st;
    if (st.phase !== 'collecting_shares') return this.stale(`closeShares in ${st.phase}`);
    const low = this.belowThreshold(st.shares.size, 'share');
    if (low) return low;
    const u2 = [...st.shares.keys()].sort();
    const deliveries = u2.map((v): ShareDeliveryMsg => {
      // onShareKeys checked that every sender has exactly one share for every other roster member.
      const shares = u2
        .filter((u) => u !== v)
        .map((u) => ({
          peer: u,
          ciphertext: (st.shares.get(u)?.find((s) => s.peer === v) as EncryptedShare).ciphertext,
        }));
      return { kind: 'share_delivery', ...this.init.round, recipient: v, shares };
    });
    this.st = {
      phase: 'collecting_inputs',
      roster: st.roster,
      u2,
      sum: new Uint32Array(this.params.length + 1),
      inputs: new Set(),
    };
    return { kind: 'send', message: deliveries };
  }

  /** Round 2: a masked input from a member of U2, added to the running sum at once. */
  onMaskedInput(from: string, m: MaskedInputMsg): SecAggReceipt {
    const pre = this.screen('collecting_inputs', from, m, m.sender);
    if (pre) return pre;
    const st = this.st as Extract<SecAggHeadState, { phase: 'collecting_inputs' }>;
    if (!st.u2.includes(from)) return rejected('not_member', `${from} did not share keys`);
    if (st.inputs.has(from)) return ignored('duplicate', `second masked input from ${from}`);
    if (m.masked.length !== st.sum.length)
      return rejected('bad_length', `${m.masked.length} elements, expected ${st.sum.length}`);
    ringAddInto(st.sum, m.masked);
    st.inputs.add(from);
    return { kind: 'accepted', complete: st.inputs.size === st.u2.length };
  }

  /** Ends round 2: the survivor list (U3) for every member of U2, or below_threshold. */
  closeInputs(): SecAggStep<SecAggBroadcast<UnmaskRequestMsg>> {
    const st = this.st;
    if (st.phase !== 'collecting_inputs') return this.stale(`closeInputs in ${st.phase}`);
    const low = this.belowThreshold(st.inputs.size, 'mask');
    if (low) return low;
    const u3 = [...st.inputs].sort();
    this.st = {
      phase: 'collecting_reveals',
      roster: st.roster,
      u2: st.u2,
      u3,
      sum: st.sum,
      reveals: new Map(),
    };
    // Late members of U2 are asked too: their shares help, and they reveal nothing of their own input.
    const message: UnmaskRequestMsg = { kind: 'unmask_request', ...this.init.round, survivors: u3 };
    return { kind: 'send', message: { message, to: st.u2 } };
  }

  /** Round 3: a member's revealed shares; seed shares only for U3, mask-key shares only for U2 \ U3. */
  onUnmaskResponse(from: string, m: UnmaskResponseMsg): SecAggReceipt {
    const pre = this.screen('collecting_reveals', from, m, m.sender);
    if (pre) return pre;
    const st = this.st as Extract<SecAggHeadState, { phase: 'collecting_reveals' }>;
    if (!st.u2.includes(from)) return rejected('not_member', `${from} did not share keys`);
    if (st.reveals.has(from)) return ignored('duplicate', `second response from ${from}`);
    const u3 = new Set(st.u3);
    const dropped = new Set(st.u2.filter((u) => !u3.has(u)));
    if (!m.selfMaskShares.every((s) => u3.has(s.peer)) || !m.maskKeyShares.every((s) => dropped.has(s.peer)))
      return rejected('bad_shares', `${from} revealed shares that do not match the survivor list`);
    st.reveals.set(from, m);
    return { kind: 'accepted', complete: st.u3.every((u) => st.reveals.has(u)) };
  }

  /** Ends round 3: reconstructs the owed secrets, removes every mask and decodes the sum. */
  async finish(): Promise<SecAggFinished> {
    const st = this.st;
    if (st.phase !== 'collecting_reveals') return this.stale(`finish in ${st.phase}`);
    const low = this.belowThreshold(st.reveals.size, 'unmask');
    if (low) return low;
    this.st = { phase: 'finishing' };
    const t = this.params.threshold;
    const responders = [...st.reveals.keys()].sort();
    const sharesOf = (peer: string, kind: 'selfMaskShares' | 'maskKeyShares'): Uint8Array[] =>
      responders
        .map((r) => (st.reveals.get(r) as UnmaskResponseMsg)[kind].find((s) => s.peer === peer)?.share)
        .filter((s): s is Uint8Array => s !== undefined)
        .slice(0, t);
    const sum = st.sum.slice();
    for (const u of st.u3) {
      const shares = sharesOf(u, 'selfMaskShares');
      if (shares.length < t)
        return this.fail({
          reason: 'below_threshold',
          stage: 'unmask',
          peer: u,
          detail: `${shares.length} seed shares of ${u} < t = ${t}`,
        });
      const seed = await shamirCombine(shares);
      const advert = st.roster.get(u) as SignedAdvert;
      if (seed === undefined || !equal(seedCommitment(this.init.round, u, seed), advert.commitment))
        return this.fail({
          reason: 'reconstruction_failed',
          peer: u,
          detail: `self-mask seed of ${u} does not match its commitment`,
        });
      applyMask(sum, seed, this.ctx, selfMaskInfo(u), -1);
    }
    const dropped = st.u2.filter((u) => !st.u3.includes(u));
    for (const u of dropped) {
      const shares = sharesOf(u, 'maskKeyShares');
      if (shares.length < t)
        return this.fail({
          reason: 'below_threshold',
          stage: 'unmask',
          peer: u,
          detail: `${shares.length} mask-key shares of ${u} < t = ${t}`,
        });
      const secret = await shamirCombine(shares);
      const pair = secret && x25519FromSecret(secret);
      if (pair === undefined || !equal(pair.publicKey, (st.roster.get(u) as SignedAdvert).maskKey))
        return this.fail({
          reason: 'reconstruction_failed',
          peer: u,
          detail: `mask key of ${u} does not match its advert`,
        });
      for (const v of st.u3) {
        const s = agree(pair.privateKey, (st.roster.get(v) as SignedAdvert).maskKey);
        if (s === undefined)
          return this.fail({ reason: 'reconstruction_failed', peer: v, detail: `unusable mask key of ${v}` });
        // v added +PRG(s_vu) when v < u and -PRG(s_vu) otherwise: take back exactly that.
        applyMask(sum, s, this.ctx, pairMaskInfo(v, u), v < u ? -1 : 1);
      }
    }
    const { weightedSum, weightSum } = decodeFixedPoint(sum, this.params);
    // The mean is a ratio of ring integers: the fixed-point unit cancels, one float32 rounding remains.
    const qw = (sum[this.params.length] as number) | 0;
    const mean =
      qw > 0 ? Float32Array.from(sum.subarray(0, this.params.length), (q) => (q | 0) / qw) : undefined;
    const result: SecAggResult = { weightedSum, weightSum, mean, contributors: st.u3, dropped, ringSum: sum };
    this.st = { phase: 'done', result };
    return { kind: 'done', result };
  }

  /** Gives up on the round (deadline, new term, shutdown). */
  abort(detail: string): SecAggAborted {
    return this.fail({ reason: 'cancelled', detail });
  }

  private fail(abort: SecAggAbort): SecAggAborted {
    if (this.st.phase === 'aborted') return { kind: 'aborted', abort: this.st.abort };
    this.st = { phase: 'aborted', abort };
    return { kind: 'aborted', abort };
  }

  private belowThreshold(count: number, stage: SecAggStage): SecAggAborted | undefined {
    const t = this.params.threshold;
    if (count >= t) return undefined;
    return this.fail({ reason: 'below_threshold', stage, detail: `${count} members at ${stage} < t = ${t}` });
  }

  private stale(detail: string): SecAggIgnored | SecAggAborted {
    return this.st.phase === 'aborted'
      ? { kind: 'aborted', abort: this.st.abort }
      : ignored('wrong_phase', detail);
  }

  /** Common checks of an inbound message: phase, round, and that the transport sender wrote it. */
  private screen(
    phase: SecAggHeadState['phase'],
    from: string,
    m: SecAggRound,
    sender: string,
  ): SecAggIgnored | SecAggRejected | SecAggAborted | undefined {
    if (this.st.phase === 'aborted') return { kind: 'aborted', abort: this.st.abort };
    const r = this.init.round;
    if (m.cluster !== r.cluster || m.round !== r.round || m.term !== r.term)
      return ignored('wrong_round', `${m.cluster}/${m.round}/${m.term}`);
    if (this.st.phase !== phase) return ignored('wrong_phase', `${phase} message in ${this.st.phase}`);
    if (sender !== from)
      return rejected('sender_mismatch', `${from} sent a message claiming to be from ${sender}`);
    return undefined;
  }
}

const PROBE = x25519FromSecret(new Uint8Array(32).fill(1));

function usableKey(publicKey: Uint8Array): boolean {
  return agree(PROBE.privateKey, publicKey) !== undefined;
}

function ignored(reason: SecAggIgnored['reason'], detail: string): SecAggIgnored {
  return { kind: 'ignored', reason, detail };
}

function rejected(reason: SecAggRejected['reason'], detail: string): SecAggRejected {
  return { kind: 'rejected', reason, detail };
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
