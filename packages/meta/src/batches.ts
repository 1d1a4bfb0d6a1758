import type { Dataset } from './types.js';

/** Number of values per sample. */
export function featureSize(ds: Dataset): number {
  return ds.inputShape.reduce((a, b) => a * b, 1);
}

/** Copies the samples `idx[from..to)` into `xBuf` (row-major) and their one-hot labels into `yBuf`. */
export function fillBatch(
  ds: Dataset,
  idx: ArrayLike<number>,
  from: number,
  to: number,
  xBuf: Float32Array,
  yBuf: Float32Array,
): void {
  const d = featureSize(ds);
  const c = ds.numClasses;
  yBuf.fill(0, 0, (to - from) * c);
  for (let i = from; i < to; i++) {
    const j = idx[i]!;
    xBuf.set(ds.x.subarray(j * d, (j + 1) * d), (i - from) * d);
    yBuf[(i - from) * c + ds.y[j]!] = 1;
  }
}
