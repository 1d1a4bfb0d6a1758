import * as tf from '@tensorflow/tfjs-core';
import { EventLoopPacer } from '../batches.js';
import { setModelWeights, withModel } from '../model.js';
import { specHasBatchNorm, type LayerSpec } from '../model-spec.js';
import { createRng } from '../rng.js';
import type { WeightSet } from '../types.js';
import { bnGaps, bnStatsLoss, compileForward, type TappedForward } from './bn-forward.js';
import type {
  InputStats,
  SynthesisDiagnostics,
  SynthesiseOptions,
  SynthesisResult,
  TaskModel,
} from './types.js';

/** Samples optimised together: the batch whose statistics must match the running ones. */
export const SYNTH_BATCH = 512;
const PROGRESS_EVERY = 10;
// Kernels that backpropagation to the inputs needs (wasm has both; its conv lacks only the filter gradient).
const INPUT_GRAD_KERNELS: Partial<Record<LayerSpec['type'], string>> = {
  conv2d: 'Conv2DBackpropInput',
  maxPool2d: 'MaxPoolGrad',
};
const DEFAULTS = { bnWeight: 1, ceWeight: 1, l2Weight: 1e-3, tvWeight: 0 };

function check(task: TaskModel, opts: SynthesiseOptions, d: number): void {
  const bad = (msg: string): Error => new Error(`synthesise: ${msg}`);
  if (!specHasBatchNorm(task.spec))
    throw bad('the model has no batchNorm layer, so there are no running statistics to match');
  const backend = tf.getBackend();
  for (const l of task.spec.layers) {
    const kernel = INPUT_GRAD_KERNELS[l.type];
    if (kernel && !tf.getKernel(kernel, backend))
      throw bad(
        `the '${backend}' backend lacks ${kernel}, needed to reach the inputs through a ${l.type} layer; use --backend cpu`,
      );
  }
  if (opts.classes.length === 0) throw bad('classes is empty');
  opts.classes.forEach((c, i) => {
    if (!Number.isInteger(c) || c < 0 || c >= task.numClasses)
      throw bad(`classes[${i}] = ${c} is not a class of this task (0..${task.numClasses - 1})`);
  });
  if (!Number.isInteger(opts.perClass) || opts.perClass < 1) throw bad('perClass must be an integer >= 1');
  if (!Number.isInteger(opts.steps) || opts.steps < 0) throw bad('steps must be an integer >= 0');
  if (!(opts.lr > 0)) throw bad('lr must be > 0');
  if (opts.timeBudgetMs !== undefined && !(opts.timeBudgetMs >= 0)) throw bad('timeBudgetMs must be >= 0');
  const s = opts.inputStats;
  if (s) {
    for (const [field, arr] of Object.entries({ mean: s.mean, std: s.std, min: s.min, max: s.max })) {
      if (arr !== undefined && arr.length !== d)
        throw bad(`inputStats.${field} has ${arr.length} values, the model takes ${d} features`);
    }
  }
}

/** Standardised-unit box [lo, hi] for z, from the bounds (none: unbounded; std 0: pinned at 0). */
function zBounds(stats: InputStats, d: number): { lo: Float32Array; hi: Float32Array } | undefined {
  if (!stats.min || !stats.max) return undefined;
  const lo = new Float32Array(d);
  const hi = new Float32Array(d);
  for (let j = 0; j < d; j++) {
    const s = stats.std[j]!;
    if (s > 0) {
      lo[j] = (stats.min[j]! - stats.mean[j]!) / s;
      hi[j] = (stats.max[j]! - stats.mean[j]!) / s;
    }
  }
  return { lo, hi };
}

/** Total variation of image inputs ([h, w] or [h, w, c]); undefined for other shapes. */
function totalVariation(x: tf.Tensor, inputShape: number[]): tf.Scalar | undefined {
  if (inputShape.length < 2 || inputShape.length > 3) return undefined;
  const [h, w] = inputShape as [number, number];
  if (h < 2 || w < 2) return undefined;
  const img = tf.reshape(x, [x.shape[0]!, h, w, inputShape[2] ?? 1]);
  const dh = tf.sub(
    tf.slice(img, [0, 1, 0, 0], [-1, -1, -1, -1]),
    tf.slice(img, [0, 0, 0, 0], [-1, h - 1, -1, -1]),
  );
  const dw = tf.sub(
    tf.slice(img, [0, 0, 1, 0], [-1, -1, -1, -1]),
    tf.slice(img, [0, 0, 0, 0], [-1, -1, w - 1, -1]),
  );
  return tf.add(tf.mean(tf.square(dh)), tf.mean(tf.square(dw))) as tf.Scalar;
}

