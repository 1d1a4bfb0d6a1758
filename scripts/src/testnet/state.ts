/**
 * Folds the peers' log events into the testnet's picture of the network: per peer (cluster, round,
 * accuracy, finished) and per cluster (head, term, round). Pure: no I/O, fed by the log follower.
 */
import { assignmentAt } from './clusters.js';
import type { PeerEvent } from './events.js';

/** What the testnet knows about one peer process. */
export interface PeerState {
  id: string;
  /** Index of the peer's partition (peer-XX), from peer_started.dataPath. */
  index?: number;
  addrs: string[];
  backend?: string;
  startedAt?: number;
  /** Every peer_started time of this peer (more than one when it was restarted), oldest first. */
  starts: number[];
  cluster?: string;
  members: string[];
  /** Every cluster assignment the peer logged, oldest first. */
  assignments: { time: number; cluster: string; members: string[] }[];
  /** Highest round this peer saw opened or evaluated. */
  round: number;
  /** Personalised accuracy after adaptation at the last evaluation. */
  acc?: number;
  /** Accuracy before adaptation at the first evaluation (the round-0 model). */
  firstAccBefore?: number;
  evaluations: number;
  finished: boolean;
  finishedAt?: number;
  stopped: boolean;
  stoppedAt?: number;
  /** Cumulative bytes this peer reports having sent (a `traffic` event), when the peer logs it. */
  bytesSent?: number;
  /** CPU seconds of this peer's processes, summed over its clean stops (a killed one logs none). */
  cpuSeconds?: number;
  /** Sum of update bytes that heads logged as received from this peer. */
  updateBytesSent: number;
  /** Differential privacy: the largest epsilon this peer reported, and its delta. */
  epsilon?: number;
  delta?: number;
}

/** What the testnet knows about one cluster. */
export interface ClusterState {
  id: string;
  head?: string;
  term: number;
  round: number;
  roundOpenedAt?: number;
  modelBytes?: number;
  published: number;
  /** Rounds aggregated securely (--secure-agg) and members dropped from them in all. */
  secureRounds: number;
  secureDropped: number;
}

/** A head_elected event, kept for failover measurement. */
export interface Election {
  time: number;
  cluster: string;
  head: string;
  term: number;
  by: string;
  electionMs?: number;
}

/** Extracts the partition index from a data path ending in `peer-XX` (or `peer-XX/...`). */
export function peerIndexFromPath(path: string): number | undefined {
  const m = /peer-(\d+)(?:[/\\][^/\\]*)?[/\\]?$/.exec(path);
  return m ? Number(m[1]) : undefined;
}

/**
 * Identity of the cluster a peer believes it is in: its cluster id plus its member set (restricted
 * to `alive` when given). Ids alone are local names (two isolated singletons may both call theirs
 * `c0`); peers that really share a cluster agree on both. With `asOf`, the assignment the peer held
 * at that time (peers that finished leave the others' views, which then shrink: the clusters that
 * count are those before anybody left).
 */
export function clusterKey(p: PeerState, alive?: ReadonlySet<string>, asOf?: number): string | undefined {
  let cluster = p.cluster;
  let members = p.members;
  if (asOf !== undefined) {
    const a = assignmentAt(p, asOf);
    cluster = a?.cluster;
    members = a?.members ?? [];
  }
  if (cluster === undefined) return undefined;
  const list = (members.length > 0 ? members : [p.id]).filter((m) => !alive || alive.has(m));
  return `${cluster}|${[...list].sort().join(',')}`;
}

/** Display names for cluster keys: the cluster id, with #2, #3... when different clusters share an id. */
export function clusterNames(keys: Iterable<string>): Map<string, string> {
  const sorted = [...new Set(keys)].sort();
  const seen = new Map<string, number>();
  const out = new Map<string, string>();
  for (const k of sorted) {
    const id = k.slice(0, k.indexOf('|'));
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    out.set(k, n === 1 ? id : `${id}#${n}`);
  }
  return out;
}

/** The testnet's running view of the network, updated one event at a time. */
export class NetworkState {
  readonly peers = new Map<string, PeerState>();
  readonly clusters = new Map<string, ClusterState>();
  readonly elections: Election[] = [];
  events = 0;
  firstEventAt?: number;
  lastEventAt?: number;

