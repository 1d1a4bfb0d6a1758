// Anti-entropy of the membership view: instead of waiting for periodic fingerprint
// re-publication, a peer whose view digest differs from a neighbour's (heartbeats carry both
// digest and size) asks that neighbour for what it lacks over /ppfm/1/view/sync, and checks every
// fingerprint it gets against its author's gossipsub signature. Syncs go to connected peers only
// (no dials), at most one per neighbour per cooldown and two at a time.
import { peerIdFromString } from '@libp2p/peer-id';
import {
  decodeViewSync,
  encodeViewSyncRequest,
  PROTOCOL_VIEW_SYNC,
  TOPIC_FINGERPRINTS,
} from '@ppfm/protocol';
import type { Cancel } from '../clock.js';
import { logEvent, type PeerComponents } from '../components.js';
import { verifySignedGossip } from '../net/signed-gossip.js';
import { request } from '../streams.js';

export type AntiEntropyComponents = Pick<PeerComponents, 'self' | 'clock' | 'libp2p' | 'bus'>;

/** What anti-entropy reads from and hands to the membership. */
export interface AntiEntropyDeps {
  /** Every view member (self included) with its fingerprint seq. */
  entries(): { id: string; seq: number }[];
  digest(): string;
  size(): number;
  /** Applies a verified fingerprint frame of `author` heard `ageMs` ago; true when the view changed. */
  accept(author: string, data: Uint8Array, ageMs: number, signed: Uint8Array): boolean;
  /** The least time between two syncs with one neighbour (grows with the heartbeat period). */
  cooldownMs(): number;
  /** Byte cap of a reply and the deadline of one exchange. */
  maxReplyBytes: number;
  timeoutMs: number;
}

/** The most syncs in flight at once. */
const MAX_CONCURRENT = 2;

/** Pulls what the view lacks from neighbours whose views differ. */
export class AntiEntropy {
  private readonly lastSync = new Map<string, number>();
  private readonly mismatches = new Map<string, number>();
  private readonly pending = new Set<string>();
  private readonly timers = new Set<Cancel>();
  private inFlight = 0;
  private rotation = 0;
  private stopped = false;

  constructor(
    private readonly c: AntiEntropyComponents,
    private readonly deps: AntiEntropyDeps,
  ) {}

  /** A heartbeat from `from` announcing its view's digest and size. */
  onHeartbeat(from: string, digest: string, size: number): void {
    if (digest === this.deps.digest()) {
      this.mismatches.delete(from);
      return;
    }
    if (!this.connected(from)) return;
    const n = (this.mismatches.get(from) ?? 0) + 1;
    this.mismatches.set(from, n);
    // A larger view has something we lack; an equal or smaller one may too, if it persists.
    if (size > this.deps.size() || n >= 2) this.soon(from, 0);
  }

  /** A heartbeat from a peer whose fingerprint we lack: ask it, or a neighbour whose view differs. */
  onUnknownPeer(from: string): void {
    if (this.connected(from)) return this.soon(from, 0);
    const differing = [...this.mismatches.keys()].filter((p) => this.connected(p));
    const pool = differing.length > 0 ? differing : this.c.libp2p.getPeers().map((p) => p.toString());
    const pick = pool[this.rotation++ % Math.max(1, pool.length)];
    if (pick !== undefined) this.soon(pick, 0);
  }

  /** A new connection: exchange views with the new neighbour shortly (both sides do it). */
  onConnect(peer: string): void {
    this.soon(peer, 200);
  }

  /** A neighbour that asked us holds something we lack: ask it back. */
  onAskerKnowsMore(peer: string): void {
    this.soon(peer, 0);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) t();
    this.timers.clear();
  }

  /** Schedules a sync with `peer` after `delayMs`, unless one is pending or it is in cooldown. */
  private soon(peer: string, delayMs: number): void {
    if (this.stopped || peer === this.c.self || this.pending.has(peer)) return;
    const since = this.c.clock.now() - (this.lastSync.get(peer) ?? -Infinity);
    const wait = Math.max(delayMs, this.deps.cooldownMs() - since);
    this.pending.add(peer);
    const t = this.c.clock.after(wait, () => {
      this.timers.delete(t);
      this.pending.delete(peer);
      if (this.inFlight >= MAX_CONCURRENT) return this.soon(peer, 100);
      void this.sync(peer);
    });
    this.timers.add(t);
  }

  /** One exchange with `peer`; resolves with how many fingerprints changed our view. Never throws. */
  async sync(peer: string): Promise<number> {
    if (this.stopped || !this.connected(peer)) return 0;
    this.inFlight++;
    this.lastSync.set(peer, this.c.clock.now());
    const have = this.deps.entries().map((e) => ({ peerId: e.id, seq: e.seq }));
    let received = 0;
    let changed = 0;
    try {
      const bytes = await request(
        this.c.libp2p,
        peerIdFromString(peer),
        PROTOCOL_VIEW_SYNC,
        encodeViewSyncRequest({ have }),
        { maxBytes: this.deps.maxReplyBytes, timeoutMs: this.deps.timeoutMs },
      );
      const r = decodeViewSync(bytes, { maxControlBytes: this.deps.maxReplyBytes });
      if (!r.ok) {
        logEvent(this.c, {
          event: 'message_rejected',
          protocol: PROTOCOL_VIEW_SYNC,
          from: peer,
          reason: r.error.code,
          detail: r.error.message,
        });
        return 0;
      }
      received = r.value.signed.length;
      for (const s of r.value.signed) {
        const v = await verifySignedGossip(s.message);
        if (!v.ok || v.value.topic !== TOPIC_FINGERPRINTS) {
          logEvent(this.c, {
            event: 'message_rejected',
            protocol: PROTOCOL_VIEW_SYNC,
            from: peer,
            reason: v.ok ? 'wrong_topic' : v.error,
            detail: 'relayed fingerprint',
          });
          continue;
        }
        if (this.stopped) return changed;
        if (this.deps.accept(v.value.from, v.value.data, s.ageMs, s.message)) changed++;
      }
    } catch {
      return 0; // the neighbour left or is too busy: the next mismatch retries
    } finally {
      this.inFlight--;
    }
    if (received > 0) logEvent(this.c, { event: 'view_synced', remote: peer, received, changed });
    if (changed > 0) this.mismatches.delete(peer);
    return changed;
  }

  private connected(peer: string): boolean {
    try {
      return this.c.libp2p.getConnections(peerIdFromString(peer)).length > 0;
    } catch {
      return false;
    }
  }
}