interface Chunk {
  z: Float32Array;
  y: Int32Array;
  deadline: number;
}

interface ChunkOutcome {
  x: Float32Array;
  hits: number;
  meanGap: number;
  varGap: number;
  steps: number;
  stopped: SynthesisDiagnostics['stopped'];
  maxStepMs: number;
}

async function optimiseChunk(
  forward: TappedForward,
  task: TaskModel,
  opts: SynthesiseOptions,
  stats: InputStats,
  chunk: Chunk,
  start: number,
  pacer: EventLoopPacer,
): Promise<ChunkOutcome> {
  const w = { ...DEFAULTS, ...opts };
  const d = stats.mean.length;
  const b = chunk.y.length;
  const bounds = zBounds(stats, d);
  // Tiled to the batch on the host: broadcasting element-wise kernels and Tile are slow on wasm.
  const tile = (row: Float32Array): tf.Tensor2D => {
    const out = new Float32Array(b * d);
    for (let i = 0; i < b; i++) out.set(row, i * d);
    return tf.tensor2d(out, [b, d]);
  };
  const meanT = tile(stats.mean);
  const stdT = tile(stats.std);
  const scale = stats.std.reduce((a, v) => a + v, 0) / d || 1;
  const lo = bounds && tile(bounds.lo);
  const hi = bounds && tile(bounds.hi);
  const z = tf.tidy(() => tf.variable(tf.tensor2d(chunk.z, [b, d])));
  const ys = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(chunk.y, 'int32'), task.numClasses), 'float32'));
  const toX = (zz: tf.Tensor): tf.Tensor =>
    tf.reshape(tf.add(tf.mul(zz, stdT), meanT), [b, ...task.inputShape]);
  const optimizer = tf.train.adam(opts.lr);
  let steps = 0;
  let stopped: SynthesisDiagnostics['stopped'] = 'steps';
  let maxStepMs = 0;
  try {
    if (bounds) tf.tidy(() => z.assign(tf.minimum(tf.maximum(z, lo!), hi!)));
    while (steps < opts.steps) {
      if (opts.signal?.aborted) {
        stopped = 'aborted';
        break;
      }
      await pacer.pace();
      const t0 = performance.now();
      if (t0 >= chunk.deadline) {
        stopped = 'time';
        break;
      }
      const report =
        opts.onProgress !== undefined && ((steps + 1) % PROGRESS_EVERY === 0 || steps + 1 === opts.steps);
      let parts: tf.Tensor | undefined;
      tf.tidy(() => {
        optimizer.minimize(
          () => {
            const x = toX(z);
            const { logits, taps } = forward.run(x);
            const bn = bnStatsLoss(taps);
            const ce = tf.losses.softmaxCrossEntropy(ys, logits) as tf.Scalar;
            let total = tf.add(tf.mul(bn, w.bnWeight), tf.mul(ce, w.ceWeight));
            if (w.l2Weight > 0) total = tf.add(total, tf.mul(tf.mean(tf.square(z)), w.l2Weight));
            const tv = w.tvWeight > 0 ? totalVariation(tf.div(x, scale), task.inputShape) : undefined;
            if (tv) total = tf.add(total, tf.mul(tv, w.tvWeight));
            if (report) parts = tf.keep(tf.stack([total, bn, ce]));
            return total as tf.Scalar;
          },
          false,
          [z],
        );
        if (bounds) z.assign(tf.minimum(tf.maximum(z, lo!), hi!));
      });
      steps++;
      maxStepMs = Math.max(maxStepMs, performance.now() - t0);
      if (parts) {
        const [loss, bnLoss, ceLoss] = Array.from(parts.dataSync());
        parts.dispose();
        opts.onProgress?.({
          step: steps,
          steps: opts.steps,
          loss: loss!,
          bnLoss: bnLoss!,
          ceLoss: ceLoss!,
          ms: performance.now() - start,
        });
      }
    }
    // Final samples and how the model sees them (inference mode, as in training's targets).
    let out: ChunkOutcome | undefined;
    tf.tidy(() => {
      const x = toX(z);
      const { logits, taps } = forward.run(x);
      const gaps = bnGaps(taps);
      const pred = tf.argMax(logits, 1).dataSync();
      let hits = 0;
      for (let i = 0; i < b; i++) if (pred[i] === chunk.y[i]) hits++;
      const values = new Float32Array(x.dataSync() as Float32Array);
      // mean + std * z can land an ulp outside the box the projection of z aimed at.
      if (stats.min && stats.max) {
        for (let i = 0; i < values.length; i++) {
          const j = i % d;
          values[i] = Math.min(stats.max[j]!, Math.max(stats.min[j]!, values[i]!));
        }
      }
      out = { x: values, hits, meanGap: gaps.meanGap, varGap: gaps.varGap, steps, stopped, maxStepMs };
    });
    return out!;
  } finally {
    optimizer.dispose();
    tf.dispose([z, ys, meanT, stdT, ...(lo && hi ? [lo, hi] : [])]);
  }
}

