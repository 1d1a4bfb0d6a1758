import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type Dataset,
  loadDataset,
  makeTabular,
  partitionDataset,
  writeCsv,
  writePartition,
} from '../src/data/index.js';
import { logSpacedScales } from '../src/data/tabular.js';
import { useTempDir } from './data-helpers.js';

/** Exact equality of labels, classes, shape and float32 values. */
function assertSameData(a: Dataset, b: Dataset): void {
  assert.deepEqual(a.inputShape, b.inputShape);
  assert.equal(a.numClasses, b.numClasses);
  assert.deepEqual(Array.from(a.y), Array.from(b.y));
  assert.equal(a.x.length, b.x.length);
  for (let i = 0; i < a.x.length; i++) assert.equal(a.x[i], b.x[i], `value ${i}`);
}

/** Accuracy of a nearest-centroid classifier trained on the first 70 %, on the rest. */
function nearestCentroidAcc(ds: Dataset, standardise: boolean): number {
  const F = ds.inputShape[0] as number;
  const n = ds.y.length;
  const cut = Math.floor(0.7 * n);
  const mu = new Float64Array(F);
  const sd = new Float64Array(F);
  for (let i = 0; i < cut; i++)
    for (let j = 0; j < F; j++) mu[j] = (mu[j] as number) + (ds.x[i * F + j] as number) / cut;
  for (let i = 0; i < cut; i++)
    for (let j = 0; j < F; j++)
      sd[j] = (sd[j] as number) + ((ds.x[i * F + j] as number) - (mu[j] as number)) ** 2 / cut;
  const f = (i: number, j: number): number =>
    standardise
      ? ((ds.x[i * F + j] as number) - (mu[j] as number)) / Math.sqrt(sd[j] as number)
      : (ds.x[i * F + j] as number);
  const cent = Array.from({ length: ds.numClasses }, () => new Float64Array(F));
  const count = new Array<number>(ds.numClasses).fill(0);
  for (let i = 0; i < cut; i++) {
    const c = ds.y[i] as number;
    count[c] = (count[c] as number) + 1;
    for (let j = 0; j < F; j++)
      (cent[c] as Float64Array)[j] = ((cent[c] as Float64Array)[j] as number) + f(i, j);
  }
  let ok = 0;
  for (let i = cut; i < n; i++) {
    let best = -1;
    let bestD = Infinity;
    cent.forEach((c, k) => {
      let d = 0;
      for (let j = 0; j < F; j++) d += (f(i, j) - (c[j] as number) / (count[k] as number)) ** 2;
      if (d < bestD) [best, bestD] = [k, d];
    });
    if (best === ds.y[i]) ok++;
  }
  return ok / (n - cut);
}

