// Turns merged peer logs into the inspect report: membership timeline, clusters, peers.
// Pure (no I/O) so that it is unit-testable on hand-written events.
import type { LoggedEvent } from '../log/events.js';
import { findHeadConflicts, type HeadConflict } from './head-conflicts.js';
import type { AnyLoggedEvent } from './read-logs.js';

export type { HeadConflict } from './head-conflicts.js';

export interface ClusterRow {
  id: string;
  members: string[];
  head: string | null;
  term: number;
  /** Last round seen for this cluster (-1 when none). */
  round: number;
  /** Mean of the members' latest personalised accuracy (evaluation.accAfter), null when none. */
  meanAcc: number | null;
}

export interface PeerRow {
  id: string;
  cluster: string | null;
  role: 'head' | 'member' | null;
  /** Last round this peer took part in (-1 when none). */
  round: number;
  /** Latest personalised accuracy (evaluation.accAfter), null when none. */
  acc: number | null;
  /** True when the peer logged peer_stopped after its last peer_started. */
  stopped: boolean;
  /** The round it was started to reach (`--rounds`), null when it ran until stopped. */
  target: number | null;
  /** Stopped before its target round: it never finished its run. */
  stoppedEarly: boolean;
  /** Why it stopped (peer_stopped.reason), null while running. */
  stopReason: string | null;
  /** Differential privacy: the epsilon this peer reported spending (present only with --dp-*). */
  epsilon?: number;
}

export interface TimelineEntry {
  time: number;
  peer: string;
  event: string;
  [field: string]: unknown;
}

export interface InspectReport {
  clusters: ClusterRow[];
  peers: PeerRow[];
  timeline: TimelineEntry[];
  /** Clusters that had two acting heads in one term (a split network or a bug). */
  headConflicts: HeadConflict[];
}

interface PeerState {
  cluster: string | null;
  round: number;
  acc: number | null;
  stopped: boolean;
  target: number | null;
  completed: boolean;
  stopReason: string | null;
  epsilon?: number;
}

interface ClusterState {
  members: string[];
  assignedAt: number;
  head: string | null;
  term: number;
  round: number;
}

const known = (e: AnyLoggedEvent): e is LoggedEvent => !('unknown' in e);

