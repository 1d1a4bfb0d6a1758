// Membership: who is alive and what their data looks like. Publishes this peer's fingerprint and
// heartbeats, keeps the view (fingerprints with ttl expiry, tolerant of late heartbeats from
// peers still connected), tells the others when the view changed (debounced), and holds the
// start-up gate (--min-peers, bootstrap wait), saying what it waits for.
import {
  decodeGossip,
  encodeGossip,
  TOPIC_FINGERPRINTS,
  viewDigest,
  type FingerprintMsg,
  type GossipMessage,
  type HeartbeatMsg,
  type LossReportMsg,
} from '@ppfm/protocol';
import type { Fingerprint } from '@ppfm/meta';
import type { Cancel } from '../clock.js';
import { notice, logEvent, type PeerComponents } from '../components.js';
import type { PeerRole } from '../events.js';
import { MembershipView } from '../view.js';
import { validateFingerprintMessage } from '../validation/fingerprint-topic.js';

/** Gossip carries control messages only (models go over streams): cap each frame. */
export const CONTROL_MAX_BYTES = 256 * 1024;
/** The most peers a view holds (a Sybil flood cannot grow it further). */
export const MAX_VIEW = 1024;

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
  /** Loss reports (loss-based clustering) go to whoever registered. */
  onLossReport?: (r: LossReportMsg) => void;
  knownLossSeq?: (peer: string) => number | undefined;
}

/** The view, its gossip and the start-up gate. */
export class Membership {
  readonly view: MembershipView<Fingerprint>;
  private readonly claims = new Map<string, RoleClaim>();
  private readonly timers: Cancel[] = [];
  private hbSeq = 0;
  private fingerprintDue: Cancel | undefined;
  private changeDue: Cancel | undefined;
  private readonly startedAt: number;
  private readyAt: number | undefined;
  private waitingSaid = '';
  private bootstrapGaveUp = false;

  constructor(
    private readonly c: MembershipComponents,
    private readonly init: MembershipInit,
  ) {
    const now = c.clock.now();
    this.startedAt = now;
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
  }

  /** Joins the fingerprints topic and starts publishing. */
  start(): void {
    const { c } = this;
    c.gossip.join<GossipMessage>(TOPIC_FINGERPRINTS, {
      maxBytes: CONTROL_MAX_BYTES,
      decode: (b) => decodeGossip(b, { maxControlBytes: CONTROL_MAX_BYTES }),
      kindOf: (m) => m.kind,
      validate: (m, from) =>
        validateFingerprintMessage(m, from, {
          self: c.self,
          now: c.clock.now(),
          freshnessMs: c.timing.freshnessMs,
          knownSeq: (p) => this.view.get(p)?.seq,
          viewSize: this.view.size,
          maxView: MAX_VIEW,
          knownLossSeq: (p) => this.init.knownLossSeq?.(p),
        }),
      apply: (m, from) => this.apply(m, from),
    });
    this.timers.push(c.clock.every(c.timing.heartbeatMs, () => this.heartbeat()));
    this.timers.push(
      c.clock.every(Math.max(50, Math.min(c.timing.heartbeatMs, c.timing.viewTtlMs / 4)), () =>
        this.expire(),
      ),
    );
    this.timers.push(c.clock.every(c.timing.fingerprintEveryMs, () => this.publishFingerprint()));
    this.publishFingerprint();
    this.heartbeat();
  }

  stop(): void {
    for (const t of this.timers.splice(0)) t();
    this.fingerprintDue?.();
    this.changeDue?.();
  }

  /** Republishes our fingerprint soon (a newcomer needs it; do not wait for the period). */
  announceSoon(delayMs = 100): void {
    if (this.fingerprintDue !== undefined) return;
    this.fingerprintDue = this.c.clock.after(delayMs, () => {
      this.fingerprintDue = undefined;
      this.publishFingerprint();
    });
  }

  /** The latest role claims of other peers (heartbeats), fresher than the view ttl. */
  roleClaims(): ReadonlyMap<string, RoleClaim> {
    return this.claims;
  }

