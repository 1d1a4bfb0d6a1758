// The member side of one secure-aggregation round (Bonawitz et al. 2017, with per-round keys):
//   advertise()        round 0: two fresh X25519 public keys + a commitment to the self-mask seed, signed
//   onRoster()         round 1: verify every advert's signature, Shamir-share the mask key and the seed,
//                      encrypt each pair of shares for its recipient
//   onShareDelivery()  decrypt the shares meant for us; U2 = their senders + us
//   maskInput()        round 2: fixed-point input + PRG(seed) + sum of +-PRG(pairwise secret)
//   onUnmaskRequest()  round 3: seed shares of survivors, mask-key shares of the dropped, never both
// Each method is one transition of a discriminated-union state and returns what to send.
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { applyMask, encodeFixedPoint, secAggParams } from './arithmetic.js';
import {
  advertSigningBytes,
  pairMaskInfo,
  roundContext,
  seedCommitment,
  selfMaskInfo,
  shareAad,
  shareKeyInfo,
} from './context.js';
import {
  agree,
  hkdf,
  KEY_BYTES,
  open,
  seal,
  SHARE_BYTES,
  SHARE_PAIR_BYTES,
  shamirSplit,
  x25519FromSecret,
  type X25519Pair,
} from './crypto.js';
import type {
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
  SecAggRandom,
  SecAggRound,
  SecAggSign,
  SecAggStep,
  SecAggVerify,
} from './types.js';

/** What a member needs for one round. */
export interface SecAggMemberInit {
  /** Our peer id. */
  self: string;
  /** The head relaying this round; messages from anyone else are ignored. */
  head: string;
  round: SecAggRound;
  /** The members of the round (the head's RoundOpen list); must include `self`. */
  members: readonly string[];
  config: SecAggConfig;
  sign: SecAggSign;
  verify: SecAggVerify;
  /**
   * Secure randomness for keys, seeds and nonces (default node:crypto randomBytes). The Shamir
   * polynomials draw from the sharing library's own CSPRNG.
   */
  randomBytes?: SecAggRandom;
}

interface Secrets {
  cipher: X25519Pair;
  mask: X25519Pair;
  seed: Uint8Array;
  advert: SignedAdvert;
}
/** Shares other members gave us: of their mask key and of their self-mask seed. */
interface HeldShares {
  maskKey: Uint8Array;
  seed: Uint8Array;
}

/** The member's state; `phase` discriminates. */
export type SecAggMemberState =
  | { phase: 'idle' }
  | { phase: 'advertised'; secrets: Secrets }
  | { phase: 'shared'; secrets: Secrets; roster: Map<string, SignedAdvert>; own: HeldShares }
  | { phase: 'ready'; secrets: Secrets; roster: Map<string, SignedAdvert>; held: Map<string, HeldShares> }
  | { phase: 'masked'; secrets: Secrets; roster: Map<string, SignedAdvert>; held: Map<string, HeldShares> }
  | { phase: 'done' }
  | { phase: 'aborted'; abort: SecAggAbort };

/** Outcome of a share delivery: ready to mask, with U2 as this member sees it. */
export type SecAggDelivered = { kind: 'ready'; sharedWith: string[] } | SecAggIgnored | SecAggAborted;

/** One member's side of a secure-aggregation round. */
export class SecAggMember {
  readonly params: SecAggParams;
  private st: SecAggMemberState = { phase: 'idle' };
  private readonly ctx: Uint8Array;
  private readonly members: ReadonlySet<string>;
  private readonly random: SecAggRandom;

  constructor(private readonly init: SecAggMemberInit) {
    this.members = new Set(init.members);
    if (!this.members.has(init.self))
      throw new RangeError(`member ${init.self} is not in the round's member list`);
    this.params = secAggParams(this.members.size, init.config);
    this.ctx = roundContext(init.round);
    this.random = init.randomBytes ?? ((n) => new Uint8Array(nodeRandomBytes(n)));
  }

