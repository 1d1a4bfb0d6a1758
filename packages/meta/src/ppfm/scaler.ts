// The input scaler a cluster agrees on: x' = (x - shift) * scale per feature, pooled from the
// members' fingerprint moments (no raw data leaves a peer). It travels inside the model WeightSet
// as its first two tensors, so late joiners, checkpoints and every --model spec see the same units.
import type { NamedTensor, WeightSet } from '../types.js';

/** Input scaling the cluster agrees on: x' = (x - shift) * scale, one entry per input feature. */
export interface Scaler {
  shift: Float32Array;
  scale: Float32Array;
}

/**
 * One member's input moments (the fingerprint's sampleCount, featureMean, featureStd). Moments of
 * length 1 are a global mean/std over all features (inputs too large for per-feature moments);
 * empty moments carry nothing and are skipped.
 */
export interface FeatureMoments {
  count: number;
  featureMean: ArrayLike<number>;
  featureStd: ArrayLike<number>;
}

/** Tuning of poolScaler; every member of a cluster must use the same values. */
export interface PoolScalerOptions {
  /**
   * A feature's std is floored at relFloor x its own root-mean-square value sqrt(mean^2 + std^2),
   * so a constant feature with an offset (1000 +- 0) is not blown up, while a feature that is small
   * in its own units (0.1 +- 0.05 next to 1600 +- 700) keeps its full standardisation (default
   * DEFAULT_REL_FLOOR).
   */
  relFloor?: number;
  /** ... and at this absolute value (default 1e-6): an all-zero feature (an image border) gets scale 1e6. */
  absFloor?: number;
  /** A member's weight is capped at this multiple of the median count (default 4). */
  weightCap?: number;
}

/**
 * Relative std floor (see PoolScalerOptions.relFloor), measured with clipping on mnist rotate:2:
 * [0, 1] images as good as unscaled (local 0.840 vs 0.839, ppfm 0.900 vs 0.897); a floor shared by
 * all features (0.1x their RMS std) under-scaled small-unit tabular features (0.974 vs 0.995).
 */
export const DEFAULT_REL_FLOOR = 0.01;
export const DEFAULT_ABS_FLOOR = 1e-6;
export const DEFAULT_WEIGHT_CAP = 4;
/**
 * ... which is why scaled values are clipped to +-SCALED_CLIP: a pixel that was (almost) always 0
 * in the cluster's data and is not in a new sample gives a bounded input, not 10^5. Standardised
 * values beyond 8 sd are rare in ordinary data; clipping them is mild winsorising.
 */
export const SCALED_CLIP = 8;

/** Tensor names of the scaler inside a model WeightSet (always its first two tensors). */
export const SCALER_SHIFT = 'input_scaler/shift';
export const SCALER_SCALE = 'input_scaler/scale';

/** True for the scaler's tensors (never trained, aggregated or shared). */
export function isScalerTensor(name: string): boolean {
  return name === SCALER_SHIFT || name === SCALER_SCALE;
}

/** The scaler that changes nothing (shift 0, scale 1). */
export function identityScaler(featureCount: number): Scaler {
  return { shift: new Float32Array(featureCount), scale: new Float32Array(featureCount).fill(1) };
}

function usable(p: FeatureMoments, featureCount: number): boolean {
  const len = p.featureMean.length;
  if (len === 0 || len !== p.featureStd.length || (len !== featureCount && len !== 1)) return false;
  if (!(p.count > 0) || !Number.isFinite(p.count)) return false;
  for (let j = 0; j < len; j++) {
    if (!Number.isFinite(p.featureMean[j]!) || !(p.featureStd[j]! >= 0) || !Number.isFinite(p.featureStd[j]!))
      return false;
  }
  return true;
}

