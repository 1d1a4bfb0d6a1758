/**
 * The dashboard's fold: the peers' log events, one at a time and in any interleaving of the peers'
 * files, into per-peer and per-cluster records. Pure (no I/O, no clock): `view.ts`'s page model is
 * built from these records by `snapshot.ts`. Unknown events only refresh "last seen", except a few
 * forward-compatible shapes: `waiting`, `*_rejected` / `*_discarded` with a `reason`, and an
 * `epsilon` field on any event.
 */
import type { AnyLoggedEvent } from '../inspect/read-logs.js';
import type { LoggedEvent } from '../log/events.js';

/** What one peer's own log (and the others' about it) says. */
export interface PeerRecord {
  id: string;
  /** Partition folder from peer_started.dataPath (`peer-07`), if it names one. */
  folder: string | null;
  backend: string | null;
  firstSeen: number;
  lastSeen: number;
  /** peer_stopped logged after the last peer_started. */
  stopped: boolean;
  stoppedAt: number | null;
  finished: boolean;
  cluster: string | null;
  round: number;
  acc: number | null;
  epsilon: number | null;
  waitingAt: number;
  progressAt: number;
  /** This peer's own connection claims: remote id -> open, and when that was logged. */
  conns: Map<string, { open: boolean; time: number }>;
  /** This peer's latest membership view and every peer it ever held in a view. */
  view: { time: number; peers: Set<string> } | null;
  everSaw: Set<string>;
}

/** One (cluster, head, term) as reported by head_elected / round_opened, deduplicated over reporters. */
export interface HeadReport {
  head: string;
  term: number;
  firstAt: number;
  lastAt: number;
  /** Whether it came from head_elected (a round_opened alone is not an election on the timeline). */
  elected: boolean;
  failoverMs: number[];
}

export interface ClusterRecord {
  id: string;
  /** Keyed by `head \0 term`. */
  heads: Map<string, HeadReport>;
  /**
   * Lease expiries, keyed by `head \0 term`: first report (the timeline) and last report (a head
   * heard from after it, a member's transient expiry, is live).
   */
  expired: Map<string, { first: number; last: number }>;
  /** Personalised accuracy: peer -> round -> accAfter. */
  evals: Map<string, Map<number, number>>;
}

export interface TrafficRecord {
  sent: number;
  received: number;
  byCluster: Map<string, number>;
  peers: Set<string>;
}

export interface RejectionRecord {
  kind: string;
  reason: string;
  channel: string;
  count: number;
  senders: Set<string>;
  lastAt: number;
}

const ROUND_EVENTS = new Set([
  'round_opened',
  'update_received',
  'round_closed',
  'cluster_model_published',
  'evaluation',
  'traffic',
  'rounds_completed',
]);

const isKnown = (e: AnyLoggedEvent): e is LoggedEvent => !('unknown' in e);
const key = (head: string, term: number): string => `${head}\0${term}`;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The partition folder name at the end of a data path (`.../peer-07` or `.../peer-07/`), if any. */
export function folderOf(dataPath: string): string | null {
  const m = /(peer-\d+)[/\\]?$/.exec(dataPath);
  return m?.[1] ?? null;
}

/** Accumulates events into records; `snapshot.ts` turns them into the page model. */
export class DashboardFold {
  readonly peers = new Map<string, PeerRecord>();
  readonly clusters = new Map<string, ClusterRecord>();
  readonly traffic = new Map<number, TrafficRecord>();
  readonly rejections = new Map<string, RejectionRecord>();
  events = 0;
  firstAt: number | null = null;
  lastAt: number | null = null;
  modelBytes: number | null = null;
  private modelBytesAt = -Infinity;

