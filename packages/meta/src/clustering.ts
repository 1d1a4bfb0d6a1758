import {
  DEFAULT_DISTANCE_WEIGHTS,
  fingerprintDistanceParts,
  type DistanceWeights,
  type Fingerprint,
} from './fingerprint.js';

/** Options of clusterFingerprints. Every peer must use the same ones to reach the same clusters. */
export interface ClusterOptions {
  /** The previous assignment (id -> cluster); kept unless the new clustering is better by `margin`. */
  previous?: Map<string, number>;
  /** Largest number of clusters considered (default 16). */
  maxK?: number;
  /**
   * A split must show a separation signal (squared between-distance minus spread) of at least this many
   * times the noise / spread level (default 1.5).
   */
  minSignal?: number;
  /** ... and at least this absolute squared effect size, in pooled-std units (default 0.02). */
  minEffect?: number;
  /** Silhouette improvement needed to abandon a still-valid previous assignment (default 0.1). */
  margin?: number;
  weights?: DistanceWeights;
}

/** A clustering result: cluster labels are small non-negative integers (contiguous unless `previous` kept gaps). */
export interface ClusterResult {
  assignment: Map<string, number>;
  /** Number of distinct clusters. */
  k: number;
  /** False when the statistics do not separate the peers (one cluster). */
  separated: boolean;
  /** Mean silhouette of the returned assignment (0 for one cluster). */
  silhouette: number;
  /** True when the previous assignment was kept (hysteresis). */
  keptPrevious: boolean;
}

interface Matrices {
  n: number;
  d: Float64Array; // distance
  d2: Float64Array; // squared distance
  noise2: Float64Array; // squared distance expected from sampling noise
}

function matrices(fps: Fingerprint[], w: DistanceWeights): Matrices {
  const n = fps.length;
  const d = new Float64Array(n * n);
  const d2 = new Float64Array(n * n);
  const noise2 = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const p = fingerprintDistanceParts(fps[i]!, fps[j]!, w);
      d2[i * n + j] = d2[j * n + i] = p.d2;
      d[i * n + j] = d[j * n + i] = Math.sqrt(p.d2);
      noise2[i * n + j] = noise2[j * n + i] = p.noise2;
    }
  }
  return { n, d, d2, noise2 };
}

function meanOver(m: Float64Array, n: number, a: number[], b: number[], samePair: boolean): number {
  let s = 0;
  let c = 0;
  for (let x = 0; x < a.length; x++) {
    for (let y = samePair ? x + 1 : 0; y < b.length; y++) {
      s += m[a[x]! * n + b[y]!]!;
      c++;
    }
  }
  return c > 0 ? s / c : 0;
}

/** Groups member indices by label, groups ordered by their smallest member. */
function groups(labels: number[]): number[][] {
  const byLabel = new Map<number, number[]>();
  labels.forEach((l, i) => {
    const g = byLabel.get(l);
    if (g) g.push(i);
    else byLabel.set(l, [i]);
  });
  return [...byLabel.values()].sort((a, b) => a[0]! - b[0]!);
}

/**
 * Every pair of clusters is separated: the excess of their mean squared between-distance over their
 * own mean squared spread (the energy-distance signal, ~0 when both are one distribution) must exceed
 * `minSignal` times the noise level and the absolute `minEffect`. A singleton's spread is the predicted
 * sampling noise.
 */
function isValid(m: Matrices, parts: number[][], minSignal: number, minEffect: number): boolean {
  const within = parts.map((g) => (g.length >= 2 ? meanOver(m.d2, m.n, g, g, true) : undefined));
  for (let a = 0; a < parts.length; a++) {
    for (let b = a + 1; b < parts.length; b++) {
      const between = meanOver(m.d2, m.n, parts[a]!, parts[b]!, false);
      const noise = meanOver(m.noise2, m.n, parts[a]!, parts[b]!, false);
      const spread = ((within[a] ?? noise) + (within[b] ?? noise)) / 2;
      const signal = between - spread;
      if (signal < minEffect || signal < minSignal * Math.max(noise, spread)) return false;
    }
  }
  return true;
}

/** Mean silhouette (0 for a single cluster; singletons score 0). */
function silhouette(m: Matrices, labels: number[]): number {
  const parts = groups(labels);
  if (parts.length < 2) return 0;
  let total = 0;
  for (let i = 0; i < m.n; i++) {
    const own = parts.find((g) => g.includes(i))!;
    if (own.length < 2) continue;
    const a = meanOver(m.d, m.n, [i], own, false) * (own.length / (own.length - 1));
    let b = Infinity;
    for (const g of parts) if (g !== own) b = Math.min(b, meanOver(m.d, m.n, [i], g, false));
    const den = Math.max(a, b);
    total += den > 0 ? (b - a) / den : 0;
  }
  return total / m.n;
}

