import assert from 'node:assert/strict';
import { computeFingerprint, featureMoments, MAX_FEATURE_MOMENTS } from '../src/fingerprint.js';
import {
  identityScaler,
  momentsOf,
  poolScaler,
  SCALED_CLIP,
  scaleDataset,
  SCALER_SCALE,
  SCALER_SHIFT,
  splitModel,
  withScaler,
} from '../src/ppfm/index.js';
import type { Dataset } from '../src/types.js';
import { rawTabular, ws } from './learning-fixtures.js';

/** Per-feature mean and population std of the concatenated data, in float64. */
function centralMoments(parts: Dataset[]): { mean: number[]; std: number[] } {
  const d = parts[0]!.inputShape.reduce((a, b) => a * b, 1);
  const sum = new Float64Array(d);
  const sq = new Float64Array(d);
  let n = 0;
  for (const p of parts)
    for (let i = 0; i < p.x.length; i += d) {
      n++;
      for (let j = 0; j < d; j++) sum[j]! += p.x[i + j]!;
    }
  const mean = Array.from(sum, (s) => s / n);
  for (const p of parts)
    for (let i = 0; i < p.x.length; i += d)
      for (let j = 0; j < d; j++) sq[j]! += (p.x[i + j]! - mean[j]!) ** 2;
  return { mean, std: Array.from(sq, (s) => Math.sqrt(s / n)) };
}

const close = (a: number, b: number, rel: number): boolean =>
  Math.abs(a - b) <= rel * Math.max(1, Math.abs(b));

