/**
 * The compatibility model (DeViSE/ALE family): encoder + projection into the semantic space, trained with
 * softmax cross-entropy over the seen classes' compatibility scores. It is baseline (b), and the
 * `federated` encoder of the generator method.
 */
import * as tf from '@tensorflow/tfjs-core';
import { EventLoopPacer } from '../batches.js';
import type { Dataset } from '../data/dataset.js';
import { createRng } from '../rng.js';
import type { WeightSet } from '../types.js';
import { compatLogits, encode, standardise } from './features.js';
import { constants, disposeAll, readBack, variables } from './nets.js';
import type { ZsTask } from './task.js';

/** Gathers rows `idx` of a row-major matrix with `width` columns. */
export function gatherRows(x: Float32Array, width: number, idx: ArrayLike<number>): Float32Array {
  const out = new Float32Array(idx.length * width);
  for (let i = 0; i < idx.length; i++) {
    const j = idx[i]!;
    out.set(x.subarray(j * width, (j + 1) * width), i * width);
  }
  return out;
}

/** Trains encoder + projection (`enc/*`, `proj/*` of `weights`) for `steps` Adam steps on `train`. */
export async function trainCompat(
  task: ZsTask,
  weights: WeightSet,
  train: Dataset,
  steps: number,
  seed: number,
): Promise<WeightSet> {
  const n = train.y.length;
  if (n === 0 || steps <= 0) return weights;
  const d = task.input.mean.length;
  const pos = new Map(task.seen.map((c, i) => [c, i]));
  for (let i = 0; i < n; i++)
    if (!pos.has(train.y[i]!))
      throw new Error(`zero-shot: training label ${train.y[i]} is not a seen class of the task`);
  const rng = createRng(seed);
  const bs = Math.min(task.config.batchSize, n);
  const vars = variables(weights);
  const opt = tf.train.adam(task.config.lr);
  const pacer = new EventLoopPacer();
  const idx = new Int32Array(bs);
  const labels = new Int32Array(bs);
  try {
    for (let step = 0; step < steps; step++) {
      await pacer.pace();
      for (let i = 0; i < bs; i++) {
        idx[i] = rng.int(n);
        labels[i] = pos.get(train.y[idx[i]!]!)!;
      }
      const rows = gatherRows(train.x, d, idx);
      tf.tidy(() => {
        const x = standardise(task, rows);
        const y = tf.oneHot(tf.tensor1d(labels, 'int32'), task.seen.length);
        opt.minimize(
          () => tf.losses.softmaxCrossEntropy(y, compatLogits(task, vars, encode(task, vars, x), task.seen)),
          false,
          [...vars.values()],
        );
      });
    }
    return readBack(vars, weights);
  } finally {
    opt.dispose();
    disposeAll(vars);
  }
}

/** Compatibility logits over every class of the task for each row of `x`. */
export async function compatScores(task: ZsTask, weights: WeightSet, x: Float32Array): Promise<Float32Array> {
  const d = task.input.mean.length;
  const n = x.length / d;
  const C = task.numClasses;
  const all = Array.from({ length: C }, (_, c) => c);
  const out = new Float32Array(n * C);
  const vars = constants(weights);
  const pacer = new EventLoopPacer();
  try {
    for (let from = 0; from < n; from += 512) {
      await pacer.pace();
      const to = Math.min(n, from + 512);
      const s = tf.tidy(() =>
        compatLogits(task, vars, encode(task, vars, standardise(task, x.subarray(from * d, to * d))), all),
      );
      out.set(s.dataSync() as Float32Array, from * C);
      s.dispose();
    }
    return out;
  } finally {
    disposeAll(vars);
  }
}
