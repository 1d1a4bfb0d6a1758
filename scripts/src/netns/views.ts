/**
 * What each peer believes, folded from its own log lines in order: its cluster and members (the last
 * cluster_assigned), the head it follows and that head's term (head_elected, dropped on a
 * lease_expired of that head or on a move to another cluster id). Pure: the partition checks and
 * the waits of the netns scenario read it.
 */
import type { PeerEvent } from '../testnet/events.js';

/** One peer's belief at a point of its log. */
export interface PeerBelief {
  cluster?: string;
  members: string[];
  head?: string;
  term: number;
  /** Log time of the last event that changed this belief. */
  at: number;
}

/** Applies one event of `e.peer`'s own log to its belief (returns a new object when it changed). */
export function advanceBelief(b: PeerBelief, e: PeerEvent): PeerBelief {
  switch (e.event) {
    case 'cluster_assigned':
      if (e.cluster === b.cluster) return { ...b, members: [...e.members].sort(), at: e.time };
      return { cluster: e.cluster, members: [...e.members].sort(), term: 0, at: e.time };
    case 'head_elected':
      if (e.cluster !== b.cluster) return b;
      return { ...b, head: e.head, term: e.term, at: e.time };
    case 'lease_expired':
      if (e.cluster !== b.cluster || e.head !== b.head) return b;
      return { cluster: b.cluster, members: b.members, term: b.term, at: e.time };
    default:
      return b;
  }
}

/** Every peer's current belief, from all events read so far (each peer's lines are in its own order). */
export function beliefs(events: readonly PeerEvent[]): Map<string, PeerBelief> {
  const out = new Map<string, PeerBelief>();
  for (const e of events) {
    if (e.peer === '') continue;
    const b = out.get(e.peer) ?? { members: [], term: 0, at: e.time };
    out.set(e.peer, advanceBelief(b, e));
  }
  return out;
}

/**
 * Whether the given groups of peers each agree on one cluster: every member's cluster id and member
 * list are the same and equal to the group, and all follow the same head at the same term, that
 * head being one of them (with exactMembers false, member lists need only contain the group). Returns the (cluster, head, term) per group, or undefined.
 */
export function agreedClusters(
  bs: ReadonlyMap<string, PeerBelief>,
  groups: readonly (readonly string[])[],
  /** false: the member lists may still hold peers beyond the group (views not yet expired). */
  exactMembers = true,
): { cluster: string; head: string; term: number; members: string[] }[] | undefined {
  const out: { cluster: string; head: string; term: number; members: string[] }[] = [];
  for (const g of groups) {
    const want = [...g].sort().join(',');
    const first = bs.get(g[0] as string);
    if (first?.cluster === undefined || first.head === undefined || !g.includes(first.head)) return undefined;
    for (const id of g) {
      const b = bs.get(id);
      if (
        b === undefined ||
        b.cluster !== first.cluster ||
        (exactMembers ? b.members.join(',') !== want : !g.every((m) => b.members.includes(m))) ||
        b.head !== first.head ||
        b.term !== first.term
      )
        return undefined;
    }
    out.push({ cluster: first.cluster, head: first.head, term: first.term, members: [...g].sort() });
  }
  return out;
}
