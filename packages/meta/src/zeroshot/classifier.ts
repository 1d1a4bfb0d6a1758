/**
 * The local classifier of the generator method: softmax over every class of the task on mid-level
 * features, trained on class-balanced batches of the peer's real features (its own classes) and features
 * generated for every class. It holds the peer's class-specific knowledge and never leaves the peer.
 */
import * as tf from '@tensorflow/tfjs-core';
import { EventLoopPacer } from '../batches.js';
import { createRng, deriveSeed } from '../rng.js';
import type { WeightSet } from '../types.js';
import { featureSize } from './features.js';
import { sampleFeatures } from './generator.js';
import { constants, disposeAll, initDense, mlp, readBack, variables } from './nets.js';
import type { ZsTask } from './task.js';

/** Initial classifier weights `cls/0/*`: features -> classes. */
export function initClassifier(task: ZsTask, seed: number): WeightSet {
  return initDense(
    'cls/0',
    featureSize(task),
    task.numClasses,
    createRng(deriveSeed(seed, 'zeroshot', 'cls')),
  );
}

/**
 * Trains the classifier for `steps` steps. Each batch holds, for every class, `per` generated rows and, for
 * classes with real rows in `feats`/`y`, `per` real ones, so seen and generated classes weigh the same.
 */
export async function trainClassifier(
  task: ZsTask,
  cls: WeightSet,
  gen: WeightSet,
  feats: Float32Array,
  y: Int32Array,
  steps: number,
  seed: number,
): Promise<WeightSet> {
  if (steps <= 0) return cls;
  const F = featureSize(task);
  const C = task.numClasses;
  const byClass = new Map<number, number[]>();
  y.forEach((c, i) => (byClass.get(c) ?? byClass.set(c, []).get(c)!).push(i));
  const all = Array.from({ length: C }, (_, c) => c);
  const per = Math.max(4, Math.round((task.config.batchSize * task.config.syntheticRatio) / C));
  const rng = createRng(seed);
  const vars = variables(cls);
  const opt = tf.train.adam(task.config.lr);
  const pacer = new EventLoopPacer();
  try {
    for (let step = 0; step < steps; step++) {
      await pacer.pace();
      const synth = sampleFeatures(task, gen, all, per, deriveSeed(seed, 'synth', step));
      const realIdx: number[] = [];
      const realY: number[] = [];
      if (task.config.classifierReal)
        for (const [c, rows] of byClass) {
          for (let k = 0; k < per; k++) {
            realIdx.push(rows[rng.int(rows.length)]!);
            realY.push(c);
          }
        }
      const x = new Float32Array((synth.y.length + realIdx.length) * F);
      x.set(synth.x);
      realIdx.forEach((j, i) => x.set(feats.subarray(j * F, (j + 1) * F), (synth.y.length + i) * F));
      const labels = Int32Array.from([...synth.y, ...realY]);
      tf.tidy(() => {
        const xs = tf.tensor2d(x, [labels.length, F]);
        const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), C);
        opt.minimize(
          () => tf.losses.softmaxCrossEntropy(ys, mlp(vars, 'cls', xs, 'relu', 'linear')) as tf.Scalar,
          false,
          [...vars.values()],
        );
      });
    }
    return readBack(vars, cls);
  } finally {
    opt.dispose();
    disposeAll(vars);
  }
}

/** Classifier logits (rows of numClasses) of feature rows. */
export function classifierLogits(task: ZsTask, cls: WeightSet, feats: Float32Array): Float32Array {
  const F = featureSize(task);
  const vars = constants(cls);
  try {
    const out = tf.tidy(() => mlp(vars, 'cls', tf.tensor2d(feats, [feats.length / F, F]), 'relu', 'linear'));
    const v = new Float32Array(out.dataSync() as Float32Array);
    out.dispose();
    return v;
  } finally {
    disposeAll(vars);
  }
}
