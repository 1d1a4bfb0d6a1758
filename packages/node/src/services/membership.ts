// Membership: who is alive and what their data looks like. Publishes this peer's fingerprint and
// heartbeats, keeps the view, tells the others when the view changed, and holds the start-up gate
// (--min-peers, bootstrap wait), saying what it waits for. Built to settle on a crowded, starved
// box: heartbeats slow down as the view grows (each peer hears about the same number per second),
// liveness forgives this peer's own stalls and irregular peers (liveness.ts), view changes are
// damped before they recluster (change-damper.ts), and a view that differs from a neighbour's is
// repaired by asking that neighbour (anti-entropy.ts), not by everyone re-publishing.
import {
  decodeGossip,
  encodeGossip,
  TOPIC_FINGERPRINTS,
  viewDigest,
  type FingerprintMsg,
  type GossipMessage,
  type HeartbeatMsg,
  type LossReportMsg,
  type SignedFingerprint,
} from '@ppfm/protocol';
import type { Fingerprint } from '@ppfm/meta';
import type { Message } from '@libp2p/interface';
import type { Cancel } from '../clock.js';
import { logEvent, type PeerComponents } from '../components.js';
import type { PeerRole } from '../events.js';
import type { ViewSyncSource } from '../handlers/view-sync.js';
import { encodeSignedGossip } from '../net/signed-gossip.js';
import { MembershipView } from '../view.js';
import { validateFingerprintMessage } from '../validation/fingerprint-topic.js';
import { AntiEntropy } from './anti-entropy.js';
import { ChangeDamper } from './change-damper.js';
import { Liveness } from './liveness.js';
import { StartGate } from './start-gate.js';

/** Gossip carries control messages only (models go over streams): cap each frame. */
export const CONTROL_MAX_BYTES = 256 * 1024;
/** The most peers a view holds (a Sybil flood cannot grow it further). */
export const MAX_VIEW = 1024;
/** A view sync reply stops growing at about this many bytes (the asker asks again for the rest). */
const SYNC_BUDGET_BYTES = 192 * 1024;

/** A peer's latest heartbeat claim (role in its cluster), for the global level. */
export interface RoleClaim {
  cluster: string | undefined;
  role: PeerRole;
  round: number;
  at: number;
}

/** This peer's state as its heartbeats announce it. */
export interface SelfState {
  cluster: string | undefined;
  role: PeerRole;
  round: number;
}

export type MembershipComponents = Pick<
  PeerComponents,
  'self' | 'clock' | 'bus' | 'timing' | 'gossip' | 'settings' | 'libp2p'
>;

export interface MembershipInit {
  /** Our fingerprint message as it reads after a wire round trip (bit-identical everywhere). */
  fingerprint: FingerprintMsg;
  selfState: () => SelfState;
  /** Signs a payload for a topic as gossipsub would (our fingerprint, relayed by anti-entropy). */
  sign?: (topic: string, data: Uint8Array) => Promise<Uint8Array>;
  /** Loss reports (loss-based clustering) go to whoever registered. */
  onLossReport?: (r: LossReportMsg) => void;
  knownLossSeq?: (peer: string) => number | undefined;
}

/** The view, its gossip and the start-up gate. */
export class Membership {
  readonly view: MembershipView<Fingerprint>;
  readonly liveness = new Liveness();
  readonly antiEntropy: AntiEntropy;
  private readonly gate: StartGate;
  private readonly claims = new Map<string, RoleClaim>();
  /** The signed fingerprint message held for each peer (at the seq in the view). */
  private readonly signed = new Map<string, Uint8Array>();
  /** When we dropped a peer: a relay must have heard from it later to bring it back. */
  private readonly expiredAt = new Map<string, number>();
  private readonly damper: ChangeDamper;
  private readonly timers: Cancel[] = [];
  private hbSeq = 0;
  private hbTimer: Cancel | undefined;
  private fingerprintDue: Cancel | undefined;
  private lastAnnounce = -Infinity;
  private lastEmittedDigest = '';
  private ownSigned: Promise<Uint8Array | undefined> | undefined;