/** Average-linkage agglomeration; returns the labelling for every k from n down to 1 (index k). */
function dendrogramCuts(m: Matrices): number[][] {
  const n = m.n;
  let clusters: number[][] = Array.from({ length: n }, (_, i) => [i]);
  const cuts: number[][] = [];
  const record = (): void => {
    const labels = new Array<number>(n);
    [...clusters].sort((a, b) => a[0]! - b[0]!).forEach((g, li) => g.forEach((i) => (labels[i] = li)));
    cuts[clusters.length] = labels;
  };
  record();
  while (clusters.length > 1) {
    let best = Infinity;
    let bi = 0;
    let bj = 1;
    // Strict '<' over a fixed scan order makes ties resolve deterministically.
    for (let i = 0; i < clusters.length; i++) {
      for (let j = i + 1; j < clusters.length; j++) {
        const v = meanOver(m.d, n, clusters[i]!, clusters[j]!, false);
        if (v < best) {
          best = v;
          bi = i;
          bj = j;
        }
      }
    }
    const merged = [...clusters[bi]!, ...clusters[bj]!].sort((a, b) => a - b);
    clusters = clusters.filter((_, k) => k !== bi && k !== bj);
    clusters.push(merged);
    clusters.sort((a, b) => a[0]! - b[0]!);
    record();
  }
  return cuts;
}

/** Renames new labels to maximise overlap with the previous labels (stable cluster identities). */
function matchLabels(labels: number[], prev: (number | undefined)[]): number[] {
  const newIds = [...new Set(labels)].sort((a, b) => a - b);
  const overlap: { n: number; p: number; c: number }[] = [];
  for (const nl of newIds) {
    const counts = new Map<number, number>();
    labels.forEach((l, i) => {
      const p = prev[i];
      if (l === nl && p !== undefined) counts.set(p, (counts.get(p) ?? 0) + 1);
    });
    for (const [p, c] of counts) overlap.push({ n: nl, p, c });
  }
  overlap.sort((x, y) => y.c - x.c || x.n - y.n || x.p - y.p);
  const map = new Map<number, number>();
  const used = new Set<number>();
  for (const o of overlap) {
    if (map.has(o.n) || used.has(o.p)) continue;
    map.set(o.n, o.p);
    used.add(o.p);
  }
  let next = 0;
  for (const nl of newIds) {
    if (map.has(nl)) continue;
    while (used.has(next)) next++;
    map.set(nl, next);
    used.add(next);
  }
  return labels.map((l) => map.get(l)!);
}

/**
 * Deterministic clustering of fingerprints: items are sorted by id, agglomerated with average linkage,
 * and the number of clusters is the valid cut (every pair of clusters separated beyond noise and their
 * own spread) with the best silhouette; none valid => one cluster. With `previous`, the old assignment
 * (new ids joining their nearest old cluster) is kept while it stays valid and the new one is not better
 * by `margin`.
 */
export function clusterFingerprints(
  items: { id: string; fp: Fingerprint }[],
  opts: ClusterOptions = {},
): ClusterResult {
  const sorted = [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (let i = 1; i < sorted.length; i++)
    if (sorted[i]!.id === sorted[i - 1]!.id)
      throw new Error(`clusterFingerprints: duplicate id ${sorted[i]!.id}`);
  const n = sorted.length;
  const minSignal = opts.minSignal ?? 1.5;
  const minEffect = opts.minEffect ?? 0.02;
  const margin = opts.margin ?? 0.1;
  const maxK = Math.min(opts.maxK ?? 16, n);
  const m = matrices(
    sorted.map((s) => s.fp),
    opts.weights ?? DEFAULT_DISTANCE_WEIGHTS,
  );

  let labels: number[] = new Array<number>(n).fill(0);
  let score = 0;
  let bestScore = -Infinity;
  if (n >= 2) {
    const cuts = dendrogramCuts(m);
    for (let k = 2; k <= maxK; k++) {
      const cut = cuts[k]!;
      if (!isValid(m, groups(cut), minSignal, minEffect)) continue;
      // Among valid cuts the silhouette decides (singletons score 0, which discourages over-splitting).
      const s = silhouette(m, cut);
      if (s > bestScore) {
        bestScore = s;
        score = s;
        labels = cut;
      }
    }
  }

  let keptPrevious = false;
  const prev = opts.previous;
  const prevLabels = sorted.map((s) => prev?.get(s.id));
  if (prev && prevLabels.some((l) => l !== undefined)) {
    // The previous clustering, extended to newcomers by nearest old cluster (average distance).
    const oldParts = new Map<number, number[]>();
    prevLabels.forEach((l, i) => {
      if (l !== undefined) oldParts.set(l, [...(oldParts.get(l) ?? []), i]);
    });
    const oldIds = [...oldParts.keys()].sort((a, b) => a - b);
    const extended = prevLabels.map((l, i) => {
      if (l !== undefined) return l;
      let best = oldIds[0]!;
      let bestD = Infinity;
      for (const id of oldIds) {
        const d = meanOver(m.d, n, [i], oldParts.get(id)!, false);
        if (d < bestD) {
          bestD = d;
          best = id;
        }
      }
      return best;
    });
    const prevParts = groups(extended);
    const prevValid = isValid(m, prevParts, minSignal, minEffect);
    const prevScore = silhouette(m, extended);
    if (prevValid && score <= prevScore + margin) {
      labels = extended;
      score = prevScore;
      keptPrevious = true;
    } else {
      labels = matchLabels(labels, prevLabels);
    }
  }

  const assignment = new Map<string, number>();
  sorted.forEach((s, i) => assignment.set(s.id, labels[i]!));
  const k = new Set(labels).size;
  return { assignment, k, separated: k > 1, silhouette: score, keptPrevious };
}
