// MembershipView: what this peer knows about the live peers (peer id -> latest fingerprint,
// capacity, last seen). Pure and network-free; the clock is injected (`now` arguments).
import { createHash } from 'node:crypto';

/** One peer's entry in the view. `F` is the fingerprint type (meta's `Fingerprint`). */
export interface MemberEntry<F> {
  id: string;
  fingerprint: F;
  /** Sequence number of the fingerprint message this entry came from (monotonic per peer). */
  seq: number;
  /** Capacity score used by the head election (higher is better). */
  capacity: number;
  /** Local time (ms) of the last fingerprint or heartbeat from this peer. */
  lastSeen: number;
}

/** What `upsert` did with a fingerprint message. */
export type UpsertResult =
  | { kind: 'added' } // new peer: membership changed
  | { kind: 'updated'; fingerprintChanged: boolean } // newer seq
  | { kind: 'refreshed' } // same seq again: liveness only
  | { kind: 'stale' }; // older seq: ignored entirely

/** What `heartbeat` did. `unknown`/`behind`: the peer should obtain that peer's fingerprint. */
export type HeartbeatResult =
  | { kind: 'refreshed' }
  | { kind: 'unknown' } // no fingerprint for this peer yet: heartbeat alone does not add it
  | { kind: 'behind'; knownSeq: number }; // heartbeat announces a newer fingerprint seq than we hold

export interface MembershipViewOptions<F> {
  selfId: string;
  /** A peer not heard from (fingerprint or heartbeat) for longer than this is removed. */
  ttlMs: number;
  /**
   * Our own entry. Store the fingerprint as it reads after the wire round trip (encode ->
   * decode) so that every peer, this one included, holds bit-identical numbers: the digest
   * and the cluster ids depend on them.
   */
  self: { fingerprint: F; seq: number; capacity: number };
  now: number;
}

/**
 * Peer id -> latest fingerprint, with ttl expiry. Self is always present and never expires.
 * `version` is a local counter bumped only when membership or a fingerprint changes;
 * `digest()` is a content hash of the same thing, equal on peers holding the same view.
 */
export class MembershipView<F> {
  readonly selfId: string;
  readonly ttlMs: number;
  private readonly entries = new Map<string, MemberEntry<F>>();
  private readonly fpHashes = new Map<string, string>();
  private versionCounter = 0;
  private digestCache: { version: number; digest: string } | undefined;

  constructor(opts: MembershipViewOptions<F>) {
    if (!(opts.ttlMs > 0)) throw new RangeError(`ttlMs must be > 0, got ${opts.ttlMs}`);
    this.selfId = opts.selfId;
    this.ttlMs = opts.ttlMs;
    this.setEntry({ id: opts.selfId, ...opts.self, lastSeen: opts.now });
  }

  /** Local change counter: differs from a previously read value iff membership or a fingerprint changed. */
  get version(): number {
    return this.versionCounter;
  }

  /** Number of peers in the view, self included. */
  get size(): number {
    return this.entries.size;
  }

  /** Record a fingerprint message from `id` (self included: use it to publish a changed fingerprint). */
  upsert(id: string, msg: { fingerprint: F; seq: number; capacity: number }, now: number): UpsertResult {
    const prev = this.entries.get(id);
    if (prev === undefined) {
      this.setEntry({ id, ...msg, lastSeen: now });
      return { kind: 'added' };
    }
    if (msg.seq < prev.seq) return { kind: 'stale' };
    if (msg.seq === prev.seq) {
      prev.lastSeen = Math.max(prev.lastSeen, now);
      return { kind: 'refreshed' };
    }
    const fingerprintChanged = this.setEntry({ id, ...msg, lastSeen: Math.max(prev.lastSeen, now) });
    return { kind: 'updated', fingerprintChanged };
  }