  /** The peer's state, created on first sight. */
  peer(id: string): PeerState {
    let p = this.peers.get(id);
    if (!p) {
      p = {
        id,
        addrs: [],
        starts: [],
        members: [],
        assignments: [],
        round: 0,
        evaluations: 0,
        finished: false,
        stopped: false,
        updateBytesSent: 0,
      };
      this.peers.set(id, p);
    }
    return p;
  }

  /** The cluster's state, created on first sight. */
  cluster(id: string): ClusterState {
    let c = this.clusters.get(id);
    if (!c) {
      c = { id, term: 0, round: 0, published: 0, secureRounds: 0, secureDropped: 0 };
      this.clusters.set(id, c);
    }
    return c;
  }

  /** Applies one event. */
  apply(e: PeerEvent): void {
    this.events++;
    this.firstEventAt ??= e.time;
    this.lastEventAt = e.time;
    if (e.peer === '') return;
    const p = this.peer(e.peer);
    switch (e.event) {
      case 'peer_started': {
        p.addrs = e.addrs;
        p.startedAt = e.time;
        p.starts.push(e.time);
        p.starts.sort((a, b) => a - b);
        if (e.backend !== undefined) p.backend = e.backend;
        const idx = e.dataPath !== undefined ? peerIndexFromPath(e.dataPath) : undefined;
        if (idx !== undefined) p.index = idx;
        break;
      }
      case 'cluster_assigned': {
        p.cluster = e.cluster;
        p.members = e.members;
        p.assignments.push({ time: e.time, cluster: e.cluster, members: e.members });
        const c = this.cluster(e.cluster);
        if (e.head !== undefined && c.head === undefined) c.head = e.head;
        break;
      }
      case 'head_elected': {
        this.elections.push({
          time: e.time,
          cluster: e.cluster,
          head: e.head,
          term: e.term,
          by: e.peer,
          ...(e.electionMs !== undefined ? { electionMs: e.electionMs } : {}),
        });
        const c = this.cluster(e.cluster);
        if (e.term >= c.term) {
          c.term = e.term;
          c.head = e.head;
        }
        break;
      }
      case 'round_opened': {
        const c = this.cluster(e.cluster);
        if (e.round > c.round) {
          c.round = e.round;
          c.roundOpenedAt = e.time;
        }
        if (e.term >= c.term && e.head !== '') {
          c.term = e.term;
          c.head = e.head;
        }
        if (p.cluster === e.cluster || p.cluster === undefined) p.round = Math.max(p.round, e.round);
        break;
      }
      case 'update_received':
        if (e.bytes !== undefined && e.from !== '') this.peer(e.from).updateBytesSent += e.bytes;
        break;
      case 'cluster_model_published': {
        const c = this.cluster(e.cluster);
        c.modelBytes = e.bytes;
        c.published++;
        break;
      }
      case 'evaluation':
        if (p.evaluations === 0 && e.accBefore !== undefined) p.firstAccBefore = e.accBefore;
        p.evaluations++;
        p.acc = e.accAfter;
        p.round = Math.max(p.round, e.round);
        if (e.epsilon !== undefined) p.epsilon = Math.max(p.epsilon ?? 0, e.epsilon);
        break;
      case 'dp_release':
        if (e.epsilon !== undefined) p.epsilon = Math.max(p.epsilon ?? 0, e.epsilon);
        p.delta = e.delta;
        break;
      case 'secagg_aggregated': {
        const c = this.cluster(e.cluster);
        c.secureRounds++;
        c.secureDropped += e.dropped;
        break;
      }
      case 'rounds_completed':
        p.finished = true;
        p.finishedAt = e.time;
        p.round = Math.max(p.round, e.round);
        break;
      case 'traffic':
        p.bytesSent = Math.max(p.bytesSent ?? 0, e.bytesSent);
        break;
      case 'peer_stopped':
        p.stopped = true;
        p.stoppedAt = e.time;
        if (e.processCpuSeconds !== undefined) p.cpuSeconds = (p.cpuSeconds ?? 0) + e.processCpuSeconds;
        break;
      default:
        break;
    }
  }

  /** The peer whose partition index is `index`, if it has started. */
  byIndex(index: number): PeerState | undefined {
    for (const p of this.peers.values()) if (p.index === index) return p;
    return undefined;
  }

  /** Head elections logged after time `t` by one of `members` naming another member (not `exclude`) as head. */
  electionsAfter(t: number, members: readonly string[], exclude?: string): Election[] {
    const set = new Set(members);
    return this.elections.filter(
      (el) => el.time >= t && el.head !== exclude && set.has(el.by) && set.has(el.head),
    );
  }
}