  /** The current state (read-only view). */
  get state(): SecAggMemberState {
    return this.st;
  }

  /** Round 0: fresh keys and seed; returns the signed advert for the head. */
  async advertise(): Promise<SecAggStep<KeyAdvertMsg>> {
    if (this.st.phase !== 'idle') return this.ignored('wrong_phase', `advertise in ${this.st.phase}`);
    const cipher = x25519FromSecret(this.random(KEY_BYTES));
    const mask = x25519FromSecret(this.random(KEY_BYTES));
    const seed = this.random(KEY_BYTES).slice();
    const { self: sender, round } = this.init;
    const body = {
      ...round,
      sender,
      cipherKey: cipher.publicKey,
      maskKey: mask.publicKey,
      commitment: seedCommitment(round, sender, seed),
    };
    const signature = await this.init.sign(advertSigningBytes(body));
    if (this.st.phase !== 'idle') return this.ignored('wrong_phase', 'state changed while signing');
    const advert = { ...body, signature: Uint8Array.from(signature) };
    this.st = { phase: 'advertised', secrets: { cipher, mask, seed, advert } };
    return { kind: 'send', message: { kind: 'key_advert', ...advert } };
  }

  /** Round 1: checks the roster (every signature, our own advert, parameters) and shares our secrets. */
  async onRoster(from: string, m: RosterMsg): Promise<SecAggStep<ShareKeysMsg>> {
    const skip = this.screen(from, m);
    if (skip) return skip;
    const st = this.st;
    if (st.phase !== 'advertised') return this.ignored('wrong_phase', `roster in ${st.phase}`);
    const p = this.params;
    const mine = {
      length: p.length,
      threshold: p.threshold,
      fracBits: p.fracBits,
      clip: p.clip,
      maxWeight: p.maxWeight,
    };
    for (const [k, v] of Object.entries(mine)) {
      const theirs = m[k as keyof typeof mine];
      if (theirs !== v)
        return this.abort({ reason: 'params_mismatch', detail: `${k}: roster ${theirs}, ours ${v}` });
    }
    const roster = new Map<string, SignedAdvert>();
    for (const a of m.adverts) {
      if (!this.members.has(a.sender))
        return this.abort({ reason: 'bad_roster', detail: 'advert of a non-member', peer: a.sender });
      if (roster.has(a.sender))
        return this.abort({ reason: 'bad_roster', detail: 'duplicate advert', peer: a.sender });
      // A validly signed advert of another round is a replay.
      if (a.cluster !== m.cluster || a.round !== m.round || a.term !== m.term)
        return this.abort({ reason: 'bad_roster', detail: 'advert of another round', peer: a.sender });
      roster.set(a.sender, a);
    }
    const ownAdvert = roster.get(this.init.self);
    if (ownAdvert === undefined || !sameAdvert(ownAdvert, st.secrets.advert))
      return this.abort({
        reason: 'bad_roster',
        detail: 'our own advert is missing or altered',
        peer: this.init.self,
      });
    if (roster.size < p.threshold)
      return this.abort({
        reason: 'below_threshold',
        stage: 'advertise',
        detail: `${roster.size} adverts < t = ${p.threshold}`,
      });
    // The head relays keys: only the members' own signatures make them trustworthy.
    for (const a of roster.values()) {
      if (a.sender === this.init.self) continue;
      let valid = false;
      try {
        valid = await this.init.verify(a.sender, advertSigningBytes(a), a.signature);
      } catch {
        valid = false;
      }
      if (!valid)
        return this.abort({
          reason: 'bad_signature',
          detail: 'key advert signature invalid',
          peer: a.sender,
        });
    }
    const order = [...roster.keys()].sort();
    const maskShares = await shamirSplit(st.secrets.mask.secret, order.length, p.threshold);
    const seedShares = await shamirSplit(st.secrets.seed, order.length, p.threshold);
    if (this.st !== st) return this.ignored('wrong_phase', 'state changed while sharing');
    let own: HeldShares | undefined;
    const shares: ShareKeysMsg['shares'] = [];
    for (const [i, peer] of order.entries()) {
      const pair = { maskKey: maskShares[i] as Uint8Array, seed: seedShares[i] as Uint8Array };
      if (peer === this.init.self) {
        own = pair;
        continue;
      }
      const key = this.shareKey(roster.get(peer) as SignedAdvert, this.init.self, peer);
      if (key === undefined) return this.abort({ reason: 'bad_roster', detail: 'unusable cipher key', peer });
      const plain = new Uint8Array(SHARE_PAIR_BYTES);
      plain.set(pair.maskKey, 0);
      plain.set(pair.seed, SHARE_BYTES);
      const aad = shareAad(this.init.round, this.init.self, peer);
      shares.push({ peer, ciphertext: seal(key, this.random(12), aad, plain) });
    }
    this.st = { phase: 'shared', secrets: st.secrets, roster, own: own as HeldShares };
    return {
      kind: 'send',
      message: { kind: 'share_keys', ...this.init.round, sender: this.init.self, shares },
    };
  }