/** Lexicographic order on (count, moments): pooling then sums in the same order on every peer. */
function compareMoments(a: FeatureMoments, b: FeatureMoments): number {
  if (a.count !== b.count) return a.count - b.count;
  if (a.featureMean.length !== b.featureMean.length) return a.featureMean.length - b.featureMean.length;
  for (let j = 0; j < a.featureMean.length; j++) {
    const d = a.featureMean[j]! - b.featureMean[j]! || a.featureStd[j]! - b.featureStd[j]!;
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Pools members' moments into the cluster's scaler: sample-weighted mean and pooled variance
 * (within-member variance plus the spread of member means), each member's weight capped at
 * weightCap x the median count, every std floored per feature (see PoolScalerOptions).
 * Deterministic and independent of the order of `parts`. No usable part => the identity scaler.
 */
export function poolScaler(
  parts: readonly FeatureMoments[],
  featureCount: number,
  opts: PoolScalerOptions = {},
): Scaler {
  if (!Number.isInteger(featureCount) || featureCount < 1)
    throw new Error(`poolScaler: featureCount must be a positive integer, got ${featureCount}`);
  const ok = parts.filter((p) => usable(p, featureCount)).sort(compareMoments);
  if (ok.length === 0) return identityScaler(featureCount);
  const counts = ok.map((p) => p.count).sort((a, b) => a - b);
  const h = counts.length >> 1;
  const med = counts.length % 2 === 1 ? counts[h]! : (counts[h - 1]! + counts[h]!) / 2;
  const cap = (opts.weightCap ?? DEFAULT_WEIGHT_CAP) * med;
  const w = ok.map((p) => Math.min(p.count, cap));
  const total = w.reduce((s, x) => s + x, 0);
  const mean = new Float64Array(featureCount);
  const m2 = new Float64Array(featureCount);
  ok.forEach((p, k) => {
    const wk = w[k]! / total;
    const g = p.featureMean.length === 1;
    for (let j = 0; j < featureCount; j++) {
      const mu = p.featureMean[g ? 0 : j]!;
      const sd = p.featureStd[g ? 0 : j]!;
      mean[j]! += wk * mu;
      m2[j]! += wk * (sd * sd + mu * mu); // E[x^2] of the mixture
    }
  });
  const relFloor = opts.relFloor ?? DEFAULT_REL_FLOOR;
  const absFloor = opts.absFloor ?? DEFAULT_ABS_FLOOR;
  const shift = new Float32Array(featureCount);
  const scale = new Float32Array(featureCount);
  for (let j = 0; j < featureCount; j++) {
    const std = Math.sqrt(Math.max(0, m2[j]! - mean[j]! * mean[j]!));
    // m2 is E[x^2]: the feature's own root-mean-square value.
    const floor = Math.max(absFloor, relFloor * Math.sqrt(m2[j]!));
    shift[j] = mean[j]!;
    scale[j] = 1 / Math.max(std, floor);
  }
  return { shift, scale };
}

function scalerTensor(name: string, values: Float32Array): NamedTensor {
  return { name, shape: [values.length], values };
}

/** The model `net` with scaler `s` as its first two tensors (an existing scaler is replaced). */
export function withScaler(net: WeightSet, s: Scaler): WeightSet {
  if (s.shift.length !== s.scale.length)
    throw new Error(`withScaler: shift has ${s.shift.length} entries, scale ${s.scale.length}`);
  return [
    scalerTensor(SCALER_SHIFT, s.shift),
    scalerTensor(SCALER_SCALE, s.scale),
    ...net.filter((t) => !isScalerTensor(t.name)),
  ];
}

/** Splits a model into its scaler (undefined when it has none) and the network's own tensors. */
export function splitModel(ws: WeightSet): { scaler: Scaler | undefined; net: WeightSet } {
  const shift = ws.find((t) => t.name === SCALER_SHIFT);
  const scale = ws.find((t) => t.name === SCALER_SCALE);
  const net = ws.filter((t) => !isScalerTensor(t.name));
  if (shift === undefined && scale === undefined) return { scaler: undefined, net };
  if (shift === undefined || scale === undefined || shift.values.length !== scale.values.length)
    throw new Error(`model: ${SCALER_SHIFT} and ${SCALER_SCALE} must both be present with equal lengths`);
  return { scaler: { shift: shift.values, scale: scale.values }, net };
}

/** True when the scaler changes nothing. */
export function isIdentityScaler(s: Scaler): boolean {
  for (let j = 0; j < s.shift.length; j++) if (s.shift[j] !== 0 || s.scale[j] !== 1) return false;
  return true;
}