  constructor(
    private readonly c: MembershipComponents,
    private readonly init: MembershipInit,
  ) {
    const now = c.clock.now();
    this.view = new MembershipView<Fingerprint>({
      selfId: c.self,
      ttlMs: c.timing.viewTtlMs,
      self: {
        fingerprint: fingerprintOf(init.fingerprint),
        seq: init.fingerprint.seq,
        capacity: init.fingerprint.capacity,
      },
      now,
    });
    this.gate = new StartGate(c, () => this.view);
    this.damper = new ChangeDamper(
      c.clock,
      {
        baseMs: c.timing.reclusterDelayMs,
        maxMs: Math.max(c.timing.reclusterDelayMs, c.timing.reclusterMaxDelayMs),
        calmMs: 2 * Math.max(c.timing.reclusterDelayMs, c.timing.reclusterMaxDelayMs),
      },
      () => this.emitChange(),
    );
    this.antiEntropy = new AntiEntropy(c, {
      entries: () => this.view.members().map((e) => ({ id: e.id, seq: e.seq })),
      digest: () => this.digest(),
      size: () => this.view.size,
      accept: (author, data, ageMs, signed) => this.acceptRelayed(author, data, ageMs, signed),
      cooldownMs: () => Math.max(1000, this.heartbeatPeriod()),
      maxReplyBytes: CONTROL_MAX_BYTES + 64 * 1024,
      timeoutMs: Math.max(5000, c.timing.fetchTimeoutMs * 0.75),
    });
  }

  /** Joins the fingerprints topic and starts publishing. */
  start(): void {
    const { c } = this;
    c.gossip.join<GossipMessage>(TOPIC_FINGERPRINTS, {
      maxBytes: CONTROL_MAX_BYTES,
      decode: (b) => decodeGossip(b, { maxControlBytes: CONTROL_MAX_BYTES }),
      kindOf: (m) => m.kind,
      validate: (m, from) => validateFingerprintMessage(m, from, this.validationContext()),
      apply: (m, from, raw) => this.apply(m, from, raw),
    });
    const tick = this.expiryTickMs();
    this.timers.push(c.clock.every(tick, () => this.expire(tick)));
    this.timers.push(c.clock.every(c.timing.fingerprintEveryMs, () => this.publishFingerprint()));
    this.publishFingerprint();
    this.heartbeat();
  }

  stop(): void {
    for (const t of this.timers.splice(0)) t();
    this.hbTimer?.();
    this.fingerprintDue?.();
    this.damper.stop();
    this.antiEntropy.stop();
  }

  /**
   * Republishes our fingerprint soon, at most once per heartbeat period (a new connection: the
   * neighbour forwards it to peers that missed our first publication).
   */
  announceSoon(delayMs = 100): void {
    if (this.fingerprintDue !== undefined) return;
    const now = this.c.clock.now();
    const wait = Math.max(delayMs, this.lastAnnounce + this.heartbeatPeriod() - now);
    this.fingerprintDue = this.c.clock.after(wait, () => {
      this.fingerprintDue = undefined;
      this.publishFingerprint();
    });
  }

  /** A connection to `peer` opened: exchange views with it and make sure it gets our fingerprint. */
  onConnect(peer: string): void {
    this.antiEntropy.onConnect(peer);
    this.announceSoon(300);
  }

  /** The latest role claims of other peers (heartbeats), fresher than the view ttl. */
  roleClaims(): ReadonlyMap<string, RoleClaim> {
    return this.claims;
  }

  /** The start-up gate before a first round (see StartGate); latched once open. */
  isReady(): boolean {
    return this.gate.isReady();
  }

  /** What the /ppfm/1/view/sync handler serves from. */
  syncSource(): ViewSyncSource {
    return {
      self: this.c.self,
      entries: () => this.view.members().map((e) => ({ id: e.id, seq: e.seq })),
      signed: (id) => this.signedOf(id),
      budgetBytes: SYNC_BUDGET_BYTES,
    };
  }