describe('data export: raw-unit CSV and tabular data', () => {
  const tmp = useTempDir();

  describe('writeCsv', () => {
    it('round-trips raw-unit values (0.001 to 10,000) and labels exactly', async () => {
      const ds = makeTabular({ samples: 120, seed: 3, scales: logSpacedScales(13, 0.001, 10_000) });
      const file = tmp.path('raw.csv');
      const res = await writeCsv(ds, file);
      assert.deepEqual(res, { rows: 120, features: 13 });
      const back = await loadDataset(file);
      assertSameData(back, ds);
      const head = (await readFile(file, 'utf8')).split('\n', 1)[0];
      assert.equal(head, ['label', ...Array.from({ length: 13 }, (_, j) => `x${j}`)].join(','));
    });

    it('writes scaled values and integer pixels 0-255', async () => {
      const pixels = Float32Array.from(
        { length: 12 * 4 },
        (_, i) => Math.round((((i * 37) % 256) / 255) * 1000) / 1000,
      );
      const img: Dataset = {
        name: 'img',
        inputShape: [2, 2, 1],
        numClasses: 3,
        x: pixels,
        y: Int32Array.from({ length: 12 }, (_, i) => i % 3),
      };
      await mkdir(tmp.path('img'));
      const file = tmp.path('img', 'px.csv');
      const res = await writeCsv(img, file, { scale: 255, integers: true });
      assert.deepEqual(res.manifest, { inputShape: [2, 2, 1] });
      await writeFile(join(tmp.path('img'), 'ppfm.json'), JSON.stringify(res.manifest));
      const back = await loadDataset(file);
      assert.deepEqual(back.inputShape, [2, 2, 1]);
      assert.deepEqual(
        Array.from(back.x),
        Array.from(pixels, (v) => Math.round(v * 255)),
      );
      assert.ok(back.x.every((v) => Number.isInteger(v) && v >= 0 && v <= 255));
      const syn = makeTabular({ samples: 30, features: 4, seed: 2, scales: [1, 1, 1, 1] });
      await writeCsv(syn, tmp.path('x1000.csv'), { scale: 1000 });
      const big = await loadDataset(tmp.path('x1000.csv'));
      big.x.forEach((v, i) => assert.equal(v, Math.fround((syn.x[i] as number) * 1000)));
    });

    it('returns the manifest a read-back needs: class order, absent classes, quoted names', async () => {
      const ds: Dataset = {
        name: 'named',
        inputShape: [1],
        numClasses: 4,
        classNames: ['zebra', 'ant, red', 'cat', 'unused'],
        x: Float32Array.from({ length: 12 }, (_, i) => i * 1.5),
        y: Int32Array.from({ length: 12 }, (_, i) => i % 3),
      };
      await mkdir(tmp.path('named'));
      const file = tmp.path('named', 'd.csv');
      const res = await writeCsv(ds, file);
      assert.deepEqual(res.manifest, { numClasses: 4, classNames: ['zebra', 'ant, red', 'cat', 'unused'] });
      await writeFile(tmp.path('named', 'ppfm.json'), JSON.stringify(res.manifest));
      const back = await loadDataset(file);
      assertSameData(back, ds);
      assert.deepEqual(back.classNames, ds.classNames);
    });
  });

  describe('CSV partitions', () => {
    it('writes peer-NN/data.csv + ppfm.json that load to the same peers as ppfm-bin', async () => {
      const ds = makeTabular({ samples: 300, classes: 4, seed: 5 });
      const parts = partitionDataset(ds, 'dirichlet:0.2', 4, 9);
      const bin = await writePartition(tmp.path('pbin'), parts);
      const csv = await writePartition(tmp.path('pcsv'), parts, {}, { format: 'csv' });
      for (let p = 0; p < 4; p++) {
        const a = await loadDataset(bin.peerDirs[p] as string);
        const b = await loadDataset(csv.peerDirs[p] as string);
        assertSameData(b, a);
        assert.equal(b.name, a.name);
        const manifest = JSON.parse(await readFile(join(csv.peerDirs[p] as string, 'ppfm.json'), 'utf8')) as {
          numClasses: number;
          group: number;
          file: string;
        };
        assert.equal(manifest.numClasses, 4);
        assert.equal(manifest.file, 'data.csv');
      }
      // Rewriting in the other format leaves no file of the first one behind.
      await writePartition(tmp.path('pcsv'), parts);
      const after = await loadDataset(csv.peerDirs[0] as string);
      assertSameData(after, await loadDataset(bin.peerDirs[0] as string));
      await assert.rejects(readFile(join(csv.peerDirs[0] as string, 'data.csv')), /ENOENT/);
    });
  });

  describe('makeTabular', () => {
    it('is seeded, raw-unit (0.1 to ~1,600 per feature) and learnable once standardised', () => {
      const ds = makeTabular({ features: 13, classes: 3, samples: 600, seed: 1 });
      assert.deepEqual(ds.inputShape, [13]);
      assert.equal(ds.numClasses, 3);
      assert.deepEqual(Array.from(makeTabular({ samples: 600, seed: 1 }).x), Array.from(ds.x));
      assert.notDeepEqual(
        Array.from(makeTabular({ samples: 600, seed: 2 }).x.subarray(0, 13)),
        Array.from(ds.x.subarray(0, 13)),
      );
      const counts = [0, 0, 0];
      ds.y.forEach((c) => (counts[c] = (counts[c] as number) + 1));
      assert.deepEqual(counts, [200, 200, 200]);
      const medians = Array.from({ length: 13 }, (_, j) => {
        const col = Array.from({ length: 600 }, (_, i) => ds.x[i * 13 + j] as number).sort((a, b) => a - b);
        return col[300] as number;
      });
      assert.ok(
        (medians[0] as number) > 0.05 && (medians[0] as number) < 0.2,
        `feature 0 ~0.1: ${medians[0]}`,
      );
      assert.ok(
        (medians[12] as number) > 800 && (medians[12] as number) < 3200,
        `feature 12 ~1600: ${medians[12]}`,
      );
      assert.ok(ds.x.every((v) => v > 0));
      const standardised = nearestCentroidAcc(ds, true);
      const raw = nearestCentroidAcc(ds, false);
      assert.ok(standardised >= 0.9, `standardised nearest centroid ${standardised}`);
      assert.ok(raw < standardised - 0.1, `raw units should hurt: raw ${raw}, standardised ${standardised}`);
    });
  });
});
