// The dashboard's page model: everything the page draws, as plain JSON. The fold (fold.ts)
// builds it from the peers' log events; the page sources import these types only, so this
// module must stay free of imports.

/** What a peer is doing, as far as its log and the others' logs tell. */
export type PeerActivity =
  | 'waiting' // logged `waiting` (holding its first round for peers or a bootstrap)
  | 'clustering' // started, no cluster yet
  | 'training' // in a cluster
  | 'finished' // reached --rounds
  | 'stopped' // logged peer_stopped before finishing
  | 'departed'; // vanished without a word (killed): every peer that saw it has dropped it

/** The state of a cluster's head: `gone` once the head stopped or departed. */
export type HeadState = 'live' | 'expired' | 'gone' | 'none';

export interface PeerView {
  id: string;
  /** The partition folder (`peer-07`) when the data path names one, else `…` + the id's last 8 characters. */
  name: string;
  cluster: string | null;
  role: 'head' | 'member' | null;
  /** The round of the peer's latest round event in its cluster (-1 when none). */
  round: number;
  /** Latest personalised accuracy (evaluation.accAfter). */
  acc: number | null;
  state: PeerActivity;
  /** Time (ms epoch) of the peer's last own log line. */
  lastSeen: number;
  /** True group from truth.json, when known. */
  truth: number | null;
  /** Latest privacy budget spent, when the peer logs an `epsilon` field. */
  epsilon: number | null;
  backend: string | null;
}

/** One peer's personalised accuracy per round within one cluster: [round, acc] pairs. */
export interface SeriesView {
  peer: string;
  name: string;
  /** The peer is no longer a live member of this cluster (drawn faint). */
  gone: boolean;
  points: [number, number][];
}

export interface ClusterView {
  id: string;
  /** Live members (sorted ids); stopped and departed peers are left out. */
  members: string[];
  head: string | null;
  headState: HeadState;
  term: number;
  round: number;
  /** Mean of the members' latest personalised accuracy. */
  meanAcc: number | null;
  series: SeriesView[];
  /** Mean accuracy per round over the peers that evaluated that round. */
  mean: [number, number][];
}

/** Payload bytes of one round summed over the peers that logged a `traffic` event for it. */
export interface TrafficView {
  round: number;
  sent: number;
  received: number;
  /** Bytes sent per cluster. */
  byCluster: Record<string, number>;
  peers: number;
}

/** Rejected or discarded messages, grouped by event kind, reason and channel. */
export interface RejectionView {
  kind: string;
  reason: string;
  /** Gossip topic or protocol id ('' when the event names neither). */
  channel: string;
  count: number;
  /** Distinct senders named by the events. */
  senders: number;
  lastAt: number;
}

export type TimelineKind = 'elected' | 'lease_expired' | 'departed' | 'stopped';

export interface TimelineItem {
  time: number;
  kind: TimelineKind;
  peer: string;
  cluster: string | null;
  term: number | null;
  /** For an election after a failure: median failoverMs over the members that reported it. */
  failoverMs: number | null;
}

export interface DashboardView {
  version: 1;
  title: string;
  /** When this view was built (ms epoch): the reference for "last seen". */
  now: number;
  firstAt: number | null;
  lastAt: number | null;
  events: number;
  /** Corrupt lines skipped. */
  skipped: number;
  peers: PeerView[];
  /** Open connections between peers that are still there (sorted id pairs). */
  edges: [string, string][];
  clusters: ClusterView[];
  traffic: TrafficView[];
  rejections: RejectionView[];
  timeline: TimelineItem[];
  /** Truth groups when a truth.json is known; `matches`: live clusters equal the groups (null: too few peers). */
  truth: { groups: number; matches: boolean | null } | null;
  /** Local-only baseline accuracy (mean over peers) when known. */
  baseline: number | null;
  modelBytes: number | null;
}
