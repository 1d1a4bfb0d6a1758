import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { inputStatsOf, poolInputStats, synthesise } from '../src/augment/index.js';
import type { InputStats, SynthesisProgress, TaskModel } from '../src/augment/index.js';
import { compileForward } from '../src/augment/bn-forward.js';
import { selectBackend } from '../src/backend.js';
import { loadBuiltin, selectSamples, splitDataset, type Dataset } from '../src/data/index.js';
import { evaluate, predictLogits } from '../src/evaluate.js';
import { defaultAugmentSpec, defaultModelSpec, isRunningStat, type ModelSpec } from '../src/model-spec.js';
import { initWeights, setModelWeights, withModel } from '../src/model.js';
import { trainLocal } from '../src/train.js';
import type { WeightSet } from '../src/types.js';
import { blobs, useBackend } from './learning-fixtures.js';

function tensor(ws: WeightSet, name: string): Float32Array {
  return ws.find((w) => w.name === name)!.values;
}

/**
 * Batch statistics of the synthetic inputs at the model's first batch-norm layer, computed by hand from
 * the weights (h = x.K + b), against the layer's running statistics: the worst feature's mean gap in
 * running-std units and the RMS of |log(batch var / running var)|.
 */
function firstLayerGaps(w: WeightSet, x: Float32Array, d: number): { worstMean: number; rmsLogVar: number } {
  const k = tensor(w, 'layer_1_dense/kernel');
  const bias = tensor(w, 'layer_1_dense/bias');
  const rm = tensor(w, 'layer_2_batchNorm/moving_mean');
  const rv = tensor(w, 'layer_2_batchNorm/moving_variance');
  const units = bias.length;
  const n = x.length / d;
  let worstMean = 0;
  let sumLog = 0;
  for (let u = 0; u < units; u++) {
    let m = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      let h = bias[u]!;
      for (let f = 0; f < d; f++) h += x[i * d + f]! * k[f * units + u]!;
      m += h / n;
      sq += (h * h) / n;
    }
    const v = Math.max(1e-12, sq - m * m);
    worstMean = Math.max(worstMean, Math.abs(m - rm[u]!) / Math.sqrt(rv[u]! + 1e-3));
    sumLog += Math.log((v + 1e-3) / (rv[u]! + 1e-3)) ** 2;
  }
  return { worstMean, rmsLogVar: Math.sqrt(sumLog / units) };
}