  /** Takes the shares others encrypted for us; U2 is their senders plus us. Nothing to send. */
  onShareDelivery(from: string, m: ShareDeliveryMsg): SecAggDelivered {
    const skip = this.screen(from, m);
    if (skip) return skip;
    const st = this.st;
    if (st.phase !== 'shared') return this.ignored('wrong_phase', `share delivery in ${st.phase}`);
    if (m.recipient !== this.init.self) return this.ignored('wrong_round', `delivery for ${m.recipient}`);
    const held = new Map([[this.init.self, st.own]]);
    for (const s of m.shares) {
      const advert = st.roster.get(s.peer);
      if (advert === undefined || s.peer === this.init.self || held.has(s.peer))
        return this.abort({ reason: 'bad_share', detail: 'share from outside the roster', peer: s.peer });
      const key = this.shareKey(advert, s.peer, this.init.self);
      const plain = key && open(key, shareAad(this.init.round, s.peer, this.init.self), s.ciphertext);
      if (plain === undefined || plain.length !== SHARE_PAIR_BYTES)
        return this.abort({ reason: 'bad_share', detail: 'share does not decrypt', peer: s.peer });
      held.set(s.peer, { maskKey: plain.slice(0, SHARE_BYTES), seed: plain.slice(SHARE_BYTES) });
    }
    if (held.size < this.params.threshold)
      return this.abort({
        reason: 'below_threshold',
        stage: 'share',
        detail: `${held.size} members shared keys < t = ${this.params.threshold}`,
      });
    this.st = { phase: 'ready', secrets: st.secrets, roster: st.roster, held };
    return { kind: 'ready', sharedWith: [...held.keys()].sort() };
  }

  /**
   * Round 2: masks our update (Float32Array of `length`) with weight in [0, maxWeight] (larger is
   * capped). Throws RangeError on a wrong length, NaN or a negative weight (a caller bug).
   */
  maskInput(update: Float32Array, weight: number): SecAggStep<MaskedInputMsg> {
    const st = this.st;
    if (st.phase !== 'ready') return this.ignored('wrong_phase', `maskInput in ${st.phase}`);
    const y = encodeFixedPoint(update, weight, this.params);
    const self = this.init.self;
    applyMask(y, st.secrets.seed, this.ctx, selfMaskInfo(self), 1);
    for (const v of st.held.keys()) {
      if (v === self) continue;
      const s = agree(st.secrets.mask.privateKey, (st.roster.get(v) as SignedAdvert).maskKey);
      if (s === undefined) return this.abort({ reason: 'bad_roster', detail: 'unusable mask key', peer: v });
      applyMask(y, s, this.ctx, pairMaskInfo(self, v), self < v ? 1 : -1);
    }
    this.st = { phase: 'masked', secrets: st.secrets, roster: st.roster, held: st.held };
    return { kind: 'send', message: { kind: 'masked_input', ...this.init.round, sender: self, masked: y } };
  }

