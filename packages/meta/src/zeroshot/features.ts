/**
 * Inputs -> mid-level features -> compatibility scores. The encoder is either trained (`enc/*`, shared) or
 * fixed random ReLU features (`fenc/*`, derived from the task seed on every peer, never sent). The
 * compatibility head `proj` maps features into the semantic space: score(x, c) = scale * cos(P^T enc(x), s_c)
 * (DeViSE/ALE with a cosine, so that scores of seen and unseen classes are on one scale).
 */
import * as tf from '@tensorflow/tfjs-core';
import { EventLoopPacer } from '../batches.js';
import { sampleLength } from '../data/dataset.js';
import { createRng, deriveSeed } from '../rng.js';
import type { WeightSet } from '../types.js';
import { constants, disposeAll, initDense, initMlp, mlp } from './nets.js';
import { INPUT_CLIP, type ZsTask } from './task.js';

/** True when the generator works in the semantic space (the projection of trained features). */
export function semanticSpace(task: ZsTask): boolean {
  return task.config.generatorSpace === 'semantic' && encoderTrained(task);
}

/** Size of the generator's feature space. */
export function featureSize(task: ZsTask): number {
  if (semanticSpace(task)) return task.semanticDims;
  return task.config.method === 'generator' && task.config.encoder === 'fixed'
    ? task.config.fixedFeatures
    : task.config.features;
}

/** True when the encoder is trained (and shared) rather than fixed. */
export function encoderTrained(task: ZsTask): boolean {
  return task.config.method === 'compat' || task.config.encoder === 'federated';
}

const fixedCache = new Map<string, WeightSet>();

/** The fixed random encoder (He-normal, zero bias), identical on every peer with the same task seed. */
export function fixedEncoder(task: ZsTask): WeightSet {
  const d = sampleLength(task.inputShape);
  const f = task.config.fixedFeatures;
  const key = `${task.seed}:${d}:${f}`;
  let ws = fixedCache.get(key);
  if (!ws) {
    const rng = createRng(deriveSeed(task.seed, 'zeroshot', 'fixed-encoder'));
    const s = Math.sqrt(2 / d);
    const kernel = new Float32Array(d * f);
    for (let i = 0; i < kernel.length; i++) kernel[i] = rng.normal() * s;
    ws = [
      { name: 'fenc/0/kernel', shape: [d, f], values: kernel },
      { name: 'fenc/0/bias', shape: [f], values: new Float32Array(f) },
    ];
    fixedCache.set(key, ws);
  }
  return ws;
}

/** Initial trained-encoder and compatibility-head weights (`enc/*`, `proj/*`). */
export function initEncoder(task: ZsTask, seed: number): WeightSet {
  const rng = createRng(deriveSeed(seed, 'zeroshot', 'encoder'));
  const d = sampleLength(task.inputShape);
  const c = task.config;
  return [
    ...initMlp('enc', [d, c.encoderHidden, c.features], rng),
    ...initDense('proj', c.features, task.semanticDims, rng),
  ];
}

/** Standardised, clipped input rows as a [rows, d] tensor. */
export function standardise(task: ZsTask, rows: Float32Array): tf.Tensor2D {
  const d = task.input.mean.length;
  return tf.tidy(() => {
    const x = tf.tensor2d(rows, [rows.length / d, d]);
    const z = tf.div(tf.sub(x, tf.tensor1d(task.input.mean)), tf.tensor1d(task.input.std));
    return tf.clipByValue(z, -INPUT_CLIP, INPUT_CLIP) as tf.Tensor2D;
  });
}

/** Features of standardised inputs with the encoder held in `vars` (trained `enc` or fixed `fenc`). */
export function encode(task: ZsTask, vars: ReadonlyMap<string, tf.Tensor>, x: tf.Tensor2D): tf.Tensor2D {
  return encoderTrained(task) ? mlp(vars, 'enc', x, 'relu', 'relu') : mlp(vars, 'fenc', x, 'relu', 'relu');
}

/** The semantic vectors of `classes` as a [k, dims] tensor. */
export function semanticRows(task: ZsTask, classes: readonly number[]): tf.Tensor2D {
  const D = task.semanticDims;
  const out = new Float32Array(classes.length * D);
  classes.forEach((c, i) => out.set(task.semantic.subarray(c * D, (c + 1) * D), i * D));
  return tf.tensor2d(out, [classes.length, D]);
}

/** Features projected into the semantic space and normalised: P^T f / |P^T f|. */
export function project(vars: ReadonlyMap<string, tf.Tensor>, f: tf.Tensor2D): tf.Tensor2D {
  const g = tf.add(tf.matMul(f, vars.get('proj/kernel') as tf.Tensor2D), vars.get('proj/bias')!);
  return tf.div(g, tf.add(tf.norm(g, 'euclidean', 1, true), 1e-6)) as tf.Tensor2D;
}

/** Compatibility logits [rows, classes.length] of features `f` against the classes' semantic vectors. */
export function compatLogits(
  task: ZsTask,
  vars: ReadonlyMap<string, tf.Tensor>,
  f: tf.Tensor2D,
  classes: readonly number[],
): tf.Tensor2D {
  return tf.mul(
    tf.matMul(project(vars, f), semanticRows(task, classes), false, true),
    task.config.scoreScale,
  );
}

const EVAL_BATCH = 512;

/** Features of every sample of `x` (rows of the task's input size), computed in batches. */
export async function featuresOf(
  task: ZsTask,
  encoderWeights: WeightSet,
  x: Float32Array,
): Promise<Float32Array> {
  const d = task.input.mean.length;
  const n = x.length / d;
  const F = featureSize(task);
  const out = new Float32Array(n * F);
  const vars = constants(encoderTrained(task) ? encoderWeights : fixedEncoder(task));
  const pacer = new EventLoopPacer();
  try {
    for (let from = 0; from < n; from += EVAL_BATCH) {
      await pacer.pace();
      const to = Math.min(n, from + EVAL_BATCH);
      const f = tf.tidy(() => {
        const e = encode(task, vars, standardise(task, x.subarray(from * d, to * d)));
        return semanticSpace(task) ? tf.mul(project(vars, e), task.config.scoreScale) : e;
      });
      out.set(f.dataSync() as Float32Array, from * F);
      f.dispose();
    }
    return out;
  } finally {
    disposeAll(vars);
  }
}