  /** Record a liveness heartbeat; `seq` is the sender's current fingerprint seq when the message carries it. */
  heartbeat(id: string, now: number, seq?: number): HeartbeatResult {
    const entry = this.entries.get(id);
    if (entry === undefined) return { kind: 'unknown' };
    // A heartbeat older than our fingerprint still proves liveness: it was sent recently.
    entry.lastSeen = Math.max(entry.lastSeen, now);
    if (seq !== undefined && seq > entry.seq) return { kind: 'behind', knownSeq: entry.seq };
    return { kind: 'refreshed' };
  }

  /** Remove peers silent for longer than ttlMs; returns the removed ids, sorted. Self never expires. */
  expire(now: number): string[] {
    const removed: string[] = [];
    for (const [id, e] of this.entries) {
      if (id !== this.selfId && now - e.lastSeen > this.ttlMs) removed.push(id);
    }
    for (const id of removed) this.deleteEntry(id);
    return removed.sort();
  }

  /** Remove a peer at once (e.g. it announced a graceful stop). Self cannot be removed. */
  remove(id: string): boolean {
    if (id === this.selfId || !this.entries.has(id)) return false;
    this.deleteEntry(id);
    return true;
  }

  /** The entry for `id`, if present. */
  get(id: string): Readonly<MemberEntry<F>> | undefined {
    return this.entries.get(id);
  }

  /** Whether `id` is in the view. */
  has(id: string): boolean {
    return this.entries.has(id);
  }

  /** Peer ids in the view, sorted (self included). */
  ids(): string[] {
    return [...this.entries.keys()].sort();
  }

  /** All entries, sorted by id. */
  members(): Readonly<MemberEntry<F>>[] {
    return this.ids().map((id) => this.entries.get(id) as MemberEntry<F>);
  }

  /** Clustering input: `{ id, fp }` sorted by id (the order every peer uses). */
  items(): { id: string; fp: F }[] {
    return this.members().map((e) => ({ id: e.id, fp: e.fingerprint }));
  }

  /** Election input for a set of peers: those present in the view with their capacity, sorted by id. */
  capacities(ids: Iterable<string>): { id: string; capacity: number }[] {
    const out: { id: string; capacity: number }[] = [];
    for (const id of new Set(ids)) {
      const e = this.entries.get(id);
      if (e !== undefined) out.push({ id, capacity: e.capacity });
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Content hash (hex, 16 chars) of the sorted (peer id, fingerprint) pairs; equal across peers with the same view. */
  digest(): string {
    if (this.digestCache?.version === this.versionCounter) return this.digestCache.digest;
    const h = createHash('sha256');
    for (const id of this.ids()) h.update(`${id}\u0000${this.fpHashes.get(id) ?? ''}\u0000`);
    const digest = h.digest('hex').slice(0, 16);
    this.digestCache = { version: this.versionCounter, digest };
    return digest;
  }

  /** Stores an entry; bumps the version if membership or the fingerprint content changed. */
  private setEntry(e: MemberEntry<F>): boolean {
    const hash = hashValue(e.fingerprint);
    const changed = this.fpHashes.get(e.id) !== hash;
    this.entries.set(e.id, e);
    this.fpHashes.set(e.id, hash);
    if (changed) this.versionCounter++;
    return changed;
  }

  private deleteEntry(id: string): void {
    this.entries.delete(id);
    this.fpHashes.delete(id);
    this.versionCounter++;
  }
}

/** sha256 (hex) of a canonical serialisation of plain data: objects with sorted keys, arrays, typed arrays, numbers. */
export function hashValue(v: unknown): string {
  return createHash('sha256').update(canonicalJson(v)).digest('hex');
}

/** Canonical JSON: object keys sorted, typed arrays as arrays, non-finite numbers spelled out. */
export function canonicalJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : `"${String(v)}"`;
  if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
  if (typeof v === 'bigint') return `"${v.toString()}n"`;
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    return canonicalJson(Array.from(v as unknown as ArrayLike<number>));
  }
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(String(v));
}
