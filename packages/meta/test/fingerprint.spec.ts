import assert from 'node:assert/strict';
import {
  computeFingerprint,
  fingerprintDistance,
  fingerprintDistanceParts,
  isWellFormedFingerprint,
} from '../src/fingerprint.js';
import { blobs } from './learning-fixtures.js';

describe('fingerprint', () => {
  const base = blobs({ n: 300, seed: 1 });

  it('summarises counts, label histogram and projection moments deterministically', () => {
    const fp = computeFingerprint(base);
    assert.equal(fp.sampleCount, 300);
    assert.deepEqual(fp.inputShape, [20]);
    assert.deepEqual(fp.labelHist, [1 / 3, 1 / 3, 1 / 3]);
    assert.equal(fp.projMean.length, 16);
    assert.equal(fp.projStd.length, 16);
    assert.equal(fp.classMeans.length, 3);
    assert.ok(fp.projStd.every((s) => s > 0));
    assert.deepEqual(computeFingerprint(base), fp);
    assert.equal(computeFingerprint(base, { dims: 4 }).projMean.length, 4);
  });

  it('marks absent classes with an empty class mean', () => {
    const ds = blobs({ n: 30, seed: 1, numClasses: 3 });
    const only01 = { ...ds, y: ds.y.map((c) => (c === 2 ? 0 : c)) };
    const fp = computeFingerprint(only01);
    assert.deepEqual(fp.classMeans[2], []);
    assert.equal(fp.labelHist[2], 0);
  });

  it('is near zero between samples of one distribution and large across shifted or relabelled ones', () => {
    const a = computeFingerprint(base);
    const same = computeFingerprint(blobs({ n: 300, seed: 2 }));
    const shifted = computeFingerprint(blobs({ n: 300, seed: 3, shift: 1 }));
    const swapped = computeFingerprint(blobs({ n: 300, seed: 4, perm: [1, 2, 0] }));
    assert.equal(fingerprintDistance(a, a), 0);
    const dSame = fingerprintDistance(a, same);
    assert.ok(fingerprintDistance(a, shifted) > 5 * dSame, 'shift');
    assert.ok(fingerprintDistance(a, swapped) > 5 * dSame, 'label permutation');
    // Label permutation leaves the input marginals identical: only the class term sees it.
    const marginalOnly = { classWeight: 0, marginalWeight: 1, histWeight: 0 };
    assert.ok(fingerprintDistance(a, swapped, marginalOnly) < 2 * fingerprintDistance(a, same, marginalOnly));
    assert.equal(fingerprintDistance(a, shifted), fingerprintDistance(shifted, a));
  });

  it('reports the finite-sample noise level, shrinking with more samples', () => {
    const small = fingerprintDistanceParts(
      computeFingerprint(blobs({ n: 60, seed: 1 })),
      computeFingerprint(blobs({ n: 60, seed: 2 })),
    );
    const big = fingerprintDistanceParts(
      computeFingerprint(base),
      computeFingerprint(blobs({ n: 300, seed: 2 })),
    );
    assert.ok(small.noise2 > big.noise2 * 3);
    // The observed same-distribution distance is of the order of the predicted noise.
    assert.ok(big.d2 < 3 * big.noise2 && big.d2 > big.noise2 / 3, `${big.d2} vs ${big.noise2}`);
  });

  it('puts incompatible tasks (other input shape or class count) far apart', () => {
    const a = computeFingerprint(base);
    const other = computeFingerprint(blobs({ n: 100, seed: 1, dim: 10 }));
    const moreClasses = computeFingerprint(blobs({ n: 100, seed: 1, numClasses: 4 }));
    assert.ok(fingerprintDistance(a, other) >= 100);
    assert.ok(fingerprintDistance(a, moreClasses) >= 100);
    // Malformed input (e.g. from the network) never yields NaN.
    assert.equal(isWellFormedFingerprint(a), true);
    const nan = { ...a, projMean: a.projMean.map((v, i) => (i === 0 ? NaN : v)) };
    const short = { ...a, labelHist: [1] };
    assert.equal(isWellFormedFingerprint(nan), false);
    assert.ok(fingerprintDistance(a, nan) >= 100);
    assert.ok(fingerprintDistance(short, a) >= 100);
  });
});
