// View -> clusters with ids every peer computes identically from the same view.
import { clusterFingerprints, type ClusterOptions, type Fingerprint } from '@ppfm/meta/light';
import { clusterIdForRank, orderClusters, type OrderableFingerprint } from './cluster-id.js';

/** One cluster: its id (topic-safe, `c<rank>`) and its members, sorted. */
export interface Cluster {
  id: string;
  members: string[];
}

/** The clustering of a view. `clusters` is in canonical (id) order; `byPeer` maps peer id -> cluster id. */
export interface ClusterMap {
  clusters: Cluster[];
  byPeer: Map<string, string>;
  /** Whether the fingerprints separated the tasks (false: refine by loss, IFCA). */
  separated: boolean;
}

/** The clustering algorithm: meta's `clusterFingerprints` (items sorted by id, previous = peer -> cluster index). */
export type ClusterFn<F> = (
  items: { id: string; fp: F }[],
  opts?: { previous?: Map<string, number> },
) => { assignment: Map<string, number>; k: number; separated: boolean };

export interface ComputeClustersOptions {
  /**
   * The previous map, handed to the algorithm as hysteresis (peer -> index of its previous
   * cluster). It never influences the ids, only which partition the algorithm picks. Note that
   * it makes the partition depend on history: meta keeps the previous partition only while it
   * is still valid and not clearly worse, so a peer without it normally agrees, but not always.
   */
  previous?: ClusterMap;
  /** Tuning of meta's clusterFingerprints (every peer must use the same). */
  options?: Omit<ClusterOptions, 'previous'>;
}

/** Cluster the view's items (`view.items()`) with meta's clusterFingerprints; ids follow `orderClusters`. */
export function computeClusters(
  items: readonly { id: string; fp: Fingerprint }[],
  opts: ComputeClustersOptions = {},
): ClusterMap {
  const options = opts.options ?? {};
  const algo: ClusterFn<Fingerprint> = (xs, o) => clusterFingerprints(xs, { ...options, ...o });
  return computeClustersWith(algo, items, opts.previous);
}

/** As computeClusters, with any clustering algorithm (tests, alternative algorithms). */
export function computeClustersWith<F extends OrderableFingerprint>(
  cluster: ClusterFn<F>,
  items: readonly { id: string; fp: F }[],
  previousMap?: ClusterMap,
): ClusterMap {
  const sorted = [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]?.id === sorted[i - 1]?.id) throw new RangeError(`duplicate peer id ${sorted[i]?.id}`);
  }
  if (sorted.length === 0) return { clusters: [], byPeer: new Map(), separated: false };

  const previous = previousMap === undefined ? undefined : previousIndices(previousMap);
  const result = cluster(sorted, previous === undefined ? {} : { previous });

  // Group by the algorithm's label; its label numbering is irrelevant, only the partition counts.
  const groups = new Map<number, { id: string; fp: F }[]>();
  for (const item of sorted) {
    const label = result.assignment.get(item.id);
    if (label === undefined) throw new Error(`clustering left peer ${item.id} unassigned`);
    const g = groups.get(label);
    if (g === undefined) groups.set(label, [item]);
    else g.push(item);
  }

  const clusters: Cluster[] = orderClusters([...groups.values()]).map((members, rank) => ({
    id: clusterIdForRank(rank),
    members: members.map((m) => m.id),
  }));
  const byPeer = new Map<string, string>();
  for (const c of clusters) for (const m of c.members) byPeer.set(m, c.id);
  return { clusters, byPeer, separated: result.separated };
}

/** The cluster of `peerId` (id and members), if assigned. */
export function clusterOf(map: ClusterMap, peerId: string): Cluster | undefined {
  const id = map.byPeer.get(peerId);
  return id === undefined ? undefined : map.clusters.find((c) => c.id === id);
}

/** Whether two maps are the same partition with the same ids (decides `cluster_assigned` logging). */
export function sameClusterMap(a: ClusterMap, b: ClusterMap): boolean {
  if (a.clusters.length !== b.clusters.length) return false;
  return a.clusters.every((c, i) => {
    const d = b.clusters[i];
    return d !== undefined && d.id === c.id && d.members.join('\n') === c.members.join('\n');
  });
}

/** Peer -> index of its cluster in `map.clusters`: the `previous` shape the algorithm expects. */
export function previousIndices(map: ClusterMap): Map<string, number> {
  const out = new Map<string, number>();
  map.clusters.forEach((c, i) => {
    for (const m of c.members) out.set(m, i);
  });
  return out;
}

/**
 * One cluster per task (input shape and number of classes), whatever the data statistics: zero-shot
 * mode, where peers' label spaces (and so their fingerprints) differ by design and the generator must
 * see every peer's classes. Marked separated, so no loss-based refinement follows.
 */
export function computeTaskClusters(items: readonly { id: string; fp: Fingerprint }[]): ClusterMap {
  const byTask: ClusterFn<Fingerprint> = (xs) => {
    const keys = new Map<string, number>();
    const assignment = new Map<string, number>();
    for (const x of xs) {
      const key = `${x.fp.inputShape.join('x')}/${x.fp.numClasses}`;
      if (!keys.has(key)) keys.set(key, keys.size);
      assignment.set(x.id, keys.get(key) as number);
    }
    return { assignment, k: keys.size, separated: true };
  };
  return computeClustersWith(byTask, items);
}
