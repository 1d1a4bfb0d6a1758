import { tensorsCompatible } from './weights.js';
import type { WeightSet } from './types.js';

/** How member updates are combined: sample-weighted mean, or robust coordinate-wise median / trimmed mean. */
export type Aggregator = 'mean' | 'median' | 'trimmed';

/** One member's contribution: a weight difference (or weights) and its weight (usually its sample count). */
export interface WeightedDelta {
  delta: WeightSet;
  weight: number;
}

/** Default fraction trimmed from each end by the trimmed mean. */
export const DEFAULT_TRIM = 0.2;

function median(sorted: Float64Array): number {
  const n = sorted.length;
  const h = n >> 1;
  return n % 2 === 1 ? sorted[h]! : (sorted[h - 1]! + sorted[h]!) / 2;
}

function trimmedMean(sorted: Float64Array, cut: number): number {
  let s = 0;
  for (let i = cut; i < sorted.length - cut; i++) s += sorted[i]!;
  return s / (sorted.length - 2 * cut);
}

/**
 * Combines deltas coordinate-wise. 'mean' weights each delta by its weight (weights need not sum to 1);
 * 'median' and 'trimmed' ignore weights (robustness: one heavy liar must not dominate). 'trimmed' drops
 * floor(trim * n) values from each end of every coordinate (kept at least one value).
 */
export function aggregate(
  deltas: WeightedDelta[],
  kind: Aggregator = 'mean',
  trim = DEFAULT_TRIM,
): WeightSet {
  const first = deltas[0];
  if (!first) throw new Error('aggregate: no deltas');
  for (const d of deltas) {
    if (
      d.delta.length !== first.delta.length ||
      !d.delta.every((t, i) => tensorsCompatible(t, first.delta[i]!))
    )
      throw new Error('aggregate: deltas have different tensor names or shapes');
    if (!(d.weight >= 0) || !Number.isFinite(d.weight)) throw new Error(`aggregate: bad weight ${d.weight}`);
  }
  if (kind === 'mean') {
    const total = deltas.reduce((s, d) => s + d.weight, 0);
    if (!(total > 0)) throw new Error('aggregate: weights sum to zero');
    return first.delta.map((t, ti) => {
      const acc = new Float64Array(t.values.length);
      for (const d of deltas) {
        const w = d.weight / total;
        const v = d.delta[ti]!.values;
        for (let j = 0; j < acc.length; j++) acc[j]! += w * v[j]!;
      }
      return { name: t.name, shape: [...t.shape], values: Float32Array.from(acc) };
    });
  }
  if (kind !== 'median' && kind !== 'trimmed')
    throw new Error(`aggregate: unknown aggregator ${String(kind)}`);
  if (!(trim >= 0 && trim < 0.5)) throw new Error(`aggregate: trim must be in [0, 0.5), got ${trim}`);
  const n = deltas.length;
  const cut = Math.min(Math.floor(trim * n), Math.floor((n - 1) / 2));
  const col = new Float64Array(n);
  return first.delta.map((t, ti) => {
    const out = new Float32Array(t.values.length);
    for (let j = 0; j < out.length; j++) {
      for (let k = 0; k < n; k++) col[k] = deltas[k]!.delta[ti]!.values[j]!;
      col.sort();
      out[j] = kind === 'median' ? median(col) : trimmedMean(col, cut);
    }
    return { name: t.name, shape: [...t.shape], values: out };
  });
}
