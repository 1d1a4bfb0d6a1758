/**
 * Feature shift (the `shift:<k>` partitioner's transform): group g measures with another instrument,
 * x -> a_g * x + b_g per feature, as when sites calibrate or choose units differently. Same labels, same
 * class structure, different units: a task the cluster's shared scaler and the clustering must handle.
 */
import { createRng, deriveSeed } from '../rng.js';
import { sampleLength, type Dataset } from './dataset.js';

/** One group's affine map, per feature (per value position of a sample): x -> scale * x + offset. */
export interface FeatureShift {
  scale: number[];
  offset: number[];
}

/** Gain range of shiftParameters: log-uniform in [1/2, 2]. */
export const SHIFT_MIN_GAIN = 0.5;
export const SHIFT_MAX_GAIN = 2;

/**
 * Draws `k` seeded shifts for `ds`'s features: group 0 is the identity; group g >= 1 has per feature a
 * gain a ~ log-uniform [0.5, 2] and an offset b ~ uniform [-s, s], s the feature's standard deviation
 * over `ds` (0 for a constant feature).
 */
export function shiftParameters(ds: Dataset, k: number, seed: number): FeatureShift[] {
  const d = sampleLength(ds.inputShape);
  const std = featureStd(ds);
  const out: FeatureShift[] = [{ scale: new Array<number>(d).fill(1), offset: new Array<number>(d).fill(0) }];
  const lo = Math.log(SHIFT_MIN_GAIN);
  const hi = Math.log(SHIFT_MAX_GAIN);
  for (let g = 1; g < k; g++) {
    const rng = createRng(deriveSeed(seed, 'shift', k, g));
    const scale: number[] = [];
    const offset: number[] = [];
    for (let j = 0; j < d; j++) {
      scale.push(Math.exp(lo + (hi - lo) * rng.next()));
      offset.push((2 * rng.next() - 1) * (std[j] as number));
    }
    out.push({ scale, offset });
  }
  return out;
}

/** Applies `shift` to every sample of `ds`; returns a new dataset (labels and metadata copied). */
export function applyShift(ds: Dataset, shift: FeatureShift): Dataset {
  const d = sampleLength(ds.inputShape);
  const x = new Float32Array(ds.x.length);
  for (let i = 0; i < x.length; i++) {
    const j = i % d;
    x[i] = (shift.scale[j] as number) * (ds.x[i] as number) + (shift.offset[j] as number);
  }
  const out: Dataset = { ...ds, inputShape: [...ds.inputShape], x, y: ds.y.slice() };
  if (ds.classNames) out.classNames = [...ds.classNames];
  return out;
}

/** Per-feature population standard deviation (two passes, in float64). */
export function featureStd(ds: Dataset): Float64Array {
  const d = sampleLength(ds.inputShape);
  const n = ds.y.length;
  const mean = new Float64Array(d);
  for (let i = 0; i < ds.x.length; i++) mean[i % d] = (mean[i % d] as number) + (ds.x[i] as number);
  for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) / Math.max(1, n);
  const v = new Float64Array(d);
  for (let i = 0; i < ds.x.length; i++) {
    const e = (ds.x[i] as number) - (mean[i % d] as number);
    v[i % d] = (v[i % d] as number) + e * e;
  }
  for (let j = 0; j < d; j++) v[j] = Math.sqrt((v[j] as number) / Math.max(1, n));
  return v;
}