  /** Signs our own fingerprint once (it is served like the others), in the background. */
  prepareOwnSigned(): void {
    const sign = this.init.sign;
    if (sign === undefined || this.ownSigned !== undefined) return;
    const data = encodeGossip({ ...this.init.fingerprint, sentAt: this.c.clock.now() });
    this.ownSigned = sign(TOPIC_FINGERPRINTS, data).catch(() => undefined);
    void this.ownSigned.then((b) => {
      if (b !== undefined) this.signed.set(this.c.self, b);
    });
  }

  /** The heartbeat period: heartbeatMs up to heartbeatPeers peers, proportionally longer beyond. */
  heartbeatPeriod(): number {
    const t = this.c.timing;
    return Math.round(t.heartbeatMs * Math.max(1, this.view.size / Math.max(1, t.heartbeatPeers)));
  }

  /** The base ttl of a silent peer: the view ttl, or enough heartbeat periods if those are longer. */
  ttl(): number {
    return Math.max(this.c.timing.viewTtlMs, 8 * this.heartbeatPeriod());
  }

  /** The protocol's digest of the view (peer ids and fingerprint seqs), as heartbeats carry it. */
  digest(): string {
    return viewDigest(this.view.members().map((e) => ({ peerId: e.id, seq: e.seq })));
  }

  private signedOf(id: string): SignedFingerprint | undefined {
    const message = this.signed.get(id);
    if (message === undefined) return undefined;
    if (id === this.c.self) return { message, ageMs: 0 };
    const last = this.liveness.lastHeard(id);
    if (last === undefined) return undefined;
    const ageMs = Math.max(0, Math.round(this.c.clock.now() - last));
    // A peer we have not heard from for half a ttl may be gone: do not pass it on.
    return ageMs <= this.ttl() / 2 ? { message, ageMs } : undefined;
  }

  private validationContext(freshnessMs = this.c.timing.freshnessMs) {
    return {
      self: this.c.self,
      now: this.c.clock.now(),
      freshnessMs,
      knownSeq: (p: string) => this.view.get(p)?.seq,
      viewSize: this.view.size,
      maxView: MAX_VIEW,
      knownLossSeq: (p: string) => this.init.knownLossSeq?.(p),
    };
  }

  private apply(m: GossipMessage, from: string, raw?: Message): void {
    const now = this.c.clock.now();
    if (m.kind === 'fingerprint') {
      this.liveness.hear(from, now);
      this.expiredAt.delete(from);
      this.applyFingerprint(m, from, raw ? encodeSignedGossip(raw) : undefined);
    } else if (m.kind === 'heartbeat') {
      this.liveness.hear(from, now);
      const r = this.view.heartbeat(from, now, m.fingerprintSeq);
      this.claims.set(from, { cluster: m.cluster, role: m.role, round: m.round, at: now });
      if (r.kind === 'refreshed') this.antiEntropy.onHeartbeat(from, m.viewDigest, m.viewSize);
      // A peer whose (current) fingerprint we lack: fetch it, do not wait for a re-publication.
      else {
        this.expiredAt.delete(from);
        this.antiEntropy.onUnknownPeer(from);
      }
    } else if (m.kind === 'loss_report') {
      this.init.onLossReport?.(m);
    }
  }

  /** Stores a fingerprint (and its signed form); true when the view changed. */
  private applyFingerprint(m: FingerprintMsg, from: string, signed: Uint8Array | undefined): boolean {
    const r = this.view.upsert(
      from,
      { fingerprint: fingerprintOf(m), seq: m.seq, capacity: m.capacity },
      this.c.clock.now(),
    );
    if (r.kind === 'stale') return false;
    if (signed !== undefined && (r.kind !== 'refreshed' || !this.signed.has(from)))
      this.signed.set(from, signed);
    if (r.kind === 'added' || (r.kind === 'updated' && r.fingerprintChanged)) {
      logEvent(this.c, { event: 'fingerprint_received', from, seq: m.seq });
      this.damper.changed();
      return true;
    }
    return r.kind === 'updated';
  }

