// Fixed point in Z_2^32, ring operations and mask expansion of secure aggregation.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  applyMask,
  chooseFracBits,
  decodeFixedPoint,
  defaultThreshold,
  encodeFixedPoint,
  expandMask,
  meanErrorBound,
  ringAddInto,
  ringSubInto,
  secAggParams,
  sumErrorBound,
  type SecAggParams,
} from '../src/index.js';

const te = new TextEncoder();
const F32_EPS = 2 ** -24;

/** Exact (float64) weighted sum and weight sum of clipped inputs, with weights capped. */
function plain(
  p: SecAggParams,
  inputs: { x: Float32Array; w: number }[],
): { sum: Float64Array; wsum: number } {
  const sum = new Float64Array(p.length);
  let wsum = 0;
  for (const { x, w } of inputs) {
    const wc = Math.min(w, p.maxWeight);
    wsum += wc;
    x.forEach((v, i) => (sum[i]! += wc * Math.max(-p.clip, Math.min(p.clip, v))));
  }
  return { sum, wsum };
}

describe('secagg arithmetic', () => {
  it('defaults to t = floor(2n/3) + 1', () => {
    assert.deepEqual([2, 3, 4, 8, 16, 255].map(defaultThreshold), [2, 3, 3, 6, 11, 171]);
  });

  it('picks the largest fraction bits that cannot overflow 2^31 for n members', () => {
    for (const [n, clip] of [
      [4, 4],
      [16, 4],
      [255, 1000],
      [3, 0.25],
    ] as const) {
      const f = chooseFracBits(n, clip);
      const b = Math.max(clip, 1);
      assert.ok(n * Math.ceil(b * 2 ** f) <= 2 ** 31 - 1, `n=${n} clip=${clip} f=${f}`);
      assert.ok(f === 30 || n * Math.ceil(b * 2 ** (f + 1)) > 2 ** 31 - 1, 'f is the largest');
    }
    assert.equal(chooseFracBits(16, 4), 24);
  });

  it('rejects settings it cannot encode, naming the setting', () => {
    assert.throws(() => secAggParams(1, { length: 3 }), /2\.\.255 members/);
    assert.throws(() => secAggParams(4, { length: 0 }), /length/);
    assert.throws(() => secAggParams(4, { length: 3, clip: 0 }), /clip/);
    assert.throws(() => secAggParams(4, { length: 3, maxWeight: -1 }), /maxWeight/);
    assert.throws(() => secAggParams(4, { length: 3, threshold: 5 }), /threshold/);
    assert.throws(() => secAggParams(200, { length: 3, clip: 2 ** 20 }), /fraction bits/);
  });

  it('n members at the clip bound with maximal weights do not overflow the ring', () => {
    for (const sign of [1, -1]) {
      const p = secAggParams(16, { length: 2, clip: 4, maxWeight: 7 });
      const acc = new Uint32Array(3);
      const x = Float32Array.from([sign * 1e9, sign * 4]); // clipped to +-4
      for (let i = 0; i < 16; i++) ringAddInto(acc, encodeFixedPoint(x, 7, p));
      const d = decodeFixedPoint(acc, p);
      assert.deepEqual([...d.weightedSum], [sign * 16 * 7 * 4, sign * 16 * 7 * 4]);
      assert.equal(d.weightSum, 16 * 7);
    }
  });

  it('the decoded sum equals the plain weighted sum of clipped inputs within n M / 2^(f+1) (property)', () => {
    const input = fc.record({
      x: fc.float32Array({ minLength: 8, maxLength: 8, noNaN: true, noDefaultInfinity: false }),
      w: fc.double({ min: 0, max: 1e4, noNaN: true }),
    });
    fc.assert(
      fc.property(
        fc.array(input, { minLength: 2, maxLength: 12 }),
        fc.constantFrom(0.5, 4, 100),
        fc.constantFrom(1, 10, 5000),
        (inputs, clip, maxWeight) => {
          const p = secAggParams(inputs.length, { length: 8, clip, maxWeight });
          const acc = new Uint32Array(9);
          for (const { x, w } of inputs) ringAddInto(acc, encodeFixedPoint(x, w, p));
          const d = decodeFixedPoint(acc, p);
          const exact = plain(p, inputs);
          const e = sumErrorBound(p, inputs.length);
          assert.ok(Math.abs(d.weightSum - exact.wsum) <= e + F32_EPS * exact.wsum);
          exact.sum.forEach((s, i) => {
            const err = Math.abs(d.weightedSum[i]! - s);
            assert.ok(err <= e + F32_EPS * Math.abs(s) + 1e-300, `coord ${i}: ${err} > ${e}`);
          });
          if (exact.wsum > 2 * e) {
            const bound = meanErrorBound(p, inputs.length, exact.wsum);
            exact.sum.forEach((s, i) => {
              // The head's mean: a ratio of ring integers (the fixed-point unit cancels).
              const got = (acc[i]! | 0) / (acc[8]! | 0);
              assert.ok(Math.abs(got - s / exact.wsum) <= bound + 1e-12, `mean ${i}`);
            });
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('encodes raw-unit data (0.001 .. 10,000, pixels 0..255) clipped to the configured range', () => {
    const p = secAggParams(4, { length: 5, clip: 10000, maxWeight: 1 });
    const x = Float32Array.from([0.001, 255, 10000, 12345, -0.001]);
    const d = decodeFixedPoint(encodeFixedPoint(x, 1, p), p);
    const e = sumErrorBound(p, 1);
    [0.001, 255, 10000, 10000, -0.001].forEach((v, i) =>
      assert.ok(Math.abs(d.weightedSum[i]! - v) <= e + 1e-3 * F32_EPS * v),
    );
    assert.throws(() => encodeFixedPoint(Float32Array.from([0, NaN, 0, 0, 0]), 1, p), /update\[1\] is NaN/);
    assert.throws(() => encodeFixedPoint(new Float32Array(4), 1, p), /4 values/);
    assert.throws(() => encodeFixedPoint(new Float32Array(5), -1, p), /weight/);
  });

  it('ring add and subtract are inverse modulo 2^32', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { minLength: 1, maxLength: 50 }),
        (xs) => {
          const a = Uint32Array.from(xs);
          const b = Uint32Array.from(xs.map((x) => (x * 2654435761) >>> 0));
          const acc = a.slice();
          ringAddInto(acc, b);
          ringSubInto(acc, b);
          assert.deepEqual(acc, a);
        },
      ),
    );
  });

  it('expands masks deterministically, distinct per info and salt, and uniform', () => {
    const seed = new Uint8Array(32).fill(7);
    const salt = te.encode('round-1');
    const a = expandMask(seed, salt, te.encode('pair'), 40000);
    assert.deepEqual(a, expandMask(seed, salt, te.encode('pair'), 40000));
    const b = expandMask(seed, salt, te.encode('self'), 40000);
    const c = expandMask(seed, te.encode('round-2'), te.encode('pair'), 40000);
    const same = (u: Uint32Array, v: Uint32Array) => u.filter((x, i) => x === v[i]).length;
    assert.ok(same(a, b) < 3 && same(a, c) < 3);
    // Chi-square on the top 4 bits: 15 degrees of freedom, 37.7 is the 0.1% critical value.
    const bins = new Array<number>(16).fill(0);
    for (const v of a) bins[v >>> 28]!++;
    const exp = a.length / 16;
    const chi = bins.reduce((s, o) => s + (o - exp) ** 2 / exp, 0);
    assert.ok(chi < 37.7, `chi2 ${chi}`);
  });

  it('a mask applied with +1 and then -1 cancels', () => {
    const v = Uint32Array.from({ length: 100 }, (_, i) => i * 1000);
    const acc = v.slice();
    const seed = new Uint8Array(32).fill(1);
    applyMask(acc, seed, te.encode('s'), te.encode('i'), 1);
    assert.notDeepEqual(acc, v);
    applyMask(acc, seed, te.encode('s'), te.encode('i'), -1);
    assert.deepEqual(acc, v);
  });
});
