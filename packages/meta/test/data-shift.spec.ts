import assert from 'node:assert/strict';
import { makeTabular, parsePartitionSpec, partitionDataset, type Dataset } from '../src/data/index.js';
import { featureStd, SHIFT_MAX_GAIN, SHIFT_MIN_GAIN } from '../src/data/shift.js';

const F = 13;

/** Per-feature means of the peers of one group, pooled. */
function groupMoments(peers: Dataset[]): { mean: number[]; std: number[] } {
  let n = 0;
  const mean = new Array<number>(F).fill(0);
  for (const p of peers) {
    n += p.y.length;
    p.x.forEach((v, i) => (mean[i % F] = (mean[i % F] as number) + v));
  }
  for (let j = 0; j < F; j++) mean[j] = (mean[j] as number) / n;
  const v = new Array<number>(F).fill(0);
  for (const p of peers)
    p.x.forEach((x, i) => (v[i % F] = (v[i % F] as number) + (x - (mean[i % F] as number)) ** 2));
  return { mean, std: v.map((s) => Math.sqrt(s / n)) };
}

describe('shift:<k> partitioner', () => {
  const ds = makeTabular({ features: F, classes: 3, samples: 2400, seed: 7 });

  it('parses shift:<k> and refuses a bad k', () => {
    assert.deepEqual(parsePartitionSpec('shift:3'), { kind: 'shift', k: 3 });
    assert.throws(() => parsePartitionSpec('shift:0'), /shift|k must be/);
    assert.throws(() => parsePartitionSpec('shift'), /k must be/);
  });

  it('splits iid into balanced groups; group 0 untouched, group g an exact affine map of its samples', () => {
    const parts = partitionDataset(ds, 'shift:2', 6, 11);
    assert.deepEqual(parts.truth, [0, 1, 0, 1, 0, 1]);
    assert.equal(parts.groups, 2);
    const shifts = parts.shifts;
    assert.ok(shifts && shifts.length === 2);
    assert.ok(shifts[0]?.scale.every((a) => a === 1) && shifts[0]?.offset.every((b) => b === 0));
    const std = featureStd(ds);
    const g1 = shifts[1] as { scale: number[]; offset: number[] };
    g1.scale.forEach((a) => assert.ok(a >= SHIFT_MIN_GAIN && a <= SHIFT_MAX_GAIN, `gain ${a}`));
    g1.offset.forEach((b, j) => assert.ok(Math.abs(b) <= (std[j] as number), `offset ${b} within 1 std`));
    // Every peer row is exactly fround(a_g * x + b_g) of one original row, each original row used once.
    const index = shifts.map((sh) => {
      const m = new Map<string, number>();
      for (let i = 0; i < ds.y.length; i++) {
        const row = Array.from({ length: F }, (_, j) =>
          Math.fround((sh.scale[j] as number) * (ds.x[i * F + j] as number) + (sh.offset[j] as number)),
        );
        m.set(`${ds.y[i]}:${row.join(',')}`, i);
      }
      return m;
    });
    const seen = new Set<number>();
    parts.peers.forEach((peer, p) => {
      const m = index[parts.truth[p] as number] as Map<string, number>;
      for (let i = 0; i < peer.y.length; i++) {
        const hit = m.get(`${peer.y[i]}:${Array.from(peer.x.subarray(i * F, (i + 1) * F)).join(',')}`);
        assert.ok(hit !== undefined, `peer ${p} sample ${i} is the affine image of an original row`);
        assert.ok(!seen.has(hit), 'each original row once');
        seen.add(hit);
      }
    });
    assert.equal(seen.size, ds.y.length);
  });

  it("group 1's moments are group 0's under the affine map (mean a*m+b, std a*s)", () => {
    const parts = partitionDataset(ds, 'shift:2', 8, 3);
    const g0 = groupMoments(parts.peers.filter((_, p) => parts.truth[p] === 0));
    const g1 = groupMoments(parts.peers.filter((_, p) => parts.truth[p] === 1));
    const s = parts.shifts?.[1] as { scale: number[]; offset: number[] };
    for (let j = 0; j < F; j++) {
      const a = s.scale[j] as number;
      const b = s.offset[j] as number;
      const m0 = g0.mean[j] as number;
      const s0 = g0.std[j] as number;
      // Two iid halves of 1,200 samples: means agree within ~4 standard errors.
      assert.ok(
        Math.abs((g1.mean[j] as number) - (a * m0 + b)) < 4 * a * s0 * Math.sqrt(2 / 1200),
        `mean of feature ${j}`,
      );
      assert.ok(Math.abs((g1.std[j] as number) / (a * s0) - 1) < 0.15, `std of feature ${j}`);
    }
    // Labels are untouched and every group holds every class.
    for (const peer of parts.peers) assert.equal(new Set(peer.y).size, 3);
  });

  it('is seeded: same seed same shifts, another seed other shifts', () => {
    const a = partitionDataset(ds, 'shift:3', 6, 1);
    const b = partitionDataset(ds, 'shift:3', 6, 1);
    const c = partitionDataset(ds, 'shift:3', 6, 2);
    assert.deepEqual(a.shifts, b.shifts);
    assert.deepEqual(Array.from(a.peers[1]?.x ?? []), Array.from(b.peers[1]?.x ?? []));
    assert.notDeepEqual(a.shifts?.[1], c.shifts?.[1]);
    assert.notDeepEqual(a.shifts?.[1], a.shifts?.[2]);
  });
});