describe('zero-shot augmentation', () => {
  useBackend('wasm');

  const task: TaskModel = { spec: defaultAugmentSpec([20], 3), inputShape: [20], numClasses: 3 };
  const train = blobs({ n: 300, seed: 1 });
  let w: WeightSet;

  before(async () => {
    w = await trainLocal(task.spec, [20], 3, initWeights(task.spec, [20], 3, 1), train, {
      epochs: 3,
      batchSize: 32,
      lr: 0.1,
      seed: 1,
    });
  });

  it("its input-gradient forward pass gives the model's own logits (inference mode, dropout off)", async () => {
    const spec: ModelSpec = {
      layers: [
        { type: 'flatten' },
        { type: 'dense', units: 16, activation: 'tanh' },
        { type: 'batchNorm' },
        { type: 'activation', activation: 'relu' },
        { type: 'dropout', rate: 0.5 },
        { type: 'dense', units: 8 },
        { type: 'batchNorm', epsilon: 0.01 },
      ],
    };
    const data = { ...blobs({ n: 12, seed: 3 }), inputShape: [4, 5] };
    const wt = initWeights(spec, [4, 5], 3, 2).map((t) =>
      isRunningStat(t.name) ? { ...t, values: t.values.map((_, j) => 0.5 + (j % 5) / 4) } : t,
    );
    const expected = await predictLogits(spec, [4, 5], 3, wt, data);
    const got = await withModel(spec, [4, 5], 3, async (built) => {
      setModelWeights(built, wt);
      const fwd = compileForward(built, { spec, inputShape: [4, 5], numClasses: 3 });
      const out = tf.tidy(() => {
        const { logits, taps } = fwd.run(tf.tensor(data.x, [12, 4, 5]));
        assert.equal(taps.length, 2);
        return logits;
      });
      fwd.dispose();
      const v = out.dataSync().slice();
      out.dispose();
      return v;
    });
    expected.forEach((v, i) => assert.ok(Math.abs(v - got[i]!) < 1e-4, `logit ${i}: ${got[i]} vs ${v}`));
  });

  describe('synthesise', () => {
    it('makes samples the model classifies as wanted (>= 95 %) with running batch statistics (blobs)', async () => {
      const progress: SynthesisProgress[] = [];
      const r = await synthesise(task, w, {
        classes: [0, 1, 2],
        perClass: 40,
        steps: 200,
        lr: 0.1,
        seed: 3,
        inputStats: inputStatsOf(train),
        onProgress: (p) => progress.push(p),
      });
      assert.equal(r.y.length, 120);
      assert.deepEqual([...r.y.slice(0, 6)], [0, 1, 2, 0, 1, 2]);
      // Classified as wanted, checked by the ordinary evaluation path.
      const syn: Dataset = { ...train, x: r.x, y: r.y };
      const acc = (await evaluate(task.spec, [20], 3, w, syn)).acc;
      assert.ok(acc >= 0.95, `classified as wanted: ${acc}`);
      assert.equal(r.diagnostics.hitRate, acc);
      // Tolerance: every unit's batch mean within 0.1 running std of its running mean, and the batch
      // variances within about 10 % (RMS of the log ratio <= 0.1), recomputed here from the weights.
      const g = firstLayerGaps(w, r.x, 20);
      assert.ok(g.worstMean <= 0.1, `worst mean gap ${g.worstMean} running std`);
      assert.ok(g.rmsLogVar <= 0.1, `variance gap ${g.rmsLogVar}`);
      assert.ok(r.diagnostics.bnMeanGap <= 0.1 && r.diagnostics.bnVarGap <= 0.1);
      assert.equal(r.diagnostics.stopped, 'steps');
      assert.equal(r.diagnostics.steps, 200);
      assert.deepEqual(
        progress.map((p) => p.step),
        Array.from({ length: 20 }, (_, i) => (i + 1) * 10),
      );
      assert.ok(progress.at(-1)!.loss < progress[0]!.loss);
    });

    it('works on real digits: >= 90 % classified as wanted, inside the pixel range', async function () {
      this.timeout(120_000);
      const mnist = await loadBuiltin('mnist');
      const { train: tr, val } = splitDataset(selectSamples(mnist, [...Array(2500).keys()]), {
        valFraction: 0.2,
        seed: 1,
      });
      const digits: TaskModel = {
        spec: defaultAugmentSpec([28, 28, 1], 10),
        inputShape: [28, 28, 1],
        numClasses: 10,
      };
      const wd = await trainLocal(
        digits.spec,
        [28, 28, 1],
        10,
        initWeights(digits.spec, [28, 28, 1], 10, 1),
        tr,
        {
          epochs: 2,
          batchSize: 32,
          lr: 0.3,
          seed: 1,
        },
      );
      assert.ok((await evaluate(digits.spec, [28, 28, 1], 10, wd, val)).acc >= 0.85);
      const r = await synthesise(digits, wd, {
        classes: [...Array(10).keys()],
        perClass: 10,
        steps: 100,
        lr: 0.1,
        seed: 1,
        inputStats: inputStatsOf(tr),
      });
      assert.ok(r.diagnostics.hitRate >= 0.9, `hit rate ${r.diagnostics.hitRate}`);
      assert.ok(r.diagnostics.bnMeanGap <= 0.1, `mean gap ${r.diagnostics.bnMeanGap}`);
      assert.ok(r.diagnostics.bnVarGap <= 0.1, `var gap ${r.diagnostics.bnVarGap}`);
      assert.ok(r.x.every((v) => v >= 0 && v <= 1));
    });

    it('works in raw units (features 0.001 to 10,000) through the input statistics', async () => {
      const scaleOf = (i: number): number => 10 ** ((i % 20) % 8) * 1e-3;
      const raw = (ds: Dataset): Dataset => ({ ...ds, x: ds.x.map((v, i) => (v + 8) * scaleOf(i)) });
      const spec: ModelSpec = {
        // A short memory: the running variance starts at 1, which would swamp features of variance ~1e-6.
        layers: [
          { type: 'batchNorm', epsilon: 1e-9, momentum: 0.5 },
          ...defaultAugmentSpec([20], 3).layers.slice(1),
        ],
      };
      const rawTask: TaskModel = { spec, inputShape: [20], numClasses: 3 };
      const rtrain = raw(train);
      const wr = await trainLocal(spec, [20], 3, initWeights(spec, [20], 3, 1), rtrain, {
        epochs: 5,
        batchSize: 32,
        lr: 0.1,
        seed: 1,
      });
      const stats = inputStatsOf(rtrain);
      const r = await synthesise(rawTask, wr, {
        classes: [0, 1, 2],
        perClass: 30,
        steps: 150,
        lr: 0.1,
        seed: 1,
        inputStats: stats,
      });
      assert.ok(r.diagnostics.hitRate >= 0.9, `hit rate ${r.diagnostics.hitRate}`);
      assert.ok(
        r.diagnostics.bnMeanGap <= 0.1 && r.diagnostics.bnVarGap <= 0.1,
        JSON.stringify(r.diagnostics),
      );
      r.x.forEach((v, i) => {
        const f = i % 20;
        assert.ok(v >= stats.min![f]! && v <= stats.max![f]!, `feature ${f}: ${v} outside the data range`);
      });
    });

    it('leaves no tensors behind', async () => {
      const opts = {
        classes: [0, 1, 2],
        perClass: 4,
        steps: 12,
        lr: 0.1,
        seed: 1,
        onProgress: () => undefined,
      };
      await synthesise(task, w, { ...opts, inputStats: inputStatsOf(train) }); // builds the cached model
      const before = tf.memory().numTensors;
      await synthesise(task, w, { ...opts, inputStats: inputStatsOf(train) });
      await synthesise(task, w, opts);
      assert.equal(tf.memory().numTensors, before);
    });

    it('is reproducible from its seed', async () => {
      const opts = { classes: [2, 0], perClass: 5, steps: 20, lr: 0.1, inputStats: inputStatsOf(train) };
      const a = await synthesise(task, w, { ...opts, seed: 7 });
      const b = await synthesise(task, w, { ...opts, seed: 7 });
      const c = await synthesise(task, w, { ...opts, seed: 8 });
      assert.deepEqual(a.x, b.x);
      assert.notDeepEqual(a.x, c.x);
    });

    it('stops within its time budget plus one step', async () => {
      const budget = 300;
      const t0 = performance.now();
      const r = await synthesise(task, w, {
        classes: [0, 1, 2],
        perClass: 400, // three batches of 400: each gets a third of the budget
        steps: 1_000_000,
        lr: 0.1,
        seed: 1,
        timeBudgetMs: budget,
      });
      const elapsed = performance.now() - t0;
      assert.equal(r.diagnostics.stopped, 'time');
      assert.ok(r.diagnostics.steps >= 3, `${r.diagnostics.steps} steps`);
      // One step may start just before the deadline; the closing forward pass costs less than a step.
      const bound = budget + 2 * r.diagnostics.maxStepMs + 50;
      assert.ok(elapsed <= bound, `took ${elapsed.toFixed(0)} ms, bound ${bound.toFixed(0)} ms`);
      assert.equal(r.y.length, 1200);
    });

    it('stops when aborted', async () => {
      const ac = new AbortController();
      const r = await synthesise(task, w, {
        classes: [0],
        perClass: 10,
        steps: 1_000_000,
        lr: 0.1,
        seed: 1,
        signal: ac.signal,
        onProgress: (p) => p.step >= 30 && ac.abort(),
      });
      assert.equal(r.diagnostics.stopped, 'aborted');
      assert.equal(r.diagnostics.steps, 30);
    });

    it('synthesises for a conv + batch-norm model (trained on cpu) on wasm', async () => {
      const conv: TaskModel = {
        spec: {
          layers: [
            { type: 'conv2d', filters: 4, kernelSize: 3 },
            { type: 'batchNorm', momentum: 0.9 },
            { type: 'activation', activation: 'relu' },
            { type: 'flatten' },
          ],
        },
        inputShape: [6, 6, 1],
        numClasses: 2,
      };
      const images: Dataset = {
        ...blobs({ n: 120, dim: 36, numClasses: 2, seed: 1 }),
        inputShape: [6, 6, 1],
      };
      const opts = {
        classes: [0, 1],
        perClass: 20,
        steps: 100,
        lr: 0.1,
        seed: 1,
        inputStats: inputStatsOf(images),
      };
      const w0 = initWeights(conv.spec, [6, 6, 1], 2, 1);
      // Training a conv needs the filter gradient, which wasm lacks; synthesis needs only the input's.
      await selectBackend('cpu');
      let wc: WeightSet;
      try {
        wc = await trainLocal(conv.spec, [6, 6, 1], 2, w0, images, {
          epochs: 5,
          batchSize: 16,
          lr: 0.1,
          seed: 1,
        });
      } finally {
        await selectBackend('wasm');
      }
      const r = await synthesise(conv, wc, { ...opts, tvWeight: 1e-3 });
      assert.ok(r.diagnostics.hitRate >= 0.9, `hit rate ${r.diagnostics.hitRate}`);
      assert.ok(
        r.diagnostics.bnMeanGap <= 0.1 && r.diagnostics.bnVarGap <= 0.1,
        JSON.stringify(r.diagnostics),
      );
    });

    it('rejects bad requests with a message naming the field', async () => {
      const ok = { classes: [0], perClass: 2, steps: 1, lr: 0.1, seed: 1 };
      await assert.rejects(
        synthesise(task, w, { ...ok, classes: [0, 3] }),
        /classes\[1\] = 3 is not a class of this task \(0\.\.2\)/,
      );
      await assert.rejects(synthesise(task, w, { ...ok, perClass: 0 }), /perClass must be an integer >= 1/);
      await assert.rejects(
        synthesise(task, w, { ...ok, inputStats: { mean: new Float32Array(3), std: new Float32Array(20) } }),
        /inputStats\.mean has 3 values, the model takes 20 features/,
      );
      const plain = { ...task, spec: defaultModelSpec([20], 3) };
      await assert.rejects(synthesise(plain, initWeights(plain.spec, [20], 3, 1), ok), /no batchNorm layer/);
    });
  });

  describe('input statistics', () => {
    it('pools peers exactly as the pooled data would give', () => {
      const a = blobs({ n: 50, seed: 4 });
      const b = blobs({ n: 150, seed: 5, shift: 3 });
      const pooled = poolInputStats([
        { stats: inputStatsOf(a), count: 50 },
        { stats: inputStatsOf(b), count: 150 },
      ]);
      const all: InputStats = inputStatsOf({
        ...a,
        x: Float32Array.from([...a.x, ...b.x]),
        y: Int32Array.from([...a.y, ...b.y]),
      });
      for (let f = 0; f < 20; f++) {
        assert.ok(Math.abs(pooled.mean[f]! - all.mean[f]!) < 1e-4);
        assert.ok(Math.abs(pooled.std[f]! - all.std[f]!) < 1e-4);
        assert.equal(pooled.min![f], all.min![f]);
        assert.equal(pooled.max![f], all.max![f]);
      }
    });
  });
});
