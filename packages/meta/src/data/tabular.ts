/**
 * A seeded raw-unit tabular data set for tests and benches, shaped like UCI wine: positive features whose
 * magnitudes run from 0.1 to about 1,600, each class shifting every feature's typical value. A model fed
 * these raw values sees inputs four orders of magnitude apart, which is the point.
 */
import { createRng, deriveSeed } from '../rng.js';
import type { Dataset } from './dataset.js';

/** Options of makeTabular. */
export interface TabularOptions {
  /** Number of features (default 13, as wine). */
  features?: number;
  /** Number of classes (default 3). */
  classes?: number;
  /** Number of samples (default 600), classes balanced to within one. */
  samples?: number;
  seed?: number;
  /** Typical magnitude of each feature (length `features`); default log-spaced from 0.1 to 1,600. */
  scales?: readonly number[];
  /** Class separation in log units (default 0.25): higher is easier. */
  separation?: number;
  /** Within-class spread in log units (default 0.25). */
  noise?: number;
}

/** `n` magnitudes log-spaced from `lo` to `hi` (the default scales of makeTabular: 0.1 to 1,600). */
export function logSpacedScales(n: number, lo = 0.1, hi = 1600): number[] {
  if (n === 1) return [lo];
  return Array.from({ length: n }, (_, j) => lo * Math.pow(hi / lo, j / (n - 1)));
}

/**
 * Generates the data set: class c has per feature j a seeded log-offset z_cj ~ N(0, 1), and a sample of
 * class c is x_j = scale_j * exp(separation * z_cj + noise * e), e ~ N(0, 1). Values are positive and
 * keep their raw units; samples are in a seeded random order.
 */
export function makeTabular(opts: TabularOptions = {}): Dataset {
  const F = opts.features ?? 13;
  const C = opts.classes ?? 3;
  const n = opts.samples ?? 600;
  const seed = opts.seed ?? 1;
  const sep = opts.separation ?? 0.25;
  const noise = opts.noise ?? 0.25;
  if (!Number.isInteger(F) || F <= 0) throw new RangeError(`features must be a positive integer, got ${F}`);
  if (!Number.isInteger(C) || C < 2) throw new RangeError(`classes must be an integer >= 2, got ${C}`);
  if (!Number.isInteger(n) || n < C) throw new RangeError(`samples must be an integer >= classes, got ${n}`);
  const scales = opts.scales ? [...opts.scales] : logSpacedScales(F);
  if (scales.length !== F || !scales.every((s) => Number.isFinite(s) && s > 0)) {
    throw new RangeError(`scales must hold ${F} positive numbers`);
  }
  const classRng = createRng(deriveSeed(seed, 'tabular', 'classes'));
  const z = Array.from({ length: C }, () => Array.from({ length: F }, () => classRng.normal()));
  const rng = createRng(deriveSeed(seed, 'tabular', 'samples'));
  const labels = rng.shuffle(Int32Array.from({ length: n }, (_, i) => i % C));
  const x = new Float32Array(n * F);
  for (let i = 0; i < n; i++) {
    const zc = z[labels[i] as number] as number[];
    for (let j = 0; j < F; j++) {
      x[i * F + j] = (scales[j] as number) * Math.exp(sep * (zc[j] as number) + noise * rng.normal());
    }
  }
  return { name: `tabular(${F}x${C})`, inputShape: [F], numClasses: C, x, y: labels };
}
