import * as tf from '@tensorflow/tfjs-core';
import { EventLoopPacer, fillBatch, featureSize } from './batches.js';
import { assertTrainable, getModelWeights, setModelWeights, withModel } from './model.js';
import type { ModelSpec } from './model-spec.js';
import { createRng } from './rng.js';
import type { Dataset, WeightSet } from './types.js';

/** The inner-loop optimiser: plain SGD, SGD with momentum, or Adam. State never persists across calls. */
export type OptimizerName = 'sgd' | 'momentum' | 'adam';

/** Inner-loop options: run `steps` mini-batch steps if given, else `epochs` passes (default 1). */
export interface TrainOptions {
  epochs?: number;
  steps?: number;
  batchSize: number;
  lr: number;
  /**
   * Optimiser (default: 'momentum' when momentum > 0, else 'sgd'). Adam uses beta1 0.9, beta2 0.999
   * and the backend's epsilon, with fresh moments on every call (a Reptile inner loop from theta).
   */
  optimizer?: OptimizerName;
  /** Momentum in [0, 1) for 'momentum' (0.9 when unset there); 0 (default) with 'sgd'. */
  momentum?: number;
  /** Clip each step's gradient to this global L2 norm (0 or unset: no clipping). */
  clipNorm?: number;
  seed: number;
}

function makeOptimizer(opts: TrainOptions): { optimizer: tf.Optimizer; momentum: boolean } {
  const kind = opts.optimizer ?? ((opts.momentum ?? 0) > 0 ? 'momentum' : 'sgd');
  switch (kind) {
    case 'sgd':
      return { optimizer: tf.train.sgd(opts.lr), momentum: false };
    case 'momentum':
      return { optimizer: tf.train.momentum(opts.lr, opts.momentum || 0.9), momentum: true };
    case 'adam':
      return { optimizer: tf.train.adam(opts.lr, 0.9, 0.999), momentum: false };
    default:
      throw new Error(`trainLocal: unknown optimizer '${String(kind)}' (expected sgd, momentum or adam)`);
  }
}

/** One optimiser step on a batch; with clipNorm the gradient is scaled to at most that global norm. */
function applyStep(
  optimizer: tf.Optimizer,
  loss: () => tf.Scalar,
  variables: tf.Variable[],
  clipNorm: number,
): void {
  if (!(clipNorm > 0)) {
    optimizer.minimize(loss, false, variables);
    return;
  }
  const { value, grads } = optimizer.computeGradients(loss, variables);
  value.dispose();
  const names = Object.keys(grads);
  const sq = tf.addN(names.map((n) => tf.sum(tf.square(grads[n]!))));
  // min(1, clip / norm) without reading the norm back: no GPU/wasm sync per step.
  const factor = tf.minimum(tf.scalar(1), tf.div(tf.scalar(clipNorm), tf.add(tf.sqrt(sq), 1e-12)));
  const clipped: tf.NamedTensorMap = {};
  for (const n of names) clipped[n] = tf.mul(grads[n]!, factor);
  optimizer.applyGradients(clipped);
}

/** Trains a copy of `weights` on `data` with mini-batch steps (seeded shuffling); returns the new weights. */
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
  if (opts.clipNorm !== undefined && !(opts.clipNorm >= 0))
    throw new Error(`trainLocal: clipNorm must be >= 0, got ${opts.clipNorm}`);
  const clipNorm = opts.clipNorm ?? 0;

  return withModel(spec, inputShape, numClasses, async (built) => {
    setModelWeights(built, weights);
    const rng = createRng(opts.seed);
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    const xBuf = new Float32Array(bs * d);
    const yBuf = new Float32Array(bs * numClasses);
    const pacer = new EventLoopPacer();
    const { optimizer, momentum } = makeOptimizer(opts);
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
          applyStep(
            optimizer,
            () =>
              tf.losses.softmaxCrossEntropy(
                ys,
                built.model.apply(xs, { training: true }) as tf.Tensor,
              ) as tf.Scalar,
            built.variables,
            clipNorm,
          );
        });
      }
      return getModelWeights(built);
    } finally {
      optimizer.dispose();
      // tfjs 4.22's MomentumOptimizer.dispose() forgets the learning-rate scalar its SGD base class keeps.
      if (momentum) (optimizer as unknown as { c?: tf.Tensor }).c?.dispose();
    }
  });
}