  /**
   * The start-up gate before a first round: at least --min-peers live peers in the view (self
   * included) and, with bootstrap addresses, a connection to one of them (or the bootstrap wait
   * passed, with a warning). Latched: peers leaving later must not stop a running federation.
   */
  isReady(): boolean {
    if (this.readyAt !== undefined) return true;
    const { c } = this;
    const now = c.clock.now();
    const need = c.settings.minPeers;
    const have = this.view.size;
    const waits: string[] = [];
    if (have < need)
      waits.push(
        `${have}/${need} peers in view (--min-peers ${need}): ${plural(need - have, 'more peer')} must join`,
      );
    const wait = c.timing.bootstrapWaitMs;
    const targets = this.gateTargets();
    if (targets.length > 0 && wait > 0 && !this.bootstrapReached(targets)) {
      const what = this.targetWord();
      if (now - this.startedAt < wait)
        waits.push(`${what} to answer (proceeds without after ${Math.round(wait / 1000)} s)`);
      else if (!this.bootstrapGaveUp) {
        this.bootstrapGaveUp = true;
        const connected = new Set(c.libp2p.getPeers().map((p) => p.toString()));
        const silent = targets.some((id) => connected.has(id));
        notice(
          c,
          'warn',
          `${silent ? `connected to ${what} but heard no fingerprint from it` : `no ${what} reachable`} after ` +
            `${Math.round(wait / 1000)} s; proceeding with the ${plural(have, 'peer')} found so far`,
          'bootstrap_unreachable',
        );
      }
    }
    if (waits.length > 0) {
      const said = `waiting for ${waits.join('; and for ')}`;
      if (said !== this.waitingSaid) {
        this.waitingSaid = said;
        notice(
          c,
          'info',
          `${said} (since ${new Date(this.startedAt).toISOString().slice(11, 19)})`,
          'waiting',
        );
      }
      return false;
    }
    this.readyAt = now;
    if (this.waitingSaid !== '') notice(c, 'info', `ready: ${plural(have, 'peer')} in view`, 'ready');
    return true;
  }

  /** Peers the start-up gate waits for: bootstrap peers, and a resumed peer's known peers. */
  private gateTargets(): string[] {
    return [...this.c.settings.bootstrapIds, ...(this.c.settings.knownIds ?? [])];
  }

  private targetWord(): string {
    const boot = this.c.settings.bootstrapIds.length > 0;
    const known = (this.c.settings.knownIds ?? []).length > 0;
    return boot && known
      ? 'a bootstrap peer or a peer of the address book'
      : boot
        ? 'a bootstrap peer'
        : 'a peer of the address book';
  }

  /** Reached = its fingerprint is in our view (merely connected is not yet federating). */
  private bootstrapReached(targets: string[]): boolean {
    return targets.some((id) => this.view.has(id));
  }

  private apply(m: GossipMessage, from: string): void {
    const now = this.c.clock.now();
    if (m.kind === 'fingerprint') {
      const r = this.view.upsert(
        from,
        { fingerprint: fingerprintOf(m), seq: m.seq, capacity: m.capacity },
        now,
      );
      if (r.kind === 'added' || (r.kind === 'updated' && r.fingerprintChanged)) {
        logEvent(this.c, { event: 'fingerprint_received', from, seq: m.seq });
        this.changed();
        if (r.kind === 'added') this.announceSoon();
      }
    } else if (m.kind === 'heartbeat') {
      const r = this.view.heartbeat(from, now, m.fingerprintSeq);
      this.claims.set(from, { cluster: m.cluster, role: m.role, round: m.round, at: now });
      // A peer we have no (current) fingerprint of: ours may be missing at its end too.
      if (r.kind !== 'refreshed') this.announceSoon(300);
    } else if (m.kind === 'loss_report') {
      this.init.onLossReport?.(m);
    }
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
  }

  private publishFingerprint(): void {
    void this.c.gossip.publish(
      TOPIC_FINGERPRINTS,
      encodeGossip({ ...this.init.fingerprint, sentAt: this.c.clock.now() }),
    );
  }

  /** The protocol's digest of the view (peer ids and fingerprint seqs), as heartbeats carry it. */
  digest(): string {
    return viewDigest(this.view.members().map((e) => ({ peerId: e.id, seq: e.seq })));
  }

  /**
   * Drops peers silent for longer than the view ttl. A peer we still hold a connection to gets
   * three ttls: under CPU starvation heartbeats arrive late, and expiring a live peer makes
   * everyone recluster and re-elect.
   */
  private expire(): void {
    const now = this.c.clock.now();
    const ttl = this.c.timing.viewTtlMs;
    const connected = new Set(this.c.libp2p.getPeers().map((p) => p.toString()));
    let removed = false;
    for (const e of this.view.members()) {
      if (e.id === this.c.self) continue;
      const silent = now - e.lastSeen;
      if (silent > 3 * ttl || (silent > ttl && !connected.has(e.id))) {
        this.view.remove(e.id);
        this.claims.delete(e.id);
        removed = true;
      }
    }
    for (const [id, cl] of this.claims) if (now - cl.at > ttl) this.claims.delete(id);
    if (removed) this.changed();
    // The gate says what it waits for (and when it gives up) on its own clock, not only when asked.
    this.isReady();
  }

  /** Coalesces bursts of view changes into one `view:changed` after reclusterDelayMs. */
  private changed(): void {
    this.changeDue?.();
    this.changeDue = this.c.clock.after(this.c.timing.reclusterDelayMs, () => {
      this.changeDue = undefined;
      this.c.bus.emit('view:changed', { peers: this.view.ids(), digest: this.view.digest() });
    });
  }
}

/** "1 peer", "3 peers". */
function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
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