describe('ppfm scaler', () => {
  // Three members of one instrument-shifted task in raw units (features 0.1 .. 1600), unequal sizes.
  const parts = [
    rawTabular({ n: 150, seed: 1 }),
    rawTabular({ n: 90, seed: 2, shift: 0.5 }),
    rawTabular({ n: 300, seed: 3, shift: -0.3 }),
  ];

  it('pools members moments into exactly the moments of the concatenated data', () => {
    const fps = parts.map((p) => computeFingerprint(p));
    const s = poolScaler(fps.map(momentsOf), 13, { relFloor: 0 });
    const c = centralMoments(parts);
    for (let j = 0; j < 13; j++) {
      // float32 on the wire: ~1e-7 relative per moment.
      assert.ok(close(s.shift[j]!, c.mean[j]!, 1e-5), `mean ${j}: ${s.shift[j]} vs ${c.mean[j]}`);
      assert.ok(close(1 / s.scale[j]!, c.std[j]!, 1e-4), `std ${j}: ${1 / s.scale[j]!} vs ${c.std[j]}`);
    }
    // The scaled data is standardised: mean 0, std 1 over all members.
    const scaled = centralMoments(parts.map((p) => scaleDataset(p, s)));
    for (let j = 0; j < 13; j++) {
      assert.ok(Math.abs(scaled.mean[j]!) < 1e-3, `scaled mean ${j} ${scaled.mean[j]}`);
      assert.ok(Math.abs(scaled.std[j]! - 1) < 1e-3, `scaled std ${j} ${scaled.std[j]}`);
    }
  });

  it('is independent of the order of the parts (every peer computes the same bits)', () => {
    const m = parts.map((p) => momentsOf(computeFingerprint(p)));
    const a = poolScaler(m, 13);
    const b = poolScaler([m[2]!, m[0]!, m[1]!], 13);
    assert.deepEqual(a, b);
  });

  it('caps a liar claiming a huge sample count at a few times the median', () => {
    const m = parts.map((p) => momentsOf(computeFingerprint(p)));
    const liar = {
      count: 1e9,
      featureMean: Array.from(m[0]!.featureMean, (v) => v * 1000),
      featureStd: m[0]!.featureStd,
    };
    const attacked = poolScaler([...m, liar], 13, { relFloor: 0 });
    // Counts 90, 150, 300, 1e9: median 225, cap 4 x 225 = 900, so the liar weighs 900 of 1440.
    const w = [150, 90, 300, 900];
    const means = [...m, liar].map((x) => x.featureMean[12]!);
    const expected = means.reduce((s, v, i) => s + w[i]! * v, 0) / 1440;
    assert.ok(close(attacked.shift[12]!, expected, 1e-6), `${attacked.shift[12]} vs ${expected}`);
    assert.ok(attacked.shift[12]! < 0.7 * liar.featureMean[12]!, 'uncapped, the liar would be the mean');
  });

  it('floors the std per feature: offsets and all-zero features do not explode, small units stay standardised', () => {
    const flat = { count: 10, featureMean: [0, 5, 1, 0.1, 1600], featureStd: [0, 0, 2, 0.05, 700] };
    const s = poolScaler([flat], 5, { relFloor: 0.1 });
    assert.equal(s.scale[0], Math.fround(1e6), 'all zero: the absolute floor (values are clipped)');
    assert.ok(close(s.scale[1]!, 1 / 0.5, 1e-6), 'constant 5: floor 0.1 x 5');
    assert.ok(close(s.scale[2]!, 0.5, 1e-6));
    // A feature of 0.1 +- 0.05 next to one of 1600 +- 700 keeps its own standardisation.
    assert.ok(close(s.scale[3]!, 1 / 0.05, 1e-6));
    assert.ok(close(s.scale[4]!, 1 / 700, 1e-6));
    const d: Dataset = {
      name: 'spike',
      inputShape: [5],
      numClasses: 2,
      x: Float32Array.from([0.5, 5, 1, 0.1, 1600]),
      y: Int32Array.from([0]),
    };
    assert.equal(scaleDataset(d, s).x[0], SCALED_CLIP, 'a value where the cluster saw only zeros is clipped');
    assert.deepEqual(
      poolScaler([{ count: 10, featureMean: [NaN, 1, 1], featureStd: [1, 1, 1] }], 3),
      identityScaler(3),
    );
    assert.deepEqual(poolScaler([{ count: 10, featureMean: [], featureStd: [] }], 3), identityScaler(3));
    assert.deepEqual(
      poolScaler([{ count: 0, featureMean: [1, 1, 1], featureStd: [1, 1, 1] }], 3),
      identityScaler(3),
    );
  });

  it('broadcasts global moments (inputs above MAX_FEATURE_MOMENTS features)', () => {
    const big: Dataset = {
      name: 'big',
      inputShape: [MAX_FEATURE_MOMENTS + 4],
      numClasses: 2,
      x: Float32Array.from({ length: 2 * (MAX_FEATURE_MOMENTS + 4) }, (_, i) => (i % 2) * 4),
      y: Int32Array.from([0, 1]),
    };
    const m = featureMoments(big);
    assert.deepEqual(m, { featureMean: [2], featureStd: [2] });
    const s = poolScaler([{ count: 2, ...m }], MAX_FEATURE_MOMENTS + 4);
    assert.equal(s.shift[7], 2);
    assert.equal(s.scale[MAX_FEATURE_MOMENTS + 3], 0.5);
  });

  it('travels as the first two tensors of the model and splits back out', () => {
    const net = ws(['layer_0_dense/kernel', [2, 1], [1, 2]], ['layer_0_dense/bias', [1], [0]]);
    const s = { shift: Float32Array.from([1, 2]), scale: Float32Array.from([3, 4]) };
    const model = withScaler(net, s);
    assert.deepEqual(
      model.map((t) => t.name),
      [SCALER_SHIFT, SCALER_SCALE, 'layer_0_dense/kernel', 'layer_0_dense/bias'],
    );
    const back = splitModel(model);
    assert.deepEqual(back.net, net);
    assert.deepEqual(back.scaler, s);
    assert.deepEqual(withScaler(model, identityScaler(2)).length, 4, 'replaces, never duplicates');
    assert.equal(splitModel(net).scaler, undefined);
    assert.throws(() => splitModel(model.slice(1)), /must both be present/);
  });

  it('scales a dataset once per scaler (cached) and leaves the identity alone', () => {
    const d = parts[0]!;
    const s = poolScaler([momentsOf(computeFingerprint(d))], 13);
    const a = scaleDataset(d, s);
    const b = scaleDataset(d, { shift: new Float32Array(s.shift), scale: new Float32Array(s.scale) });
    assert.equal(a, b, 'same values => the cached copy');
    assert.notEqual(a, d);
    assert.equal(scaleDataset(d, identityScaler(13)), d);
    assert.equal(scaleDataset(d, undefined), d);
    assert.equal(a.x[5], Math.fround((d.x[5]! - s.shift[5]!) * s.scale[5]!));
    assert.throws(() => scaleDataset(d, identityScaler(12)), /12 features/);
  });

  it('fingerprints carry float32 per-feature moments', () => {
    const fp = computeFingerprint(parts[1]!);
    assert.equal(fp.featureMean.length, 13);
    assert.ok(fp.featureMean.every((v) => Math.fround(v) === v));
    assert.ok(fp.featureStd.every((v) => Math.fround(v) === v && v > 0));
    const c = centralMoments([parts[1]!]);
    assert.ok(close(fp.featureMean[12]!, c.mean[12]!, 1e-6));
  });
});
