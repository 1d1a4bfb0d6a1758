import assert from 'node:assert/strict';
import {
  augmentMember,
  clusterLabelCounts,
  headFineTune,
  inputStatsOf,
  teacherClusters,
  topUpCounts,
} from '../src/augment/index.js';
import type { TaskModel } from '../src/augment/index.js';
import { selectSamples, type Dataset } from '../src/data/index.js';
import { evaluate } from '../src/evaluate.js';
import { defaultAugmentSpec, isRunningStat } from '../src/model-spec.js';
import { initWeights } from '../src/model.js';
import { trainLocal } from '../src/train.js';
import type { WeightSet } from '../src/types.js';
import { blobs, useBackend } from './learning-fixtures.js';

/** Recall of class c on `data`, from the model's argmax. */
async function recall(task: TaskModel, w: WeightSet, data: Dataset, c: number): Promise<number> {
  const idx = [...data.y.keys()].filter((i) => data.y[i] === c);
  return (await evaluate(task.spec, task.inputShape, task.numClasses, w, selectSamples(data, idx))).acc;
}

describe('zero-shot augmentation steps: member top-up, teachers, head fine-tune', () => {
  useBackend('wasm');

  const task: TaskModel = { spec: defaultAugmentSpec([20], 3), inputShape: [20], numClasses: 3 };
  const train = blobs({ n: 300, seed: 1 });
  const test = blobs({ n: 300, seed: 2 });
  let w: WeightSet;

  before(async () => {
    w = await trainLocal(task.spec, [20], 3, initWeights(task.spec, [20], 3, 1), train, {
      epochs: 3,
      batchSize: 32,
      lr: 0.1,
      seed: 1,
    });
  });

  describe('augmentMember', () => {
    // Classes 0 and 1 (100 samples each) and 10 samples of class 2; or no class 2 at all.
    const fewOfTwo = selectSamples(
      train,
      [...train.y.keys()].filter((i) => train.y[i] !== 2 || i % 30 === 2),
    );
    const noTwo = selectSamples(
      train,
      [...train.y.keys()].filter((i) => train.y[i] !== 2),
    );

    it('tops up the classes below the threshold share, and only those', async () => {
      // 210 samples, threshold 10 %: class 2 (10 samples) is brought up to 21.
      assert.deepEqual([...topUpCounts(fewOfTwo, 0.1)], [[2, 11]]);
      const { data, report } = await augmentMember(task, w, fewOfTwo, { threshold: 0.1, seed: 1, steps: 50 });
      assert.equal(report.made, 11);
      assert.deepEqual(report.classes, [2]);
      assert.equal(data.y.length, 221);
      assert.deepEqual(data.x.subarray(0, fewOfTwo.x.length), fewOfTwo.x);
      assert.ok([...data.y.subarray(210)].every((c) => c === 2));
      assert.ok(report.diagnostics!.hitRate >= 0.9);
      const none = await augmentMember(task, w, train, { threshold: 0.1, seed: 1 });
      assert.equal(none.report.made, 0);
      assert.equal(none.data, train);
    });

    it('keeps a class the member barely has from being forgotten by its local steps', async () => {
      const opts = { epochs: 5, batchSize: 16, lr: 0.3, seed: 2 };
      const plain = await trainLocal(task.spec, [20], 3, w, noTwo, opts);
      const { data } = await augmentMember(task, w, noTwo, {
        threshold: 0.2,
        seed: 1,
        inputStats: inputStatsOf(train),
      });
      const augmented = await trainLocal(task.spec, [20], 3, w, data, opts);
      const before = await recall(task, w, test, 2);
      const lost = await recall(task, plain, test, 2);
      const kept = await recall(task, augmented, test, 2);
      assert.ok(before >= 0.95, `start ${before}`);
      assert.ok(kept >= 0.9 && kept >= lost + 0.1, `class-2 recall: plain ${lost}, augmented ${kept}`);
    });
  });

  describe('teachers', () => {
    it('teacherClusters keeps classes the cluster has, else picks the largest share elsewhere', () => {
      const counts = [
        [50, 50, 0, 0, 0],
        [0, 10, 90, 0, 0],
        [0, 0, 30, 70, 0],
      ];
      assert.deepEqual([...teacherClusters(counts, 0, 0.05)].sort(), [
        [2, 1],
        [3, 2],
      ]);
      // Class 1 is 10 % of cluster 1: its own; class 4 nobody has: its own model, for what it is worth.
      assert.deepEqual([...teacherClusters(counts, 1, 0.05)].sort(), [
        [0, 0],
        [3, 2],
      ]);
      assert.throws(() => teacherClusters(counts, 3, 0.05), /no cluster 3/);
    });

    it("clusterLabelCounts sums the members' histograms by sample count and skips malformed ones", () => {
      const counts = clusterLabelCounts(
        [
          { sampleCount: 100, labelHist: [0.5, 0.5, 0] },
          { sampleCount: 50, labelHist: [0, 0.2, 0.8] },
          { sampleCount: 10, labelHist: [1, 0] },
          { sampleCount: 10, labelHist: [NaN, -1, 1] },
        ],
        3,
      );
      assert.deepEqual(counts, [50, 60, 50]);
    });

    it('makes a class the own model never saw from a teacher that did, and teaches it', async () => {
      const noTwo = selectSamples(
        train,
        [...train.y.keys()].filter((i) => train.y[i] !== 2),
      );
      const theta = await trainLocal(task.spec, [20], 3, initWeights(task.spec, [20], 3, 1), noTwo, {
        epochs: 3,
        batchSize: 32,
        lr: 0.1,
        seed: 1,
      });
      assert.ok((await recall(task, theta, test, 2)) < 0.05);
      const { data, report } = await augmentMember(task, theta, noTwo, {
        threshold: 0.2,
        seed: 1,
        steps: 100,
        inputStats: inputStatsOf(train),
        teachers: [{ weights: w, classes: [2] }],
      });
      assert.deepEqual(report.classes, [2]);
      assert.ok(report.diagnostics!.hitRate >= 0.9, `teacher hit rate ${report.diagnostics!.hitRate}`);
      const taught = await trainLocal(task.spec, [20], 3, theta, data, {
        epochs: 3,
        batchSize: 16,
        lr: 0.1,
        seed: 2,
      });
      const r2 = await recall(task, taught, test, 2);
      assert.ok(r2 >= 0.8, `class-2 recall after training on the teacher's samples: ${r2}`);
    });
  });

  describe('headFineTune', () => {
    it('fine-tunes on a balanced synthetic set, keeping the running statistics', async () => {
      const { weights, report } = await headFineTune(task, w, { seed: 1, perClass: 10, steps: 50 });
      assert.equal(report.made, 30);
      assert.deepEqual(report.classes, [0, 1, 2]);
      w.forEach((t, i) => {
        if (isRunningStat(t.name)) assert.deepEqual(weights[i]!.values, t.values);
      });
      assert.ok(
        weights.some((t, i) => !isRunningStat(t.name) && t.values.some((v, j) => v !== w[i]!.values[j])),
      );
      assert.ok((await evaluate(task.spec, [20], 3, weights, test)).acc >= 0.9);
    });
  });
});
