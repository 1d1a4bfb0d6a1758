/**
 * The clusters a run ended with, from the peers' own cluster_assigned events. Each surviving peer's
 * assignment is taken just before the first peer stopped (after that, departures shrink everybody's
 * view and the remaining peers re-cluster among themselves); peers listed as members of each other's
 * cluster are joined (union-find over surviving members), so a late joiner that lists its cluster is
 * counted with it even if the others finished before they saw it.
 */
import type { PeerState } from './state.js';

/** One final cluster: its peers and the cluster id most of them used. */
export interface FinalCluster {
  id: string;
  peers: PeerState[];
}

/**
 * Whether an assignment is a start-up singleton: the peer alone (members <= 1) after a (re)start,
 * before its view brought it any cluster. A restarted peer logs one while it looks for peers; it
 * says where the peer was booting, not which cluster its data belongs to.
 */
export function startUpSingleton(p: PeerState, a: PeerState['assignments'][number]): boolean {
  if (a.members.length > 1) return false;
  const start = p.starts.filter((s) => s <= a.time).at(-1);
  if (start === undefined) return false;
  return !p.assignments.some((b) => b.time >= start && b.time < a.time && b.members.length > 1);
}

/**
 * The assignment a peer held at `t` (its first one if it had none yet; its last if `t` is
 * undefined), skipping start-up singletons unless the peer never had anything else.
 */
export function assignmentAt(
  p: PeerState,
  t: number | undefined,
): PeerState['assignments'][number] | undefined {
  const real = p.assignments.filter((a) => !startUpSingleton(p, a));
  const list = real.length > 0 ? real : p.assignments;
  if (t === undefined) return list[list.length - 1];
  let found = list[0];
  for (const a of list) if (a.time <= t) found = a;
  return found;
}

/** Groups the survivors into their final clusters; unassigned peers are left out. */
export function finalClusters(survivors: PeerState[], asOf: number | undefined): FinalCluster[] {
  const parent = new Map<string, string>(survivors.map((p) => [p.id, p.id]));
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r) as string;
    parent.set(x, r);
    return r;
  };
  const assigned = new Map<string, string>();
  for (const p of survivors) {
    const a = assignmentAt(p, asOf);
    if (!a) continue;
    assigned.set(p.id, a.cluster);
    for (const m of a.members) if (parent.has(m)) parent.set(find(m), find(p.id));
  }
  const groups = new Map<string, PeerState[]>();
  for (const p of survivors) {
    if (!assigned.has(p.id)) continue;
    const r = find(p.id);
    groups.set(r, [...(groups.get(r) ?? []), p]);
  }
  const out: FinalCluster[] = [];
  for (const peers of groups.values()) {
    const votes = new Map<string, number>();
    for (const p of peers)
      votes.set(assigned.get(p.id) as string, (votes.get(assigned.get(p.id) as string) ?? 0) + 1);
    const id = [...votes.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? '?';
    out.push({ id, peers });
  }
  out.sort((a, b) => a.id.localeCompare(b.id) || (a.peers[0]?.index ?? 0) - (b.peers[0]?.index ?? 0));
  // Two different clusters may carry the same local id (e.g. isolated singletons all call theirs c0).
  const seen = new Map<string, number>();
  for (const c of out) {
    const n = (seen.get(c.id) ?? 0) + 1;
    seen.set(c.id, n);
    if (n > 1) c.id = `${c.id}#${n}`;
  }
  return out;
}
