import { featureSize } from '../batches.js';
import type { Dataset } from '../types.js';
import type { InputStats } from './types.js';

/** Per-feature mean, standard deviation, minimum and maximum of a dataset's inputs. */
export function inputStatsOf(ds: Dataset): InputStats {
  const d = featureSize(ds);
  const n = ds.y.length;
  if (n === 0) throw new Error(`inputStatsOf: dataset '${ds.name}' is empty`);
  const sum = new Float64Array(d);
  const sumSq = new Float64Array(d);
  const min = new Float32Array(d).fill(Infinity);
  const max = new Float32Array(d).fill(-Infinity);
  for (let i = 0; i < n; i++) {
    const off = i * d;
    for (let j = 0; j < d; j++) {
      const v = ds.x[off + j]!;
      sum[j]! += v;
      sumSq[j]! += v * v;
      if (v < min[j]!) min[j] = v;
      if (v > max[j]!) max[j] = v;
    }
  }
  const mean = new Float32Array(d);
  const std = new Float32Array(d);
  for (let j = 0; j < d; j++) {
    const m = sum[j]! / n;
    mean[j] = m;
    std[j] = Math.sqrt(Math.max(0, sumSq[j]! / n - m * m));
  }
  return { mean, std, min, max };
}

/**
 * Pools several peers' input statistics weighted by sample count (means, variances through the second
 * moment, and the union of the ranges): what a head learns from its members without seeing their data.
 */
export function poolInputStats(parts: { stats: InputStats; count: number }[]): InputStats {
  const first = parts[0];
  if (!first) throw new Error('poolInputStats: no statistics to pool');
  const d = first.stats.mean.length;
  const total = parts.reduce((a, p) => a + p.count, 0);
  if (!(total > 0)) throw new Error('poolInputStats: total sample count must be positive');
  const m1 = new Float64Array(d);
  const m2 = new Float64Array(d);
  const withRange = parts.every((p) => p.stats.min && p.stats.max);
  const min = new Float32Array(d).fill(Infinity);
  const max = new Float32Array(d).fill(-Infinity);
  for (const { stats, count } of parts) {
    if (stats.mean.length !== d || stats.std.length !== d)
      throw new Error(`poolInputStats: statistics of ${stats.mean.length} features, expected ${d}`);
    const w = count / total;
    for (let j = 0; j < d; j++) {
      const m = stats.mean[j]!;
      const s = stats.std[j]!;
      m1[j]! += w * m;
      m2[j]! += w * (s * s + m * m);
      if (withRange) {
        min[j] = Math.min(min[j]!, stats.min![j]!);
        max[j] = Math.max(max[j]!, stats.max![j]!);
      }
    }
  }
  const mean = Float32Array.from(m1);
  const std = Float32Array.from(m2, (v, j) => Math.sqrt(Math.max(0, v - m1[j]! * m1[j]!)));
  return withRange ? { mean, std, min, max } : { mean, std };
}
