/**
 * Average-linkage agglomerative clustering of n items under `dist`, cut at the largest relative
 * jump between successive merge heights; a single cluster when no jump reaches `minRatio`.
 * Deterministic: ties merge the lowest-index pair first. Returns labels 0..k-1.
 */
export function agglomerate(n: number, dist: (i: number, j: number) => number, minRatio: number): number[] {
  let clusters: number[][] = Array.from({ length: n }, (_, i) => [i]);
  const d = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => (i === j ? 0 : dist(i, j))),
  );
  const avg = (a: number[], b: number[]): number => {
    let s = 0;
    for (const i of a) for (const j of b) s += (d[i] as number[])[j] as number;
    return s / (a.length * b.length);
  };
  const history: { height: number; clusters: number[][] }[] = [];
  while (clusters.length > 1) {
    let best = [0, 1];
    let bestH = Infinity;
    for (let a = 0; a < clusters.length; a++)
      for (let b = a + 1; b < clusters.length; b++) {
        const h = avg(clusters[a] as number[], clusters[b] as number[]);
        if (h < bestH) {
          bestH = h;
          best = [a, b];
        }
      }
    history.push({ height: bestH, clusters });
    const [a, b] = best as [number, number];
    clusters = clusters
      .filter((_, i) => i !== a && i !== b)
      .concat([[...(clusters[a] as number[]), ...(clusters[b] as number[])]]);
  }
  // history[m].clusters is the partition before merge m, merged at height history[m].height.
  let cut = -1;
  let bestRatio = minRatio;
  const floor = 1e-6 + 1e-3 * Math.max(...history.map((x) => x.height), 0);
  for (let m = 1; m < history.length; m++) {
    const ratio =
      (history[m] as { height: number }).height /
      Math.max(floor, (history[m - 1] as { height: number }).height);
    if (ratio >= bestRatio) {
      bestRatio = ratio;
      cut = m;
    }
  }
  const labels = new Array<number>(n).fill(0);
  if (cut < 0) return labels;
  const parts = [...(history[cut] as { clusters: number[][] }).clusters].sort(
    (x, y) => Math.min(...x) - Math.min(...y),
  );
  parts.forEach((members, c) => members.forEach((i) => (labels[i] = c)));
  return labels;
}
