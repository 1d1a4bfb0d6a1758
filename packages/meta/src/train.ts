import * as tf from '@tensorflow/tfjs-core';
import { EventLoopPacer, fillBatch, featureSize } from './batches.js';
import { assertTrainable, getModelWeights, setModelWeights, withModel } from './model.js';
import type { ModelSpec } from './model-spec.js';
import { createRng } from './rng.js';
import type { Dataset, WeightSet } from './types.js';

/** Inner-loop options: run `steps` mini-batch steps if given, else `epochs` passes (default 1). */
export interface TrainOptions {
  epochs?: number;
  steps?: number;
  batchSize: number;
  lr: number;
  /** Momentum in [0, 1); 0 (default) is plain SGD. State does not persist across calls. */
  momentum?: number;
  seed: number;
}

/** Trains a copy of `weights` on `data` with mini-batch SGD (seeded shuffling); returns the new weights. */
export async function trainLocal(
  spec: ModelSpec,
  inputShape: number[],
  numClasses: number,
  weights: WeightSet,
  data: Dataset,
  opts: TrainOptions,
): Promise<WeightSet> {
  const n = data.y.length;
  if (n === 0) throw new Error('trainLocal: empty dataset');
  if (featureSize(data) !== inputShape.reduce((a, b) => a * b, 1))
    throw new Error(
      `trainLocal: data input shape [${data.inputShape}] does not fit model input [${inputShape}]`,
    );
  if (!(opts.batchSize >= 1) || !(opts.lr > 0))
    throw new Error('trainLocal: batchSize >= 1 and lr > 0 required');
  assertTrainable(spec);
  // Checked before taking the model so a bad call fails without waiting for other users.
  const bs = Math.min(Math.floor(opts.batchSize), n);
  const stepsPerEpoch = Math.ceil(n / bs);
  const totalSteps = opts.steps ?? Math.round((opts.epochs ?? 1) * stepsPerEpoch);
  const d = featureSize(data);
  const m = opts.momentum ?? 0;

  return withModel(spec, inputShape, numClasses, async (built) => {
    setModelWeights(built, weights);
    const rng = createRng(opts.seed);
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    const xBuf = new Float32Array(bs * d);
    const yBuf = new Float32Array(bs * numClasses);
    const pacer = new EventLoopPacer();
    const optimizer = m > 0 ? tf.train.momentum(opts.lr, m) : tf.train.sgd(opts.lr);
    try {
      let pos = n; // forces a shuffle before the first batch
      for (let step = 0; step < totalSteps; step++) {
        // Between steps only: a step is one synchronous tidy, so nothing else can observe a half-done update.
        await pacer.pace();
        if (pos >= n) {
          rng.shuffle(order);
          pos = 0;
        }
        const end = Math.min(pos + bs, n);
        const b = end - pos;
        fillBatch(data, order, pos, end, xBuf, yBuf);
        pos = end;
        tf.tidy(() => {
          const xs = tf.tensor(b === bs ? xBuf : xBuf.subarray(0, b * d), [b, ...inputShape]);
          const ys = tf.tensor2d(b === bs ? yBuf : yBuf.subarray(0, b * numClasses), [b, numClasses]);
          optimizer.minimize(
            () =>
              tf.losses.softmaxCrossEntropy(
                ys,
                built.model.apply(xs, { training: true }) as tf.Tensor,
              ) as tf.Scalar,
            false,
            built.variables,
          );
        });
      }
      return getModelWeights(built);
    } finally {
      optimizer.dispose();
      // tfjs 4.22's MomentumOptimizer.dispose() forgets the learning-rate scalar its SGD base class keeps.
      if (m > 0) (optimizer as unknown as { c?: tf.Tensor }).c?.dispose();
    }
  });
}