/** Summarises time-ordered events from all peers into clusters, peers and a membership timeline. */
export function summariseLogs(events: readonly AnyLoggedEvent[]): InspectReport {
  const peers = new Map<string, PeerState>();
  const clusters = new Map<string, ClusterState>();
  const timeline: TimelineEntry[] = [];
  const seenHeads = new Set<string>();
  const seenLeases = new Set<string>();

  const peerState = (id: string): PeerState => {
    let s = peers.get(id);
    if (s === undefined) {
      s = {
        cluster: null,
        round: -1,
        acc: null,
        stopped: false,
        target: null,
        completed: false,
        stopReason: null,
      };
      peers.set(id, s);
    }
    return s;
  };
  const clusterState = (id: string): ClusterState => {
    let c = clusters.get(id);
    if (c === undefined) {
      c = { members: [], assignedAt: -Infinity, head: null, term: 0, round: -1 };
      clusters.set(id, c);
    }
    return c;
  };
  const noteRound = (p: PeerState, c: ClusterState | undefined, round: number): void => {
    p.round = Math.max(p.round, round);
    if (c !== undefined) c.round = Math.max(c.round, round);
  };
  // A higher term always wins; at equal term the later report wins.
  const noteHead = (c: ClusterState, head: string, term: number): boolean => {
    if (term < c.term || (term === c.term && head === c.head)) return false;
    c.head = head;
    c.term = term;
    return true;
  };

  for (const e of events) {
    if (!known(e)) continue;
    const { level: _level, ...fields } = e;
    const p = peerState(e.peer);
    switch (e.event) {
      case 'peer_started':
        // A restarted peer re-joins: its next assignment shows in the timeline again.
        p.stopped = false;
        p.cluster = null;
        p.target = e.rounds ?? null;
        p.completed = false;
        p.stopReason = null;
        timeline.push(fields);
        break;
      case 'peer_stopped':
        p.stopped = true;
        p.stopReason = e.reason;
        timeline.push(fields);
        break;
      case 'cluster_assigned': {
        const c = clusterState(e.cluster);
        if (e.time >= c.assignedAt) {
          c.members = [...e.members].sort();
          c.assignedAt = e.time;
        }
        if (c.head === null) c.head = e.head;
        if (p.cluster !== e.cluster) {
          timeline.push({ ...fields, previous: p.cluster });
          p.cluster = e.cluster;
        }
        break;
      }
      case 'head_elected': {
        noteHead(clusterState(e.cluster), e.head, e.term);
        // Every member logs the election: show it once per (cluster, head, term).
        const key = `${e.cluster}\0${e.head}\0${e.term}`;
        if (!seenHeads.has(key)) {
          seenHeads.add(key);
          timeline.push(fields);
        }
        break;
      }
      case 'lease_expired': {
        const key = `${e.cluster}\0${e.head}\0${e.term}`;
        if (!seenLeases.has(key)) {
          seenLeases.add(key);
          timeline.push(fields);
        }
        break;
      }
      case 'round_opened': {
        const c = clusterState(e.cluster);
        noteHead(c, e.head, e.term);
        noteRound(p, c, e.round);
        break;
      }
      case 'round_closed':
      case 'cluster_model_published':
      case 'rounds_completed':
        noteRound(p, clusterState(e.cluster), e.round);
        if (e.event === 'rounds_completed') {
          p.completed = true;
          timeline.push(fields);
        }
        break;
      case 'evaluation':
        noteRound(p, clusterState(e.cluster), e.round);
        p.acc = e.accAfter;
        if (e.epsilon !== undefined) p.epsilon = Math.max(p.epsilon ?? 0, e.epsilon);
        break;
      case 'dp_release':
        // Epsilon only grows: the largest reported is the spent budget.
        if (e.epsilon !== undefined) p.epsilon = Math.max(p.epsilon ?? 0, e.epsilon);
        break;
      default:
        break;
    }
  }

  const clusterRows: ClusterRow[] = [];
  for (const [id, c] of [...clusters].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    // A member listed by an older assignment that has since moved elsewhere is not a member.
    const members = c.members.filter((m) => {
      const s = peers.get(m);
      return s === undefined || s.cluster === null || s.cluster === id;
    });
    if (members.length === 0) continue;
    const accs = members.map((m) => peers.get(m)?.acc).filter((a): a is number => typeof a === 'number');
    clusterRows.push({
      id,
      members,
      head: c.head,
      term: c.term,
      round: c.round,
      meanAcc: accs.length > 0 ? accs.reduce((a, b) => a + b, 0) / accs.length : null,
    });
  }
  const headOf = new Map(clusterRows.map((c) => [c.id, c.head]));
  // A peer whose own assignment is missing from the logs takes the cluster that lists it.
  for (const c of clusterRows) {
    for (const m of c.members) {
      const s = peers.get(m);
      if (s !== undefined && s.cluster === null) s.cluster = c.id;
    }
  }
  const peerRows: PeerRow[] = [...peers]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, s]) => ({
      id,
      cluster: s.cluster,
      role: s.cluster === null ? null : headOf.get(s.cluster) === id ? 'head' : 'member',
      round: s.round,
      acc: s.acc,
      stopped: s.stopped,
      target: s.target,
      stoppedEarly: s.stopped && s.target !== null && !s.completed && s.round < s.target,
      stopReason: s.stopReason,
      ...(s.epsilon !== undefined ? { epsilon: s.epsilon } : {}),
    }));
  return { clusters: clusterRows, peers: peerRows, timeline, headConflicts: findHeadConflicts(events) };
}
