import * as tf from '@tensorflow/tfjs-core';
import { selectBackend, type BackendName } from '../src/backend.js';
import { createRng } from '../src/rng.js';
import type { Dataset } from '../src/data/index.js';
import type { WeightSet } from '../src/types.js';

/** A small weight set from plain arrays: [name, shape, values]. */
export function ws(...ts: [string, number[], number[]][]): WeightSet {
  return ts.map(([name, shape, values]) => ({ name, shape, values: Float32Array.from(values) }));
}

/** Values of a weight set as plain arrays (rounded to 1e-6) for deep equality. */
export function vals(w: WeightSet): number[][] {
  return w.map((t) => Array.from(t.values, (v) => Math.round(v * 1e6) / 1e6));
}

/**
 * A separable toy task: `numClasses` Gaussian blobs in `dim` dimensions. `shift` moves every input (a
 * marginal change, like rotation); `perm` relabels classes (a conditional change, like label swap).
 */
export function blobs(opts: {
  n: number;
  dim?: number;
  numClasses?: number;
  seed: number;
  centreSeed?: number;
  shift?: number;
  perm?: number[];
  spread?: number;
}): Dataset {
  const dim = opts.dim ?? 20;
  const C = opts.numClasses ?? 3;
  const centres = createRng(opts.centreSeed ?? 99);
  const mu = Array.from({ length: C }, () => Array.from({ length: dim }, () => centres.normal() * 2));
  const rng = createRng(opts.seed);
  const x = new Float32Array(opts.n * dim);
  const y = new Int32Array(opts.n);
  for (let i = 0; i < opts.n; i++) {
    const c = i % C;
    for (let k = 0; k < dim; k++)
      x[i * dim + k] = mu[c]![k]! + (opts.shift ?? 0) + rng.normal() * (opts.spread ?? 1);
    y[i] = opts.perm ? opts.perm[c]! : c;
  }
  return { name: 'blobs', inputShape: [dim], numClasses: C, x, y };
}

/** Mocha hooks: run the enclosing suite on `name`, restoring the previously active backend afterwards. */
export function useBackend(name: BackendName): void {
  let previous: string | undefined;
  before(async () => {
    previous = tf.getBackend() ?? undefined;
    await selectBackend(name);
  });
  after(async () => {
    if (previous) await tf.setBackend(previous);
  });
}

/** Feature scales of the raw tabular fixture: 13 features, log-spaced from 0.1 to 1600. */
export const RAW_SCALES = Array.from({ length: 13 }, (_, j) => 0.1 * Math.pow(16000, j / 12));

/**
 * A 3-class tabular task in raw units (feature j ~ RAW_SCALES[j] x (base + class offset + noise));
 * `shift` moves every feature by that many of its scale units (another instrument).
 */
export function rawTabular(opts: { n: number; seed: number; shift?: number; noise?: number }): Dataset {
  const F = RAW_SCALES.length;
  const task = createRng(4242);
  const base = RAW_SCALES.map(() => 1 + task.next());
  const centre = Array.from({ length: 3 }, () => RAW_SCALES.map(() => task.normal() * 0.6));
  const rng = createRng(opts.seed);
  const x = new Float32Array(opts.n * F);
  const y = new Int32Array(opts.n);
  for (let i = 0; i < opts.n; i++) {
    const c = i % 3;
    y[i] = c;
    for (let j = 0; j < F; j++)
      x[i * F + j] =
        RAW_SCALES[j]! *
        (base[j]! + centre[c]![j]! + (opts.shift ?? 0) + (opts.noise ?? 0.45) * rng.normal());
  }
  return { name: 'raw-tabular', inputShape: [F], numClasses: 3, x, y };
}