  /** Applies one event (own-file order per peer; any interleaving across peers). */
  apply(e: AnyLoggedEvent): void {
    this.events++;
    this.firstAt = this.firstAt === null ? e.time : Math.min(this.firstAt, e.time);
    this.lastAt = this.lastAt === null ? e.time : Math.max(this.lastAt, e.time);
    const p = this.peer(e.peer, e.time);
    p.lastSeen = Math.max(p.lastSeen, e.time);
    const fields = e as unknown as Record<string, unknown>;
    if (typeof fields.epsilon === 'number' && Number.isFinite(fields.epsilon)) p.epsilon = fields.epsilon;
    if (!isKnown(e)) {
      this.applyUnknown(p, e.event, e.time, fields);
      return;
    }
    if (ROUND_EVENTS.has(e.event) && 'round' in e && 'cluster' in e) {
      p.progressAt = e.time;
      if (p.cluster === null || p.cluster === e.cluster) p.round = e.round;
    }
    switch (e.event) {
      case 'peer_started':
        // A restarted peer: a new process with new connections; it re-joins its cluster.
        p.folder = folderOf(e.dataPath) ?? p.folder;
        p.backend = e.backend;
        p.stopped = false;
        p.stoppedAt = null;
        p.finished = false;
        p.cluster = null;
        p.conns.clear();
        break;
      case 'peer_stopped':
        p.stopped = true;
        p.stoppedAt = e.time;
        break;
      case 'peer_connected':
      case 'peer_disconnected':
        p.conns.set(e.remote, { open: e.event === 'peer_connected', time: e.time });
        break;
      case 'view_changed':
        p.view = { time: e.time, peers: new Set(e.peers) };
        for (const id of e.peers) p.everSaw.add(id);
        break;
      case 'cluster_assigned':
        p.cluster = e.cluster;
        p.progressAt = e.time;
        this.cluster(e.cluster);
        break;
      case 'head_elected':
        this.noteHead(e.cluster, e.head, e.term, e.time, true, e.failoverMs);
        break;
      case 'round_opened':
        // Only the head's own report counts: it is the head's claim, not hearsay.
        if (e.peer === e.head) this.noteHead(e.cluster, e.head, e.term, e.time, false, undefined);
        break;
      case 'lease_expired': {
        const c = this.cluster(e.cluster);
        const k = key(e.head, e.term);
        const x = c.expired.get(k);
        c.expired.set(k, {
          first: Math.min(x?.first ?? e.time, e.time),
          last: Math.max(x?.last ?? e.time, e.time),
        });
        break;
      }
      case 'evaluation': {
        p.acc = e.accAfter;
        const c = this.cluster(e.cluster);
        let m = c.evals.get(e.peer);
        if (m === undefined) c.evals.set(e.peer, (m = new Map()));
        m.set(e.round, e.accAfter);
        break;
      }
      case 'traffic': {
        let t = this.traffic.get(e.round);
        if (t === undefined)
          this.traffic.set(e.round, (t = { sent: 0, received: 0, byCluster: new Map(), peers: new Set() }));
        t.sent += e.roundBytesSent;
        t.received += e.roundBytesReceived;
        t.byCluster.set(e.cluster, (t.byCluster.get(e.cluster) ?? 0) + e.roundBytesSent);
        t.peers.add(e.peer);
        this.noteModelBytes(e.modelBytes, e.time);
        break;
      }
      case 'cluster_model_published':
        this.noteModelBytes(e.bytes, e.time);
        break;
      case 'rounds_completed':
        p.finished = true;
        break;
      case 'message_rejected':
        this.reject(e.event, e.reason, e.topic ?? e.protocol ?? '', e.from, e.time);
        break;
      default:
        break;
    }
  }

  /** The peer's record, created on first sight. */
  peer(id: string, time = 0): PeerRecord {
    let p = this.peers.get(id);
    if (p === undefined) {
      p = {
        id,
        folder: null,
        backend: null,
        firstSeen: time,
        lastSeen: time,
        stopped: false,
        stoppedAt: null,
        finished: false,
        cluster: null,
        round: -1,
        acc: null,
        epsilon: null,
        waitingAt: -Infinity,
        progressAt: -Infinity,
        conns: new Map(),
        view: null,
        everSaw: new Set(),
      };
      this.peers.set(id, p);
    }
    return p;
  }

  /** The cluster's record, created on first sight. */
  cluster(id: string): ClusterRecord {
    let c = this.clusters.get(id);
    if (c === undefined) {
      c = { id, heads: new Map(), expired: new Map(), evals: new Map() };
      this.clusters.set(id, c);
    }
    return c;
  }

  // The latest by time (the largest on ties), so that the order peers' files are read in does not matter.
  private noteModelBytes(bytes: number, time: number): void {
    if (time > this.modelBytesAt || (time === this.modelBytesAt && bytes > (this.modelBytes ?? -1))) {
      this.modelBytes = bytes;
      this.modelBytesAt = time;
    }
  }

  private noteHead(
    cluster: string,
    head: string,
    term: number,
    time: number,
    elected: boolean,
    failoverMs: number | undefined,
  ): void {
    const c = this.cluster(cluster);
    const k = key(head, term);
    let r = c.heads.get(k);
    if (r === undefined)
      c.heads.set(k, (r = { head, term, firstAt: time, lastAt: time, elected, failoverMs: [] }));
    r.firstAt = Math.min(r.firstAt, time);
    r.lastAt = Math.max(r.lastAt, time);
    r.elected ||= elected;
    if (failoverMs !== undefined) r.failoverMs.push(failoverMs);
  }

  private reject(
    kind: string,
    reason: string,
    channel: string,
    from: string | undefined,
    time: number,
  ): void {
    const k = `${kind}\0${reason}\0${channel}`;
    let r = this.rejections.get(k);
    if (r === undefined)
      this.rejections.set(k, (r = { kind, reason, channel, count: 0, senders: new Set(), lastAt: time }));
    r.count++;
    if (from !== undefined) r.senders.add(from);
    r.lastAt = Math.max(r.lastAt, time);
  }

  private applyUnknown(p: PeerRecord, name: string, time: number, f: Record<string, unknown>): void {
    if (name === 'waiting') p.waitingAt = time;
    else if (/_(rejected|discarded)$/.test(name)) {
      const channel = str(f.topic) ?? str(f.protocol) ?? str(f.cluster) ?? '';
      this.reject(name, str(f.reason) ?? 'unspecified', channel, str(f.from), time);
    }
  }
}