  /** A fingerprint a neighbour relayed (its author's signature verified by anti-entropy). */
  private acceptRelayed(author: string, data: Uint8Array, ageMs: number, signed: Uint8Array): boolean {
    const now = this.c.clock.now();
    if (author === this.c.self || ageMs > this.ttl() / 2) return false;
    // A peer we dropped comes back only on news younger than our verdict.
    const dropped = this.expiredAt.get(author);
    if (dropped !== undefined && now - ageMs <= dropped) return false;
    const d = decodeGossip(data, { maxControlBytes: CONTROL_MAX_BYTES });
    if (!d.ok || d.value.kind !== 'fingerprint') return false;
    // The relay is not the author: its send time says nothing; the signature and seq order do.
    const v = validateFingerprintMessage(d.value, author, this.validationContext(Number.MAX_SAFE_INTEGER));
    if (v.result !== 'accept') return false;
    this.liveness.hear(author, now, ageMs);
    this.expiredAt.delete(author);
    return this.applyFingerprint(d.value, author, signed);
  }

  private heartbeat(): void {
    const s = this.init.selfState();
    const hb: HeartbeatMsg = {
      kind: 'heartbeat',
      peerId: this.c.self,
      seq: ++this.hbSeq,
      ...(s.cluster !== undefined ? { cluster: s.cluster } : {}),
      role: s.role,
      round: s.round,
      fingerprintSeq: this.init.fingerprint.seq,
      viewSize: this.view.size,
      viewDigest: this.digest(),
      sentAt: this.c.clock.now(),
    };
    void this.c.gossip.publish(TOPIC_FINGERPRINTS, encodeGossip(hb));
    this.hbTimer = this.c.clock.after(this.heartbeatPeriod(), () => this.heartbeat());
  }

  private publishFingerprint(): void {
    this.lastAnnounce = this.c.clock.now();
    void this.c.gossip.publish(
      TOPIC_FINGERPRINTS,
      encodeGossip({ ...this.init.fingerprint, sentAt: this.c.clock.now() }),
    );
  }

  private expiryTickMs(): number {
    return Math.max(50, Math.min(this.c.timing.heartbeatMs, this.c.timing.viewTtlMs / 4));
  }

  /** Drops peers silent beyond their ttl (liveness.ts: own stalls forgiven, irregular peers and connected ones given longer). */
  private expire(tickMs: number): void {
    const now = this.c.clock.now();
    this.liveness.tick(now, tickMs);
    const connected = new Set(this.c.libp2p.getPeers().map((p) => p.toString()));
    const ttl = this.ttl();
    let removed = false;
    for (const e of this.liveness.expired(now, ttl, (id) => connected.has(id))) {
      if (e.id === this.c.self) continue;
      this.liveness.forget(e.id);
      this.signed.delete(e.id);
      this.claims.delete(e.id);
      if (!this.view.remove(e.id)) continue;
      this.expiredAt.set(e.id, now);
      removed = true;
      logEvent(this.c, {
        event: 'peer_expired',
        remote: e.id,
        silentMs: Math.round(e.silentMs),
        ttlMs: Math.round(e.ttlMs),
      });
    }
    for (const [id, cl] of this.claims) if (now - cl.at > ttl) this.claims.delete(id);
    for (const [id, at] of this.expiredAt) if (now - at > 10 * ttl) this.expiredAt.delete(id);
    if (removed) this.damper.changed();
    // The gate says what it waits for (and when it gives up) on its own clock, not only when asked.
    this.isReady();
  }

  /** One damped `view:changed`, unless the view came back to what the last one announced. */
  private emitChange(): void {
    const digest = this.view.digest();
    if (digest === this.lastEmittedDigest) return;
    this.lastEmittedDigest = digest;
    this.c.bus.emit('view:changed', { peers: this.view.ids(), digest });
  }
}

/** The meta fingerprint carried by a fingerprint message. */
export function fingerprintOf(m: FingerprintMsg): Fingerprint {
  return {
    sampleCount: m.sampleCount,
    inputShape: m.inputShape,
    numClasses: m.numClasses,
    labelHist: m.labelHist,
    projMean: m.projMean,
    projStd: m.projStd,
    classMeans: m.classMeans,
    featureMean: m.featureMean,
    featureStd: m.featureStd,
  };
}
