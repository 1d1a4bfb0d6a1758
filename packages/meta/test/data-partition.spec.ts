import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type Dataset,
  labelPermutations,
  loadBuiltin,
  loadDataset,
  partitionDataset,
  readTruth,
  rotateImages,
  splitDataset,
  writePartition,
} from '../src/data/index.js';
import { createRng } from '../src/rng.js';
import { expectDataError, useTempDir } from './data-helpers.js';

/** N samples of [h, w, 1]; pixel 0 of sample i holds i + 1 so shards can be traced back. */
function toy(n: number, numClasses = 4, h = 3, w = 3): Dataset {
  const d = h * w;
  const x = new Float32Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    x[i * d] = i + 1;
    for (let j = 1; j < d; j++) x[i * d + j] = (j * 7 + i) % 5;
    y[i] = i % numClasses;
  }
  return { name: 'toy', inputShape: [h, w, 1], numClasses, x, y };
}

const ids = (ds: Dataset): number[] => {
  const d = ds.x.length / ds.y.length;
  return Array.from({ length: ds.y.length }, (_, i) => ds.x[i * d] as number);
};

describe('data partition and split', () => {
  const tmp = useTempDir();

  describe('splitDataset', () => {
    it('is seeded, disjoint, complete and stratified by label', () => {
      const ds = toy(200, 4);
      const a = splitDataset(ds, { valFraction: 0.25, seed: 5 });
      const b = splitDataset(ds, { valFraction: 0.25, seed: 5 });
      const c = splitDataset(ds, { valFraction: 0.25, seed: 6 });
      assert.deepEqual(ids(a.val), ids(b.val));
      assert.notDeepEqual(ids(a.val), ids(c.val));
      assert.equal(a.val.y.length, 50);
      assert.equal(a.train.y.length, 150);
      const all = [...ids(a.train), ...ids(a.val)].sort((p, q) => p - q);
      assert.deepEqual(
        all,
        Array.from({ length: 200 }, (_, i) => i + 1),
      );
      const hist = [0, 0, 0, 0];
      for (const y of a.val.y) hist[y] = (hist[y] as number) + 1;
      assert.deepEqual(hist, [13, 13, 12, 12]);
      // labels travel with their samples
      for (const [i, id] of ids(a.val).entries()) assert.equal(a.val.y[i], (id - 1) % 4);
    });

    it('keeps both sides non-empty for tiny sets and rejects a bad fraction', () => {
      const s = splitDataset(toy(3, 3), { valFraction: 0.01, seed: 1 });
      assert.equal(s.val.y.length, 1);
      assert.equal(s.train.y.length, 2);
      assert.throws(() => splitDataset(toy(3), { valFraction: 1, seed: 1 }), RangeError);
    });
  });

  describe('partitionDataset', () => {
    it('iid: disjoint shards covering the data, sizes within one, truth all 0, seeded', () => {
      const ds = toy(103);
      const p = partitionDataset(ds, 'iid', 5, 1);
      assert.deepEqual(p.truth, [0, 0, 0, 0, 0]);
      assert.deepEqual(
        p.peers.map((d) => d.y.length),
        [21, 21, 21, 20, 20],
      );
      const all = p.peers.flatMap(ids).sort((a, b) => a - b);
      assert.deepEqual(
        all,
        Array.from({ length: 103 }, (_, i) => i + 1),
      );
      assert.deepEqual(partitionDataset(ds, 'iid', 5, 1).peers.map(ids), p.peers.map(ids));
      assert.notDeepEqual(partitionDataset(ds, 'iid', 5, 2).peers.map(ids), p.peers.map(ids));
    });

    it('dirichlet: disjoint, complete, label-skewed, no empty peer', () => {
      const ds = toy(400, 4);
      const p = partitionDataset(ds, 'dirichlet:0.1', 8, 3);
      const all = p.peers.flatMap(ids).sort((a, b) => a - b);
      assert.deepEqual(
        all,
        Array.from({ length: 400 }, (_, i) => i + 1),
      );
      for (const d of p.peers) assert.ok(d.y.length >= 10, `peer has ${d.y.length}`);
      // With alpha 0.1 most peers are dominated by one class.
      const dominated = p.peers.filter((d) => {
        const h = [0, 0, 0, 0];
        for (const y of d.y) h[y] = (h[y] as number) + 1;
        return Math.max(...h) / d.y.length > 0.6;
      });
      assert.ok(dominated.length >= 5, `${dominated.length} dominated peers`);
    });

    it('rotate:k: round-robin groups, group g rotated by g*360/k', () => {
      const ds = toy(40, 4, 4, 4);
      const p = partitionDataset(ds, 'rotate:4', 8, 1);
      assert.deepEqual(p.truth, [0, 1, 2, 3, 0, 1, 2, 3]);
      assert.deepEqual(p.angles, [0, 90, 180, 270]);
      // Rotating each peer back upright must give original samples (traced by pixel 0) with their labels.
      for (const [i, peer] of p.peers.entries()) {
        let back = peer;
        for (let r = p.truth[i] as number; r % 4 !== 0; r++) back = rotateImages(back, 90);
        assert.deepEqual(Array.from(back.y), Array.from(peer.y));
        // Rotated back to upright, each sample equals an original sample with the same label.
        const d = 16;
        for (let s = 0; s < back.y.length; s++) {
          const row = Array.from(back.x.subarray(s * d, (s + 1) * d));
          const id = row[0] as number;
          assert.deepEqual(row, Array.from(ds.x.subarray((id - 1) * d, id * d)));
          assert.equal(back.y[s], ds.y[id - 1]);
        }
      }
    });

    it('rotates a known image by 90 degrees counter-clockwise, and 45 degrees keeps the centre', () => {
      const img: Dataset = {
        name: 'm',
        inputShape: [3, 3],
        numClasses: 1,
        x: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]),
        y: Int32Array.of(0),
      };
      assert.deepEqual(Array.from(rotateImages(img, 90).x), [3, 6, 9, 2, 5, 8, 1, 4, 7]);
      assert.deepEqual(Array.from(rotateImages(img, 180).x), [9, 8, 7, 6, 5, 4, 3, 2, 1]);
      assert.deepEqual(Array.from(rotateImages(img, -90).x), [7, 4, 1, 8, 5, 2, 9, 6, 3]);
      const rgb: Dataset = { ...img, inputShape: [1, 2, 2], x: Float32Array.from([1, 10, 2, 20]) };
      assert.deepEqual(Array.from(rotateImages(rgb, 180).x), [2, 20, 1, 10]);
      const r45 = rotateImages(img, 45);
      assert.ok(Math.abs((r45.x[4] as number) - 5) < 1e-6);
      assert.throws(() => rotateImages({ ...img, inputShape: [9] }, 90), /image inputShape/);
    });

    it('labelswap:k: group 0 identity, others seeded bijections applied to labels', () => {
      const ds = toy(80, 10);
      const p = partitionDataset(ds, 'labelswap:3', 6, 2);
      assert.deepEqual(p.truth, [0, 1, 2, 0, 1, 2]);
      const perms = p.permutations as number[][];
      assert.deepEqual(perms[0], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      for (const perm of perms)
        assert.deepEqual(
          [...perm].sort((a, b) => a - b),
          [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        );
      for (let a = 0; a < 3; a++)
        for (let b = a + 1; b < 3; b++) assert.ok(perms[a]?.every((v, i) => v !== perms[b]?.[i]));
      for (const [i, peer] of p.peers.entries()) {
        const perm = perms[p.truth[i] as number] as number[];
        ids(peer).forEach((id, s) => assert.equal(peer.y[s], perm[ds.y[id - 1] as number]));
      }
      assert.deepEqual(partitionDataset(ds, 'labelswap:3', 6, 2).permutations, perms);
      // Still bijections when k exceeds what derangements allow.
      const many = labelPermutations(3, 5, createRng(1));
      for (const perm of many) assert.deepEqual([...perm].sort(), [0, 1, 2]);
    });

    it('synthetic:a,b: 60 features, 10 classes, bounded sizes, seeded, truth all 0', () => {
      const p = partitionDataset(toy(1), 'synthetic:1,1', 5, 4);
      assert.deepEqual(p.truth, [0, 0, 0, 0, 0]);
      for (const d of p.peers) {
        assert.deepEqual(d.inputShape, [60]);
        assert.equal(d.numClasses, 10);
        assert.ok(d.y.length >= 100 && d.y.length <= 2000, `size ${d.y.length}`);
        assert.equal(d.x.length, d.y.length * 60);
        for (const y of d.y) assert.ok(y >= 0 && y < 10);
      }
      const q = partitionDataset(toy(1), 'synthetic:1,1', 5, 4);
      assert.deepEqual(Array.from(q.peers[2]?.x ?? []), Array.from(p.peers[2]?.x ?? []));
      const other = partitionDataset(toy(1), 'synthetic:0,0', 5, 4);
      assert.notDeepEqual(Array.from(other.peers[0]?.y ?? []), Array.from(p.peers[0]?.y ?? []));
    });

    it('rejects bad specs and too many peers', () => {
      for (const bad of [
        '',
        'foo',
        'rotate',
        'rotate:0',
        'rotate:1.5',
        'dirichlet:0',
        'dirichlet:x',
        'synthetic:1',
        'iid:3',
      ]) {
        assert.throws(() => partitionDataset(toy(10), bad, 2, 1), /bad partition spec/, bad);
      }
      assert.throws(() => partitionDataset(toy(3), 'iid', 4, 1), /cannot split 3 samples among 4 peers/);
      assert.throws(
        () => partitionDataset({ ...toy(8), inputShape: [9] }, 'rotate:2', 2, 1),
        /image inputShape/,
      );
    });
  });

  describe('writePartition / readTruth', () => {
    it('writes loadable peer folders and truth.json, byte-identical for the same seed', async () => {
      const ds = toy(60, 4, 4, 4);
      const a = await writePartition(tmp.path('pa'), partitionDataset(ds, 'rotate:2', 4, 9), {
        dataset: 'toy',
      });
      await writePartition(tmp.path('pb'), partitionDataset(ds, 'rotate:2', 4, 9), { dataset: 'toy' });
      await writePartition(tmp.path('pc'), partitionDataset(ds, 'rotate:2', 4, 10), { dataset: 'toy' });
      assert.deepEqual(
        a.peerDirs.map((d) => d.slice(-7)),
        ['peer-00', 'peer-01', 'peer-02', 'peer-03'],
      );
      for (const f of [
        'peer-00/x.f32',
        'peer-01/x.f32',
        'peer-03/y.i32',
        'peer-02/ppfm.json',
        'truth.json',
      ]) {
        const [x, y, z] = await Promise.all(['pa', 'pb', 'pc'].map((d) => readFile(tmp.path(d, f))));
        assert.ok(x?.equals(y as Buffer), `${f} identical for the same seed`);
        if (f.endsWith('.f32')) assert.ok(!x?.equals(z as Buffer), `${f} differs for another seed`);
      }
      const parts = partitionDataset(ds, 'rotate:2', 4, 9);
      for (const [i, dir] of a.peerDirs.entries()) {
        const back = await loadDataset(dir);
        const orig = parts.peers[i] as Dataset;
        assert.deepEqual(back.inputShape, [4, 4, 1]);
        assert.equal(back.numClasses, 4);
        assert.deepEqual(Array.from(back.x), Array.from(orig.x));
        assert.deepEqual(Array.from(back.y), Array.from(orig.y));
      }
      await expectDataError(loadDataset(tmp.path('pa')), {
        file: tmp.path('pa'),
        problem: /partition folder/,
      });
      const truth = await readTruth(tmp.path('pa'));
      assert.equal(truth.spec, 'rotate:2');
      assert.equal(truth.seed, 9);
      assert.equal(truth.groups, 2);
      assert.deepEqual(truth.peers, { 'peer-00': 0, 'peer-01': 1, 'peer-02': 0, 'peer-03': 1 });
      assert.deepEqual(truth.truth, [0, 1, 0, 1]);
      assert.deepEqual(truth.meta, { dataset: 'toy' });
    });

    it('removes stale peer folders and reports a truncated or corrupted peer folder', async () => {
      const ds = toy(30);
      await writePartition(tmp.path('pd'), partitionDataset(ds, 'iid', 5, 1));
      const r = await writePartition(tmp.path('pd'), partitionDataset(ds, 'iid', 3, 1));
      assert.deepEqual(Object.keys((await readTruth(tmp.path('pd'))).peers), [
        'peer-00',
        'peer-01',
        'peer-02',
      ]);
      await assert.rejects(loadDataset(tmp.path('pd', 'peer-04')), /missing file/);
      const xFile = join(r.peerDirs[0] as string, 'x.f32');
      const bytes = await readFile(xFile);
      await writeFile(xFile, bytes.subarray(0, bytes.length - 8));
      await expectDataError(loadDataset(r.peerDirs[0] as string), {
        file: xFile,
        record: 9,
        problem: /truncated/,
      });
      const yFile = join(r.peerDirs[1] as string, 'y.i32');
      const yb = await readFile(yFile);
      yb.writeInt32LE(77, 8);
      await writeFile(yFile, yb);
      await expectDataError(loadDataset(r.peerDirs[1] as string), {
        file: join(r.peerDirs[1] as string, 'x.f32'),
        record: 2,
        problem: /unknown label 77/,
      });
      await expectDataError(readTruth(tmp.path('nowhere')), {
        file: tmp.path('nowhere', 'truth.json'),
        problem: /missing file/,
      });
    });
  });

  describe('builtin datasets', () => {
    it('mnist: 10,000 real digits, 10 classes of ~1000, [28, 28, 1] in [0, 1], fixed order, fast', async function () {
      this.timeout(20000);
      const t0 = performance.now();
      const ds = await loadBuiltin('mnist');
      const first = performance.now() - t0;
      assert.equal(ds.y.length, 10000);
      assert.equal(ds.numClasses, 10);
      assert.deepEqual(ds.inputShape, [28, 28, 1]);
      assert.equal(ds.x.length, 10000 * 784);
      const hist = new Array<number>(10).fill(0);
      for (const y of ds.y) hist[y] = (hist[y] as number) + 1;
      for (const h of hist) assert.ok(h > 800 && h < 1200, `class count ${h}`);
      let min = Infinity;
      let max = -Infinity;
      for (const v of ds.x) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      assert.ok(min === 0 && max <= 1 && max > 0.99);
      // Interleaved, not grouped by class.
      assert.ok(new Set(ds.y.subarray(0, 50)).size >= 8);
      const again = await loadBuiltin('mnist');
      assert.deepEqual(again.y, ds.y);
      assert.ok(Buffer.from(again.x.buffer).equals(Buffer.from(ds.x.buffer)));
      again.x[0] = 42; // callers get their own copy
      assert.equal((await loadBuiltin('mnist')).x[0], 0);
      assert.ok(first < 3000, `first load took ${first} ms`);
    });

    it('synthetic: pooled Synthetic(1,1) with 60 features and 10 classes', async () => {
      const ds = await loadBuiltin('synthetic', { seed: 2, devices: 4 });
      assert.deepEqual(ds.inputShape, [60]);
      assert.equal(ds.numClasses, 10);
      assert.equal(ds.x.length, ds.y.length * 60);
      const again = await loadBuiltin('synthetic', { seed: 2, devices: 4 });
      assert.deepEqual(Array.from(again.y), Array.from(ds.y));
    });
  });
});
