/** Seeded, label-stratified train/validation split. */
import { createRng, deriveSeed } from '../rng.js';
import { selectSamples, type Dataset } from './dataset.js';

/** Options of splitDataset. */
export interface SplitOptions {
  /** Fraction of samples that go to validation, in [0, 1). */
  valFraction: number;
  seed: number;
}

/**
 * Splits a dataset into train and validation, stratified by label: val gets round(valFraction * N)
 * samples, shared among classes by largest remainder, each class's picks seeded. When 0 < valFraction
 * and N >= 2, both sides are non-empty. Both sides keep the original sample order.
 */
export function splitDataset(ds: Dataset, opts: SplitOptions): { train: Dataset; val: Dataset } {
  const { valFraction, seed } = opts;
  if (!(valFraction >= 0 && valFraction < 1))
    throw new RangeError(`valFraction must be in [0, 1), got ${valFraction}`);
  const n = ds.y.length;
  let nVal = Math.round(valFraction * n);
  if (valFraction > 0 && n >= 2) nVal = Math.min(n - 1, Math.max(1, nVal));
  const byClass: number[][] = Array.from({ length: ds.numClasses }, () => []);
  for (let i = 0; i < n; i++) (byClass[ds.y[i] as number] as number[]).push(i);
  // Largest-remainder allocation of nVal over classes, ties broken by class index.
  const quotas = byClass.map((idx) => (idx.length * nVal) / Math.max(1, n));
  const take = quotas.map((q) => Math.floor(q));
  let left = nVal - take.reduce((a, b) => a + b, 0);
  const order = quotas.map((q, c) => ({ c, r: q - Math.floor(q) })).sort((a, b) => b.r - a.r || a.c - b.c);
  for (const { c } of order) {
    if (left <= 0) break;
    if ((take[c] as number) < (byClass[c] as number[]).length) {
      take[c] = (take[c] as number) + 1;
      left--;
    }
  }
  const isVal = new Uint8Array(n);
  byClass.forEach((idx, c) => {
    const picked = createRng(deriveSeed(seed, 'split', c))
      .shuffle([...idx])
      .slice(0, take[c]);
    for (const i of picked) isVal[i] = 1;
  });
  const trainIdx: number[] = [];
  const valIdx: number[] = [];
  for (let i = 0; i < n; i++) (isVal[i] ? valIdx : trainIdx).push(i);
  return { train: selectSamples(ds, trainIdx, ds.name), val: selectSamples(ds, valIdx, ds.name) };
}