  /** Round 3: for each member of U2, its seed share if it survived, else its mask-key share. */
  onUnmaskRequest(from: string, m: UnmaskRequestMsg): SecAggStep<UnmaskResponseMsg> {
    const skip = this.screen(from, m);
    if (skip) return skip;
    const st = this.st;
    // A member that never masked (late) may still help recover the others.
    if (st.phase !== 'masked' && st.phase !== 'ready')
      return this.ignored('wrong_phase', `unmask in ${st.phase}`);
    const survivors = new Set(m.survivors);
    for (const u of survivors) {
      if (!st.held.has(u))
        return this.abort({ reason: 'bad_request', detail: 'survivor outside U2', peer: u });
    }
    if (survivors.size < this.params.threshold)
      return this.abort({
        reason: 'below_threshold',
        stage: 'mask',
        detail: `${survivors.size} masked inputs < t = ${this.params.threshold}`,
      });
    const selfMaskShares: UnmaskResponseMsg['selfMaskShares'] = [];
    const maskKeyShares: UnmaskResponseMsg['maskKeyShares'] = [];
    for (const [peer, h] of [...st.held.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (survivors.has(peer)) selfMaskShares.push({ peer, share: h.seed });
      else maskKeyShares.push({ peer, share: h.maskKey });
    }
    this.st = { phase: 'done' };
    const msg: UnmaskResponseMsg = {
      kind: 'unmask_response',
      ...this.init.round,
      sender: this.init.self,
      selfMaskShares,
      maskKeyShares,
    };
    return { kind: 'send', message: msg };
  }

  /** Gives up on the round (deadline, new term, shutdown); secrets are dropped. */
  abort(a: SecAggAbort | string): SecAggAborted {
    const abort = typeof a === 'string' ? { reason: 'cancelled' as const, detail: a } : a;
    if (this.st.phase !== 'aborted') this.st = { phase: 'aborted', abort };
    return { kind: 'aborted', abort: this.st.phase === 'aborted' ? this.st.abort : abort };
  }

  /** Drops messages not from our head or not for this round; an aborted member stays aborted. */
  private screen(from: string, m: SecAggRound): SecAggIgnored | SecAggAborted | undefined {
    if (this.st.phase === 'aborted') return { kind: 'aborted', abort: this.st.abort };
    if (from !== this.init.head) return this.ignored('not_from_head', `from ${from}`);
    const r = this.init.round;
    if (m.cluster !== r.cluster || m.round !== r.round || m.term !== r.term)
      return this.ignored('wrong_round', `${m.cluster}/${m.round}/${m.term}`);
    return undefined;
  }

  /** AES-256-GCM key for shares from `sender` to `recipient` (one per direction and round). */
  private shareKey(peer: SignedAdvert, sender: string, recipient: string): Uint8Array | undefined {
    const st = this.st;
    if (!('secrets' in st)) return undefined;
    const s = agree(st.secrets.cipher.privateKey, peer.cipherKey);
    return s && hkdf(s, this.ctx, shareKeyInfo(sender, recipient), 32);
  }

  private ignored(reason: SecAggIgnored['reason'], detail: string): SecAggIgnored {
    return { kind: 'ignored', reason, detail };
  }
}

function sameAdvert(a: SignedAdvert, b: SignedAdvert): boolean {
  const eq = (x: Uint8Array, y: Uint8Array) => x.length === y.length && x.every((v, i) => v === y[i]);
  return (
    a.sender === b.sender &&
    eq(a.cipherKey, b.cipherKey) &&
    eq(a.maskKey, b.maskKey) &&
    eq(a.commitment, b.commitment) &&
    eq(a.signature, b.signature)
  );
}
