// Raw data seen through a model's scaler, computed once per (dataset, scaler values) and cached:
// rounds re-use the same cluster scaler, so a peer scales its data once, not once per call.
import type { Dataset } from '../types.js';
import { isIdentityScaler, SCALED_CLIP, type Scaler } from './scaler.js';

interface Entry {
  shift: Float32Array;
  scale: Float32Array;
  data: Dataset;
}

/** A few scalers per dataset (e.g. a warm-up scaler and the cluster's): least recently used goes. */
const PER_DATASET = 3;
const cache = new WeakMap<Dataset, Entry[]>();

function same(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return false;
  return true;
}

/**
 * `data` with x' = (x - shift) * scale per feature, clipped to +-SCALED_CLIP (the dataset itself for
 * no or an identity scaler).
 */
export function scaleDataset(data: Dataset, scaler: Scaler | undefined): Dataset {
  if (scaler === undefined) return data;
  const d = scaler.shift.length;
  const features = data.inputShape.reduce((a, b) => a * b, 1);
  if (d !== features)
    throw new Error(`input scaler has ${d} features, data '${data.name}' has ${features} per sample`);
  const entries = cache.get(data) ?? [];
  const at = entries.findIndex((e) => same(e.shift, scaler.shift) && same(e.scale, scaler.scale));
  if (at >= 0) {
    const hit = entries[at]!;
    entries.splice(at, 1);
    entries.unshift(hit);
    return hit.data;
  }
  let scaled = data;
  if (!isIdentityScaler(scaler)) {
    const x = new Float32Array(data.x.length);
    const { shift, scale } = scaler;
    for (let i = 0; i < x.length; i += d)
      for (let j = 0; j < d; j++) {
        const v = (data.x[i + j]! - shift[j]!) * scale[j]!;
        x[i + j] = v > SCALED_CLIP ? SCALED_CLIP : v < -SCALED_CLIP ? -SCALED_CLIP : v;
      }
    scaled = { ...data, x };
  }
  entries.unshift({
    shift: new Float32Array(scaler.shift),
    scale: new Float32Array(scaler.scale),
    data: scaled,
  });
  if (entries.length > PER_DATASET) entries.length = PER_DATASET;
  cache.set(data, entries);
  return scaled;
}
