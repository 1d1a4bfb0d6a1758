// Which other clusters teach a cluster the classes it lacks (FedZDA teachers), from label counts
// alone: no tfjs, so a networked peer's main thread picks teachers from the gossiped fingerprints.

/** The simulator's snapLow (ZDA_SIM_DEFAULTS) and the peer's --augment-snap default: see docs/fedzda.md. */
export const ZDA_SNAP_LOW = 0.3;

/** Largest snapLow a peer accepts: above half the range, snapping would erase the samples themselves. */
export const MAX_SNAP_LOW = 0.5;

/**
 * Which cluster's model should synthesise each class for cluster `own`: its own model when the class
 * makes at least `threshold` of the cluster's samples, else the cluster where the class has the largest
 * share (when that share beats the own cluster's). `counts[c][k]` are cluster c's samples of class k (a
 * head has them from its view's fingerprints). Returns class -> cluster for the classes taught by others.
 */
export function teacherClusters(counts: number[][], own: number, threshold: number): Map<number, number> {
  const share = counts.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((k) => (total > 0 ? k / total : 0));
  });
  const mine = share[own];
  if (!mine) throw new Error(`teacherClusters: no cluster ${own} among ${counts.length}`);
  const out = new Map<number, number>();
  mine.forEach((s, k) => {
    if (s >= threshold) return;
    let best = own;
    share.forEach((row, c) => {
      if (row[k]! > share[best]![k]!) best = c;
    });
    if (best !== own) out.set(k, best);
  });
  return out;
}

/**
 * A cluster's per-class sample counts from its members' fingerprints (normalised label histogram times
 * sample count). Fingerprints of another class count are skipped; non-finite or negative entries count 0.
 */
export function clusterLabelCounts(
  members: readonly { sampleCount: number; labelHist: readonly number[] }[],
  numClasses: number,
): number[] {
  const out = new Array<number>(numClasses).fill(0);
  for (const m of members) {
    if (m.labelHist.length !== numClasses || !(m.sampleCount >= 0)) continue;
    m.labelHist.forEach((h, k) => {
      if (Number.isFinite(h) && h > 0) out[k]! += h * m.sampleCount;
    });
  }
  return out;
}