/**
 * Zero-shot synthesis: optimises seeded random inputs so that, at every batch-norm layer, the batch
 * statistics of the layer's input match its running mean and variance, the model assigns each sample its
 * wanted class, and a small prior keeps inputs plausible (L2, total variation for images). Bounded in
 * steps and wall time; samples are interleaved by class and optimised in batches of SYNTH_BATCH.
 */
export async function synthesise(
  task: TaskModel,
  weights: WeightSet,
  opts: SynthesiseOptions,
): Promise<SynthesisResult> {
  const start = performance.now();
  const d = task.inputShape.reduce((a, v) => a * v, 1);
  check(task, opts, d);
  const n = opts.classes.length * opts.perClass;
  const y = Int32Array.from({ length: n }, (_, i) => opts.classes[i % opts.classes.length]!);
  const stats = opts.inputStats ?? { mean: new Float32Array(d), std: new Float32Array(d).fill(1) };
  const rng = createRng(opts.seed);
  const z = Float32Array.from({ length: n * d }, () => rng.normal());
  const budget = opts.timeBudgetMs ?? Infinity;
  const chunks = Math.ceil(n / SYNTH_BATCH);
  return withModel(task.spec, task.inputShape, task.numClasses, async (built) => {
    setModelWeights(built, weights);
    const forward = compileForward(built, task);
    const pacer = new EventLoopPacer();
    const x = new Float32Array(n * d);
    const diag: SynthesisDiagnostics = {
      bnMeanGap: 0,
      bnVarGap: 0,
      hitRate: 0,
      steps: 0,
      stopped: 'steps',
      ms: 0,
      maxStepMs: 0,
    };
    let hits = 0;
    for (let k = 0; k < chunks; k++) {
      const from = Math.floor((k * n) / chunks);
      const to = Math.floor(((k + 1) * n) / chunks);
      // Each batch gets its share of the budget, so a late batch is not left with no steps at all.
      const deadline = start + (budget * (k + 1)) / chunks;
      const r = await optimiseChunk(
        forward,
        task,
        opts,
        stats,
        { z: z.subarray(from * d, to * d), y: y.subarray(from, to), deadline },
        start,
        pacer,
      );
      x.set(r.x, from * d);
      hits += r.hits;
      diag.bnMeanGap = Math.max(diag.bnMeanGap, r.meanGap);
      diag.bnVarGap = Math.max(diag.bnVarGap, r.varGap);
      diag.steps += r.steps;
      diag.maxStepMs = Math.max(diag.maxStepMs, r.maxStepMs);
      if (r.stopped !== 'steps') diag.stopped = r.stopped;
    }
    forward.dispose();
    diag.hitRate = hits / n;
    diag.ms = performance.now() - start;
    return { x, y, inputShape: [...task.inputShape], diagnostics: diag };
  });
}
