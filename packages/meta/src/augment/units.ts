// The synthesiser works in the network's input units. A learning-rule model carries an input scaler
// in front of the network (x' = (x - shift) * scale, clipped to +-SCALED_CLIP), so synthesis runs on
// the network alone in scaled units and its samples are mapped back to raw units: they then join a
// member's raw data and pass through the same scaler as every real sample (the round trip is exact
// up to float rounding, since synthetic values stay inside the clip).
import {
  DEFAULT_ABS_FLOOR,
  DEFAULT_REL_FLOOR,
  SCALED_CLIP,
  splitModel,
  type Scaler,
} from '../ppfm/scaler.js';
import type { WeightSet } from '../types.js';
import type { InputStats } from './types.js';

/** Raw-unit input statistics seen through `scaler` (bounds clipped to the scaler's range). */
export function statsThroughScaler(stats: InputStats | undefined, scaler: Scaler): InputStats {
  const d = scaler.shift.length;
  const { shift, scale } = scaler;
  const clip = (v: number): number => Math.max(-SCALED_CLIP, Math.min(SCALED_CLIP, v));
  if (stats === undefined) {
    // Only the scaler is known: its pooled moments make every feature mean 0, std 1.
    return {
      mean: new Float32Array(d),
      std: new Float32Array(d).fill(1),
      min: new Float32Array(d).fill(-SCALED_CLIP),
      max: new Float32Array(d).fill(SCALED_CLIP),
    };
  }
  if (stats.mean.length !== d)
    throw new Error(`augment: inputStats has ${stats.mean.length} features, the model's scaler ${d}`);
  const mean = Float32Array.from(stats.mean, (m, j) => clip((m - shift[j]!) * scale[j]!));
  const std = Float32Array.from(stats.std, (s, j) => s * scale[j]!);
  if (stats.min === undefined || stats.max === undefined) return { mean, std };
  const min = Float32Array.from(stats.min, (v, j) => clip((v - shift[j]!) * scale[j]!));
  const max = Float32Array.from(stats.max, (v, j) => clip((v - shift[j]!) * scale[j]!));
  return { mean, std, min, max };
}

/** Scaled-unit samples (row-major) back in raw units: x = x' / scale + shift. */
export function toRawUnits(x: Float32Array, scaler: Scaler): Float32Array {
  const d = scaler.shift.length;
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i += d)
    for (let j = 0; j < d; j++) out[i + j] = x[i + j]! / scaler.scale[j]! + scaler.shift[j]!;
  return out;
}

/** A model as the synthesiser sees it: the network, the stats in its units, and the way back to raw. */
export function netView(
  weights: WeightSet,
  stats: InputStats | undefined,
): { net: WeightSet; stats: InputStats | undefined; toRaw: (x: Float32Array) => Float32Array } {
  const { scaler, net } = splitModel(weights);
  if (scaler === undefined) return { net, stats, toRaw: (x) => x };
  return { net, stats: statsThroughScaler(stats, scaler), toRaw: (x) => toRawUnits(x, scaler) };
}

/**
 * True when a scaler's std (1 / scale) sits at poolScaler's floor: the cluster saw the feature
 * (almost) constant, e.g. a pixel its digits never light (default floors; 0.1 % slack for rounding).
 */
export function atScalerFloor(shift: number, scale: number): boolean {
  const std = 1 / scale;
  const floor = Math.max(DEFAULT_ABS_FLOOR, DEFAULT_REL_FLOOR * Math.sqrt(shift * shift + std * std));
  return std <= floor * 1.001;
}

/**
 * Raw-unit input statistics a peer can state without anyone's data: per-feature mean and std from the
 * model's scaler (the cluster's pooled fingerprint moments) and one range [lo, hi] for every feature
 * (e.g. the pixel range of the peer's own data). Per-feature ranges of the own data would forbid the
 * strokes of digits the peer never saw. A feature the cluster saw constant (its std at the scaler's
 * floor) gets std 0, so synthesis leaves it at its mean: left free it would carry faint noise where
 * real samples are exactly constant, which a member whose scaler also floors that feature (scale up
 * to 10^6) sees at the +-8 clip, a signature of synthetic samples (docs/fedzda.md, Results).
 */
export function scalerInputStats(scaler: Scaler, lo: number, hi: number): InputStats {
  const d = scaler.shift.length;
  return {
    mean: Float32Array.from(scaler.shift),
    std: Float32Array.from(scaler.scale, (s, j) => (atScalerFloor(scaler.shift[j]!, s) ? 0 : 1 / s)),
    min: new Float32Array(d).fill(lo),
    max: new Float32Array(d).fill(hi),
  };
}

/**
 * Sets every raw value within `frac` of its feature's range above the feature's lower bound to that
 * bound, in place (no bounds or frac <= 0: unchanged). For data whose background is the range's low
 * end (image pixels): real samples are exactly there, synthetic ones only near it, and a member
 * whose scaler floors the feature would see the small gap at the +-8 clip. Returns `x`.
 */
export function snapToLow(x: Float32Array, stats: InputStats | undefined, frac: number): Float32Array {
  const { min, max } = stats ?? {};
  if (!(frac > 0) || min === undefined || max === undefined) return x;
  const d = min.length;
  for (let i = 0; i < x.length; i++) {
    const j = i % d;
    if (x[i]! < min[j]! + frac * (max[j]! - min[j]!)) x[i] = min[j]!;
  }
  return x;
}

/** The smallest and largest input value of a dataset's samples. */
export function valueRange(x: Float32Array): { lo: number; hi: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of x) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return { lo, hi };
}
