import assert from 'node:assert/strict';
import { createRng, deriveSeed, normaliseSeed } from '../src/rng.js';

describe('rng', () => {
  it('repeats the same sequence for the same seed and differs across seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const sa = Array.from({ length: 50 }, () => a.next());
    const sb = Array.from({ length: 50 }, () => b.next());
    const sc = Array.from({ length: 50 }, () => c.next());
    assert.deepEqual(sa, sb);
    assert.notDeepEqual(sa, sc);
    for (const v of sa) assert.ok(v >= 0 && v < 1);
  });

  it('distinguishes large and fractional seeds', () => {
    assert.notEqual(normaliseSeed(1), normaliseSeed(1 + 2 ** 32));
    assert.notEqual(normaliseSeed(1), normaliseSeed(1.5));
    assert.throws(() => createRng(NaN), RangeError);
  });

  it('draws uniform integers in range', () => {
    const r = createRng(7);
    const counts = new Array<number>(5).fill(0);
    for (let i = 0; i < 50000; i++) {
      const v = r.int(5);
      assert.ok(Number.isInteger(v) && v >= 0 && v < 5);
      counts[v] = (counts[v] as number) + 1;
    }
    for (const c of counts) assert.ok(Math.abs(c - 10000) < 500, `count ${c}`);
    assert.throws(() => r.int(0), RangeError);
    assert.throws(() => r.int(2.5), RangeError);
  });

  it('draws normals with the requested mean and std', () => {
    const r = createRng(3);
    const n = 40000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const v = r.normal(2, 3);
      s += v;
      s2 += v * v;
    }
    const mean = s / n;
    const std = Math.sqrt(s2 / n - mean * mean);
    assert.ok(Math.abs(mean - 2) < 0.06, `mean ${mean}`);
    assert.ok(Math.abs(std - 3) < 0.06, `std ${std}`);
  });

  it('draws gammas with mean equal to the shape', () => {
    const r = createRng(5);
    for (const shape of [0.3, 1, 4]) {
      let s = 0;
      for (let i = 0; i < 20000; i++) s += r.gamma(shape);
      assert.ok(Math.abs(s / 20000 - shape) < 0.06 * Math.max(1, shape), `shape ${shape}: mean ${s / 20000}`);
    }
  });

  it('shuffles in place into a permutation, deterministically', () => {
    const a = createRng(9).shuffle(Array.from({ length: 100 }, (_, i) => i));
    const b = createRng(9).shuffle(Int32Array.from({ length: 100 }, (_, i) => i));
    assert.deepEqual(Array.from(b), a);
    assert.deepEqual(
      [...a].sort((x, y) => x - y),
      Array.from({ length: 100 }, (_, i) => i),
    );
    assert.notDeepEqual(
      a,
      Array.from({ length: 100 }, (_, i) => i),
    );
  });

  it('derives independent, reproducible sub-seeds', () => {
    assert.equal(deriveSeed(1, 'peer', 3), deriveSeed(1, 'peer', 3));
    const seeds = new Set([
      deriveSeed(1, 'peer', 3),
      deriveSeed(1, 'peer', 4),
      deriveSeed(2, 'peer', 3),
      deriveSeed(1, 'peer3'),
      deriveSeed(1, 'peer', '3'),
      deriveSeed(1),
    ]);
    assert.equal(seeds.size, 6);
  });
});
