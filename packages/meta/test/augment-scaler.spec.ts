import assert from 'node:assert/strict';
import {
  augmentMember,
  headFineTune,
  scalerInputStats,
  snapToLow,
  statsThroughScaler,
  toRawUnits,
  valueRange,
} from '../src/augment/index.js';
import { selectSamples, type Dataset } from '../src/data/index.js';
import { computeFingerprint } from '../src/fingerprint.js';
import { defaultAugmentSpec } from '../src/model-spec.js';
import { DEFAULT_PPFM_CONFIG } from '../src/config.js';
import {
  clusterScaler,
  evaluateModel,
  initModel,
  memberUpdate,
  splitModel,
  type TaskModel,
} from '../src/ppfm/index.js';
import type { WeightSet } from '../src/types.js';
import { add } from '../src/weights.js';
import { poolScaler } from '../src/ppfm/scaler.js';
import { blobs, useBackend } from './learning-fixtures.js';

/** Blobs in raw units: feature j multiplied by 10^(j mod 8 - 3), i.e. 0.001 to 10,000. */
function rawUnits(ds: Dataset): Dataset {
  const d = ds.inputShape[0]!;
  return { ...ds, x: Float32Array.from(ds.x, (v, i) => v * 10 ** (((i % d) % 8) - 3)) };
}

describe('zero-shot augmentation behind the input scaler (raw-unit data)', function () {
  this.timeout(120_000);
  useBackend('wasm');

  const task: TaskModel = { spec: defaultAugmentSpec([20], 3), inputShape: [20], numClasses: 3 };
  const train = rawUnits(blobs({ n: 300, seed: 1 }));
  const cfg = { ...DEFAULT_PPFM_CONFIG, innerEpochs: 5 };
  let theta: WeightSet;

  before(async () => {
    // The learning rule's model: scaler from the fingerprint, then local training behind it.
    const scaler = clusterScaler(task, [computeFingerprint(train, { dims: cfg.fingerprintDims })], cfg);
    const init = initModel(task, scaler, 1);
    const r = await memberUpdate(task, init, train, cfg, 1);
    assert.equal(r.kind, 'update');
    theta = add(init, r.kind === 'update' ? r.delta : []);
    assert.ok((await evaluateModel(task, theta, train)).acc >= 0.95);
  });

  it('maps statistics into scaled units and samples back to raw units exactly', () => {
    const { scaler } = splitModel(theta);
    const s = statsThroughScaler(
      { mean: scaler!.shift, std: Float32Array.from(scaler!.scale, (v) => 1 / v) },
      scaler!,
    );
    for (let j = 0; j < 20; j++) {
      assert.ok(Math.abs(s.mean[j]!) < 1e-6);
      assert.ok(Math.abs(s.std[j]! - 1) < 1e-5);
    }
    const x = Float32Array.from({ length: 40 }, (_, i) => (i % 7) - 3);
    const raw = toRawUnits(x, scaler!);
    // Back through the scaler: the scaled values again (float rounding only).
    raw.forEach((v, i) => {
      const j = i % 20;
      const back = (v - scaler!.shift[j]!) * scaler!.scale[j]!;
      assert.ok(Math.abs(back - x[i]!) < 1e-3 * (1 + Math.abs(x[i]!)), `feature ${j}: ${back} vs ${x[i]}`);
    });
  });

  it('keeps features the cluster saw constant at their mean, and snaps near-background values to it', () => {
    // Feature 0 always 0 (an unlit pixel), feature 1 always 1000, feature 2 varies.
    const scaler = poolScaler([{ count: 10, featureMean: [0, 1000, 0.5], featureStd: [0, 0, 0.2] }], 3);
    const stats = scalerInputStats(scaler, 0, 1000);
    assert.deepEqual([...stats.std].slice(0, 2), [0, 0]);
    assert.ok(Math.abs(stats.std[2]! - 0.2) < 1e-6);
    // A varying feature whose std is just above the relative floor keeps it.
    const small = poolScaler([{ count: 10, featureMean: [100], featureStd: [1.5] }], 1);
    assert.ok(Math.abs(scalerInputStats(small, 0, 1).std[0]! - 1.5) < 1e-4);
    // Synthesis on those statistics leaves the constant features exactly where real samples are.
    const seen = statsThroughScaler(stats, scaler);
    assert.deepEqual([...seen.std].slice(0, 2), [0, 0]);
    const raw = toRawUnits(Float32Array.from([0, 0, 1.5]), scaler);
    assert.deepEqual([...raw].slice(0, 2), [0, 1000]);
    // snapToLow: within 30 % of the range above the low end -> the low end; no bounds -> unchanged.
    const x = Float32Array.from([0.0001, 0.29, 0.31, 0.9, 0.1, 0.5]);
    const b = {
      mean: new Float32Array(3),
      std: new Float32Array(3),
      min: new Float32Array(3),
      max: Float32Array.from([1, 1, 1]),
    };
    assert.deepEqual(
      [...snapToLow(Float32Array.from(x), b, 0.3)],
      [0, 0, Math.fround(0.31), Math.fround(0.9), 0, 0.5],
    );
    assert.deepEqual([...snapToLow(Float32Array.from(x), { mean: b.mean, std: b.std }, 0.3)], [...x]);
    assert.deepEqual([...snapToLow(Float32Array.from(x), b, 0)], [...x]);
  });

  it('member: synthetic samples come back in raw units, inside the range, classified as wanted', async () => {
    const noTwo = selectSamples(
      train,
      [...train.y.keys()].filter((i) => train.y[i] !== 2),
    );
    const { lo, hi } = valueRange(train.x);
    const { scaler } = splitModel(theta);
    const { data, report } = await augmentMember(task, theta, noTwo, {
      threshold: 0.1,
      seed: 1,
      steps: 50,
      inputStats: scalerInputStats(scaler!, lo, hi),
    });
    assert.deepEqual(report.classes, [2]);
    assert.equal(report.made, 20);
    const synthetic = selectSamples(data, [...data.y.keys()].slice(noTwo.y.length));
    assert.ok(synthetic.x.every((v) => v >= lo - 1e-3 * Math.abs(lo) && v <= hi + 1e-3 * Math.abs(hi)));
    // The model, scaler included, sees the raw samples as class 2.
    const acc = (await evaluateModel(task, theta, synthetic)).acc;
    assert.ok(acc >= 0.9, `synthetic class-2 samples classified as 2: ${acc}`);
    // Large-unit features carry large values: the samples are not left in scaled units.
    const d = 20;
    const big = Array.from({ length: synthetic.y.length }, (_, i) => Math.abs(synthetic.x[i * d + 7]!));
    assert.ok(Math.max(...big) > 100, `feature 7 (units of 10^4): ${Math.max(...big)}`);
  });

  it('head: the fine-tuned model keeps its scaler and still classifies real data', async () => {
    const r = await headFineTune(task, theta, { seed: 2, steps: 30, perClass: 10 });
    assert.deepEqual(r.weights[0]!.values, theta[0]!.values);
    assert.deepEqual(r.weights[1]!.values, theta[1]!.values);
    assert.equal(r.report.made, 30);
    assert.ok((await evaluateModel(task, r.weights, train)).acc >= 0.9);
  });
});
