import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs-core';
import { evaluate, scoreLogits } from '../src/evaluate.js';
import { defaultModelSpec } from '../src/model-spec.js';
import { initWeights } from '../src/model.js';
import { personalise } from '../src/personalise.js';
import { trainLocal } from '../src/train.js';
import type { WeightSet } from '../src/types.js';
import { blobs, useBackend } from './learning-fixtures.js';

/** A short digest of names, shapes and the exact float32 bits of a weight set. */
function digest(w: WeightSet): string {
  const h = createHash('sha256');
  for (const t of w) {
    h.update(t.name + t.shape.join(','));
    h.update(Buffer.from(t.values.buffer, t.values.byteOffset, t.values.byteLength));
  }
  return h.digest('hex').slice(0, 16);
}

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

  it('adam and gradient clipping: no leaked tensors; a clipped SGD step moves at most lr x clipNorm', async () => {
    const w0 = initWeights(spec, shape, 3, 1);
    await trainLocal(spec, shape, 3, w0, train, {
      steps: 3,
      batchSize: 16,
      lr: 0.01,
      optimizer: 'adam',
      clipNorm: 1,
      seed: 1,
    });
    const start = tf.memory().numTensors;
    for (let i = 0; i < 3; i++)
      await trainLocal(spec, shape, 3, w0, train, {
        steps: 5,
        batchSize: 16,
        lr: 0.01,
        optimizer: 'adam',
        clipNorm: 1,
        seed: i,
      });
    assert.equal(tf.memory().numTensors, start);
    const dist = (a: typeof w0): number =>
      Math.sqrt(
        a.reduce((s, t, i) => s + t.values.reduce((q, v, j) => q + (v - w0[i]!.values[j]!) ** 2, 0), 0),
      );
    const raw = { ...train, x: train.x.map((v) => v * 1000) };
    const free = await trainLocal(spec, shape, 3, w0, raw, { steps: 1, batchSize: 16, lr: 0.1, seed: 1 });
    const clipped = await trainLocal(spec, shape, 3, w0, raw, {
      steps: 1,
      batchSize: 16,
      lr: 0.1,
      clipNorm: 2,
      seed: 1,
    });
    assert.ok(dist(free) > 1, `unclipped step ${dist(free)}`);
    assert.ok(dist(clipped) <= 0.2 + 1e-4, `clipped step ${dist(clipped)}`);
    await assert.rejects(
      trainLocal(spec, shape, 3, w0, train, { steps: 1, batchSize: 16, lr: 0.1, clipNorm: -1, seed: 1 }),
      /clipNorm/,
    );
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

  describe('bit-exact results (cpu backend, pure JS arithmetic)', () => {
    useBackend('cpu');

    it('matches digests recorded before training yielded to the event loop', async () => {
      // Recorded with the fully synchronous implementation; any change in the arithmetic or the
      // batch order (seeded shuffles) changes these.
      const w0 = initWeights(spec, shape, 3, 1);
      const a = await trainLocal(spec, shape, 3, w0, train, opts);
      assert.equal(digest(a), '26f4cb89d1e53833');
      const b = await trainLocal(spec, shape, 3, w0, train, {
        steps: 25,
        batchSize: 16,
        lr: 0.05,
        momentum: 0.9,
        seed: 7,
      });
      assert.equal(digest(b), 'aa0c25c6ada687da');
      const p = await personalise(spec, shape, 3, w0, train, val, {
        steps: 30,
        batchSize: 16,
        lr: 0.05,
        seed: 1,
      });
      assert.equal(digest(p.weights), '75bd2fad10d1bb8d');
      assert.equal(p.after.loss, 0.12343724677171365);
    });
  });

  describe('yielding to the event loop and sharing the cached model', () => {
    // ~0.5 ms per step on wasm: a few hundred steps span several 40 ms yield slices.
    const long = { steps: 300, batchSize: 32, lr: 0.05, seed: 5 };
    const trainB = blobs({ n: 300, seed: 7, spread: 1.5, perm: [2, 0, 1] });

    it('concurrent trainLocal / evaluate calls equal the same calls run one after another', async () => {
      const wA = initWeights(spec, shape, 3, 11);
      const wB = initWeights(spec, shape, 3, 12);
      const seqA = await trainLocal(spec, shape, 3, wA, train, long);
      const seqB = await trainLocal(spec, shape, 3, wB, trainB, { ...long, momentum: 0.9, seed: 6 });
      const seqEval = await evaluate(spec, shape, 3, wB, val);
      let turns = 0;
      const ticker = setInterval(() => turns++, 1);
      try {
        const [parA, parEval, parB, parEval2] = await Promise.all([
          trainLocal(spec, shape, 3, wA, train, long),
          evaluate(spec, shape, 3, wB, val),
          trainLocal(spec, shape, 3, wB, trainB, { ...long, momentum: 0.9, seed: 6 }),
          evaluate(spec, shape, 3, wB, val),
        ]);
        assert.deepEqual(parA, seqA);
        assert.deepEqual(parB, seqB);
        assert.deepEqual(parEval, seqEval);
        assert.deepEqual(parEval2, seqEval);
      } finally {
        clearInterval(ticker);
      }
      // The calls really did yield mid-run (otherwise this test would not exercise the lock).
      assert.ok(turns >= 2, `timer ran ${turns} times`);
    });

    it('a failing call releases the model for the next one', async () => {
      const w0 = initWeights(spec, shape, 3, 1);
      const [bad, good] = await Promise.allSettled([
        trainLocal(spec, shape, 3, w0.slice(1), train, long),
        evaluate(spec, shape, 3, w0, val),
      ]);
      assert.equal(bad.status, 'rejected');
      assert.deepEqual(good, { status: 'fulfilled', value: await evaluate(spec, shape, 3, w0, val) });
    });

    it('keeps timers firing during a long trainLocal (max gap < 200 ms)', async () => {
      const w0 = initWeights(spec, shape, 3, 1);
      const gaps: number[] = [];
      let last = performance.now();
      const timer = setInterval(() => {
        const now = performance.now();
        gaps.push(now - last);
        last = now;
      }, 10);
      const t0 = performance.now();
      try {
        await trainLocal(spec, shape, 3, w0, train, { ...long, steps: 4000 });
      } finally {
        clearInterval(timer);
      }
      const elapsed = performance.now() - t0;
      gaps.push(performance.now() - last);
      const maxGap = Math.max(...gaps);
      assert.ok(elapsed > 500, `training took only ${elapsed.toFixed(0)} ms: too short to tell`);
      assert.ok(maxGap < 200, `max timer gap ${maxGap.toFixed(0)} ms over ${elapsed.toFixed(0)} ms`);
      assert.ok(gaps.length > elapsed / 60, `${gaps.length} ticks in ${elapsed.toFixed(0)} ms`);
    });
  });
});
