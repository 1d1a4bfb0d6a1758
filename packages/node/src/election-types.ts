// The election's vocabulary: leases, members, states and outputs, the term bounds, and the
// deterministic candidate order (the planner ranks with it too). Pure data and pure functions.
/** The head's lease, published every leaseInterval on the cluster. `expiry` is informational (head's clock). */
export interface HeadLease {
  cluster: string;
  head: string;
  term: number;
  round: number;
  expiry: number;
}

/** A live member of the cluster as the election sees it. */
export interface ElectionMember {
  id: string;
  capacity: number;
}

/**
 * follower: following `head` (absent: none known and self is not a member) until leaseExpiresAt.
 * candidate: no head known; self claims the headship at `electAt` unless a lease arrives first.
 * head: self leads since `since`.
 */
export type ElectionState =
  | { role: 'follower'; head?: string; term: number; leaseExpiresAt?: number }
  | { role: 'candidate'; term: number; electAt: number }
  | { role: 'head'; term: number; since: number };

/**
 * What the peer must do / log. `electionMs`: time from this peer noticing the lease expiry to the
 * new head; `failoverMs`: time from the last lease received from the dead head to the new head.
 */
export type ElectionOutput =
  | { kind: 'became_head'; cluster: string; term: number; electionMs?: number; failoverMs?: number }
  | { kind: 'stepped_down'; cluster: string; newHead: string; term: number }
  | {
      kind: 'head_changed';
      cluster: string;
      head: string;
      term: number;
      electionMs?: number;
      failoverMs?: number;
    }
  | { kind: 'lease_expired'; cluster: string; head: string; term: number; reason: 'expired' | 'left_cluster' }
  | { kind: 'publish_lease'; lease: HeadLease };

export interface ElectionOptions {
  selfId: string;
  cluster: string;
  /** How often the head publishes its lease. */
  leaseIntervalMs: number;
  /** A lease not renewed for this long expires (must exceed leaseIntervalMs; 3x is a good choice). */
  leaseTtlMs: number;
  now: number;
  /** Highest term known so far (e.g. restored from a checkpoint). Default 0. */
  term?: number;
  /** Listen this long after start before claiming, so an existing head is heard first. Default leaseTtlMs. */
  listenMs?: number;
  /**
   * Whether a member takes part in this cluster at all (e.g. its heartbeats name the cluster):
   * candidates that never show up are not waited for. Default: every member. Self always does.
   */
  eligible?: (id: string) => boolean;
}

/** Why a peer may not lead this cluster in the receiver's eyes (the message is then ignored). */
export type AuthorityRefusal = 'not_member' | 'banned' | 'bad_term' | 'not_candidate';

/** Terms a challenger may skip ahead of the highest term we know while we follow a valid head. */
export const MAX_TERM_STEP = 16;
/** The largest term a peer ever claims or accepts (the wire's uint32, halved for headroom). */
export const MAX_TERM = 0x7fffffff;

/** Orders candidates: higher capacity first, then smaller peer id. */
export function compareCandidates(a: ElectionMember, b: ElectionMember): number {
  if (a.capacity !== b.capacity) return b.capacity > a.capacity ? 1 : -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The deterministic candidate among `members`: best capacity, smallest peer id on ties. */
export function electCandidate(members: readonly ElectionMember[]): string | undefined {
  return [...members].sort(compareCandidates)[0]?.id;
}
