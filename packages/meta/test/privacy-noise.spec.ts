// The Gaussian mechanism on model differences (clip + noise, noise shares) and fingerprint noise,
// including its effect on clustering.
import assert from 'node:assert/strict';
import { adjustedRandIndex } from '../src/ari.js';
import { clusterFingerprints } from '../src/clustering.js';
import { computeFingerprint, isWellFormedFingerprint, type Fingerprint } from '../src/fingerprint.js';
import { clipAndNoise, noiseFingerprint, noiseShare, secureNormals } from '../src/privacy/index.js';
import { createRng } from '../src/rng.js';
import { blobs, ws } from './learning-fixtures.js';

function stats(xs: ArrayLike<number>): { mean: number; std: number } {
  let m = 0;
  for (let i = 0; i < xs.length; i++) m += xs[i]!;
  m /= xs.length;
  let v = 0;
  for (let i = 0; i < xs.length; i++) v += (xs[i]! - m) ** 2;
  return { mean: m, std: Math.sqrt(v / xs.length) };
}

const l2 = (w: { values: Float32Array }[]) =>
  Math.sqrt(w.reduce((s, t) => s + t.values.reduce((a, v) => a + v * v, 0), 0));

describe('privacy: clip and noise', () => {
  it('clips to L2 norm C, leaves smaller updates alone and does not modify its input', () => {
    const big = ws(['k', [2, 2], [3, 4, 0, 0]], ['b', [1], [12]]); // norm 13
    const r = clipAndNoise(big, { clip: 1, sigma: 0, rng: createRng(1) });
    assert.equal(r.norm, 13);
    assert.equal(r.clipped, true);
    assert.ok(Math.abs(l2(r.delta) - 1) < 1e-6);
    assert.deepEqual([...big[0]!.values], [3, 4, 0, 0]);
    const small = clipAndNoise(big, { clip: 20, sigma: 0, rng: createRng(1) });
    assert.equal(small.clipped, false);
    assert.deepEqual([...small.delta[1]!.values], [12]);
    // Raw units: a difference in the thousands is clipped like any other.
    const raw = ws(['w', [3], [10_000, 255, 0.001]]);
    assert.ok(Math.abs(l2(clipAndNoise(raw, { clip: 2, sigma: 0, rng: createRng(1) }).delta) - 2) < 1e-5);
    assert.throws(
      () => clipAndNoise(ws(['w', [1], [NaN]]), { clip: 1, sigma: 0, rng: createRng(1) }),
      /w\[0\]/,
    );
    assert.throws(() => clipAndNoise(big, { clip: 0, sigma: 1, rng: createRng(1) }), /clip/);
  });

  it('adds N(0, sigma^2 C^2) per coordinate', () => {
    const zero = ws(['w', [200_000], new Array<number>(200_000).fill(0)]);
    const r = clipAndNoise(zero, { clip: 0.5, sigma: 1.2, rng: createRng(3) });
    const s = stats(r.delta[0]!.values);
    assert.ok(Math.abs(s.std - 0.6) < 0.01, `std ${s.std}`);
    assert.ok(Math.abs(s.mean) < 0.01);
  });

  it('noise shares of n members sum to the full noise', () => {
    const n = 5;
    const L = 50_000;
    const sum = new Float64Array(L);
    for (let m = 0; m < n; m++) {
      const r = clipAndNoise(ws(['w', [L], new Array<number>(L).fill(0)]), {
        clip: 1,
        sigma: 2 * noiseShare(n),
        rng: createRng(100 + m),
      });
      r.delta[0]!.values.forEach((v, i) => (sum[i]! += v));
    }
    assert.ok(Math.abs(stats(sum).std - 2) < 0.03);
    assert.throws(() => noiseShare(0), /n >= 1/);
  });

  it('secureNormals draws standard normals from the CSPRNG', () => {
    const g = secureNormals();
    const xs = Float64Array.from({ length: 100_000 }, () => g.normal());
    const s = stats(xs);
    assert.ok(Math.abs(s.mean) < 0.02 && Math.abs(s.std - 1) < 0.02, JSON.stringify(s));
    assert.notEqual(secureNormals().normal(), secureNormals().normal());
  });
});

describe('privacy: fingerprint noise', () => {
  const fp = computeFingerprint(blobs({ n: 300, seed: 1 }));

  it('scale 0 is an exact copy; otherwise a well-formed fingerprint with an effective sample count', () => {
    assert.deepEqual(noiseFingerprint(fp, 0, createRng(1)), fp);
    const noisy = noiseFingerprint(fp, 2, createRng(1));
    assert.ok(isWellFormedFingerprint(noisy));
    assert.ok(Math.abs(noisy.labelHist.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    assert.ok(Math.abs(noisy.sampleCount - 300 / 5) < 15, `${noisy.sampleCount}`);
    assert.notDeepEqual(noisy.projMean, fp.projMean);
    assert.throws(() => noiseFingerprint(fp, -1, createRng(1)), /scale/);
  });

  it('adds scale standard errors of noise to each statistic', () => {
    const scale = 3;
    const draws = Array.from({ length: 2000 }, (_, i) => noiseFingerprint(fp, scale, createRng(i)));
    const k = 2;
    const mean = stats(draws.map((d) => d.projMean[k]! - fp.projMean[k]!));
    const want = (scale * fp.projStd[k]!) / Math.sqrt(300);
    assert.ok(Math.abs(mean.std / want - 1) < 0.1, `projMean std ${mean.std} vs ${want}`);
    const c = 1;
    const cls = stats(draws.map((d) => d.classMeans[c]![k]! - fp.classMeans[c]![k]!));
    const wantCls = (scale * fp.projStd[k]!) / Math.sqrt(100);
    assert.ok(Math.abs(cls.std / wantCls - 1) < 0.1, `classMeans std ${cls.std} vs ${wantCls}`);
  });

  it('clustering survives moderate noise, stays calibrated (no spurious splits) and fails only under heavy noise', () => {
    const make = (groups: number, perGroup: number) => {
      const items: { id: string; fp: Fingerprint }[] = [];
      const truth: number[] = [];
      for (let g = 0; g < groups; g++)
        for (let p = 0; p < perGroup; p++) {
          const i = g * perGroup + p;
          items.push({ id: `peer-${i}`, fp: computeFingerprint(blobs({ n: 150, seed: i, shift: g })) });
          truth.push(g);
        }
      return { items, truth };
    };
    const { items, truth } = make(2, 4);
    const ari = (scale: number, seed: number) => {
      const noisy = items.map((it, i) => ({
        id: it.id,
        fp: noiseFingerprint(it.fp, scale, createRng(seed * 100 + i)),
      }));
      const r = clusterFingerprints(noisy);
      return adjustedRandIndex(
        items.map((it) => r.assignment.get(it.id)!),
        truth,
      );
    };
    for (const scale of [0.5, 1, 2])
      for (const seed of [1, 2, 3]) assert.equal(ari(scale, seed), 1, `scale ${scale} seed ${seed}`);
    // Enough noise hides the groups (the test can fail).
    assert.ok([1, 2, 3].some((seed) => ari(10, seed) < 1));
    // One distribution stays one cluster under noise: the effective count keeps the noise model honest.
    const one = make(1, 8).items;
    for (const scale of [1, 3, 10]) {
      const noisy = one.map((it, i) => ({ id: it.id, fp: noiseFingerprint(it.fp, scale, createRng(i + 7)) }));
      assert.equal(clusterFingerprints(noisy).k, 1, `scale ${scale}`);
    }
  });
});
