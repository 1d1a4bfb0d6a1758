import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { evaluate, scoreLogits } from '../src/evaluate.js';
import { defaultModelSpec } from '../src/model-spec.js';
import { initWeights } from '../src/model.js';
import { personalise } from '../src/personalise.js';
import { trainLocal } from '../src/train.js';
import { blobs, useBackend } from './learning-fixtures.js';

describe('trainLocal / evaluate / personalise', () => {
  const spec = defaultModelSpec([20], 3);
  const shape = [20];
  const train = blobs({ n: 240, seed: 1, spread: 2 });
  const val = blobs({ n: 120, seed: 2, spread: 2 });
  const opts = { epochs: 2, batchSize: 16, lr: 0.05, seed: 3 };
  useBackend('wasm');

  it('learns a separable task and lowers the loss', async () => {
    const w0 = initWeights(spec, shape, 3, 1);
    const before = await evaluate(spec, shape, 3, w0, val);
    const w1 = await trainLocal(spec, shape, 3, w0, train, opts);
    const after = await evaluate(spec, shape, 3, w1, val);
    assert.ok(after.loss < before.loss / 2, `${after.loss} vs ${before.loss}`);
    assert.ok(after.acc > 0.9, `acc ${after.acc}`);
    assert.notDeepEqual(w1, w0);
    assert.deepEqual(
      w1.map((t) => t.name),
      w0.map((t) => t.name),
    );
  });

  it('is reproducible for a seed and depends on it', async () => {
    const w0 = initWeights(spec, shape, 3, 1);
    const a = await trainLocal(spec, shape, 3, w0, train, opts);
    const b = await trainLocal(spec, shape, 3, w0, train, opts);
    const c = await trainLocal(spec, shape, 3, w0, train, { ...opts, seed: 4 });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it('runs a fixed number of steps when asked (one step of SGD moves the weights a little)', async () => {
    const w0 = initWeights(spec, shape, 3, 1);
    const one = await trainLocal(spec, shape, 3, w0, train, { steps: 1, batchSize: 16, lr: 0.05, seed: 1 });
    const many = await trainLocal(spec, shape, 3, w0, train, { steps: 40, batchSize: 16, lr: 0.05, seed: 1 });
    const dist = (a: typeof w0, b: typeof w0): number =>
      Math.sqrt(
        a.reduce((s, t, i) => s + t.values.reduce((q, v, j) => q + (v - b[i]!.values[j]!) ** 2, 0), 0),
      );
    assert.ok(dist(one, w0) > 0);
    assert.ok(dist(many, w0) > 3 * dist(one, w0), `${dist(many, w0)} vs ${dist(one, w0)}`);
  });

  it('does not leak tensors across repeated calls', async () => {
    const w0 = initWeights(spec, shape, 3, 1);
    await trainLocal(spec, shape, 3, w0, train, { steps: 5, batchSize: 16, lr: 0.05, seed: 1 });
    await evaluate(spec, shape, 3, w0, val);
    const start = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      await trainLocal(spec, shape, 3, w0, train, {
        steps: 5,
        batchSize: 16,
        lr: 0.05,
        momentum: 0.9,
        seed: i,
      });
      await evaluate(spec, shape, 3, w0, val);
    }
    assert.equal(tf.memory().numTensors, start);
  });

  it('scores logits: accuracy, loss and balanced accuracy', () => {
    // 3 samples of class 0 (2 right), 1 of class 1 (right): acc 3/4, balanced (2/3 + 1) / 2.
    const logits = Float32Array.from([5, 0, 5, 0, 0, 5, 0, 5]);
    const r = scoreLogits(logits, Int32Array.from([0, 0, 0, 1]), 2);
    assert.equal(r.acc, 0.75);
    assert.ok(Math.abs(r.balancedAcc - (2 / 3 + 1) / 2) < 1e-12);
    const lp = Math.log(1 + Math.exp(-5));
    assert.ok(Math.abs(r.loss - (3 * lp + (5 + lp)) / 4) < 1e-6);
  });

  it('personalise adapts on the train split and reports before/after on val', async () => {
    const w0 = initWeights(spec, shape, 3, 1);
    const r = await personalise(spec, shape, 3, w0, train, val, {
      steps: 30,
      batchSize: 16,
      lr: 0.05,
      seed: 1,
    });
    assert.ok(r.after.loss < r.before.loss);
    assert.deepEqual(r.before, await evaluate(spec, shape, 3, w0, val));
    const none = await personalise(spec, shape, 3, w0, train, val, {
      steps: 0,
      batchSize: 16,
      lr: 0.05,
      seed: 1,
    });
    assert.deepEqual(none.after, none.before);
  });
});
