import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import pngjs from 'pngjs';
import { loadDataset, MIN_SAMPLES } from '../src/data/index.js';
import { createRng } from '../src/rng.js';
import { expectDataError, useTempDir } from './data-helpers.js';

/** A CSV with one feature column `a` (raw units) and the given labels. */
function csv(labels: (string | number)[], column = 'label'): string {
  return [`a,${column}`, ...labels.map((l, i) => `${(i * 37.5 + 0.001).toFixed(3)},${l}`)].join('\n') + '\n';
}

/** `n` labels cycling through `values`. */
function cycle(values: (string | number)[], n: number): (string | number)[] {
  return Array.from({ length: n }, (_, i) => values[i % values.length] as string | number);
}

function png(side: number, v: number): Buffer {
  const img = new pngjs.PNG({ width: side, height: side });
  img.data.fill(v);
  for (let i = 3; i < img.data.length; i += 4) img.data[i] = 255;
  return pngjs.PNG.sync.write(img);
}

function idx(dims: number[], values: number[]): Buffer {
  const buf = Buffer.alloc(4 + 4 * dims.length + values.length);
  buf[2] = 0x08;
  buf[3] = dims.length;
  dims.forEach((d, i) => buf.writeUInt32BE(d, 4 + 4 * i));
  values.forEach((v, i) => buf.writeUInt8(v, 4 + 4 * dims.length + i));
  return buf;
}

describe('data labels and trainability', () => {
  const tmp = useTempDir();

  describe('numeric labels', () => {
    it('reads 1.0 in an integer column as class 1: labels 0,1,1.0 are 2 classes', async () => {
      const f = await tmp.write('int/d.csv', csv(cycle([0, 1, '1.0'], 12)));
      const ds = await loadDataset(f);
      assert.equal(ds.numClasses, 2);
      assert.equal(ds.classNames, undefined);
      assert.deepEqual(Array.from(ds.y.subarray(0, 6)), [0, 1, 1, 0, 1, 1]);
      const j = await tmp.write(
        'intj/d.jsonl',
        cycle([0, 1, 1.0, '1.0', '2e0'], 10)
          .map((y) => JSON.stringify({ x: [1, 2], y }))
          .join('\n'),
      );
      const dj = await loadDataset(j);
      assert.equal(dj.numClasses, 3);
      assert.deepEqual(Array.from(dj.y.subarray(0, 5)), [0, 1, 1, 1, 2]);
    });

    it('keeps integers as class indices: 1-based labels leave class 0 empty, unless classNames fix them', async () => {
      const f = await tmp.write('onebased/d.csv', csv(cycle([1, 2, 3], 12)));
      const ds = await loadDataset(f);
      assert.equal(ds.numClasses, 4);
      assert.deepEqual(Array.from(ds.y.subarray(0, 3)), [1, 2, 3]);
      await tmp.write('named/ppfm.json', JSON.stringify({ classNames: ['1', '2', '3'] }));
      const g = await tmp.write('named/d.csv', csv(cycle([1, '2.0', 3], 12)));
      const dn = await loadDataset(g);
      assert.equal(dn.numClasses, 3);
      assert.deepEqual(dn.classNames, ['1', '2', '3']);
      assert.deepEqual(Array.from(dn.y.subarray(0, 3)), [0, 1, 2]);
    });

    it('a peer lacking a class reads the same indices as the others', async () => {
      const full = await loadDataset(await tmp.write('skew/a.csv', csv(cycle([0, 1, 2, 3], 12))));
      const skew = await loadDataset(await tmp.write('skew/b.csv', csv(cycle([1, 3], 12))));
      assert.equal(full.numClasses, 4);
      assert.equal(skew.numClasses, 4);
      assert.deepEqual(Array.from(skew.y.subarray(0, 2)), [1, 3]);
    });

    it('names negative and sparse integers, sorted numerically', async () => {
      const neg = await loadDataset(await tmp.write('neg/d.csv', csv(cycle([1, -1, '-1.0'], 12))));
      assert.deepEqual(neg.classNames, ['-1', '1']);
      assert.deepEqual(Array.from(neg.y.subarray(0, 3)), [1, 0, 0]);
      const years = await loadDataset(await tmp.write('years/d.csv', csv(cycle([2020, 1999, 2003], 12))));
      assert.deepEqual(years.classNames, ['1999', '2003', '2020']);
      assert.deepEqual(Array.from(years.y.subarray(0, 3)), [2, 0, 1]);
    });

    it('refuses a continuous column as a regression target, naming file and column', async () => {
      const rng = createRng(4);
      const y = Array.from({ length: 200 }, (_, i) => (i === 0 ? '7' : (rng.next() * 10).toFixed(4)));
      const f = await tmp.write('reg/data.csv', csv(y, 'y'));
      const distinct = new Set(y.slice(1).map(Number)).size;
      const err = await expectDataError(loadDataset(f, { labelColumn: 'y' }), {
        file: f,
        problem: new RegExp(
          `label column "y" has ${distinct} distinct non-integer values .*looks like a regression target; PPFM trains classifiers`,
        ),
      });
      assert.equal(err.field, 'y');
      const j = await tmp.write(
        'regj/d.jsonl',
        y.map((v) => JSON.stringify({ x: [0], y: Number(v) })).join('\n'),
      );
      await expectDataError(loadDataset(j), { file: j, problem: /regression target/ });
    });

    it('refuses one stray fraction in an integer column with its line', async () => {
      const labels = cycle([0, 1], 12);
      labels[6] = '1.5';
      const f = await tmp.write('stray/d.csv', csv(labels));
      await expectDataError(loadDataset(f), {
        file: f,
        line: 8,
        problem: /label "1\.5" is not an integer class index/,
      });
    });

    it('refuses a column mixing numbers and names, blaming the odd one', async () => {
      const labels = cycle([0, 1], 12);
      labels[4] = 'cat';
      const f = await tmp.write('mixed/d.csv', csv(labels));
      await expectDataError(loadDataset(f), {
        file: f,
        line: 6,
        problem: /label "cat" mixes numbers and class names/,
      });
    });
  });

  describe('class names', () => {
    it('keeps text labels as class names, sorted; classNames fixes another order', async () => {
      const f = await tmp.write('text/d.csv', csv(cycle(['pear', 'apple', 'fig'], 12)));
      const ds = await loadDataset(f);
      assert.deepEqual(ds.classNames, ['apple', 'fig', 'pear']);
      assert.deepEqual(Array.from(ds.y.subarray(0, 3)), [2, 0, 1]);
      await tmp.write('text2/ppfm.json', JSON.stringify({ classNames: ['pear', 'fig', 'apple'] }));
      const g = await tmp.write('text2/d.csv', csv(cycle(['pear', 'apple', 'fig'], 12)));
      const d2 = await loadDataset(g);
      assert.deepEqual(d2.classNames, ['pear', 'fig', 'apple']);
      assert.deepEqual(Array.from(d2.y.subarray(0, 3)), [0, 2, 1]);
    });

    it('reads integer-named image folders as indices ("10" after "2")', async () => {
      for (const c of ['0', '1', '2', '10']) {
        for (let i = 0; i < 3; i++) await tmp.write(`digits/${c}/${i}.png`, png(2, Number(c) * 20));
      }
      const ds = await loadDataset(tmp.path('digits'));
      assert.equal(ds.numClasses, 11);
      assert.deepEqual(
        [...new Set(ds.y)].sort((a, b) => a - b),
        [0, 1, 2, 10],
      );
      const ten = ds.y.indexOf(10);
      assert.ok(Math.abs((ds.x[ten * 4] as number) - 200 / 255) < 1e-6);
    });
  });

  describe('trainability', () => {
    it('refuses a single class, naming the file', async () => {
      const f = await tmp.write('one/d.csv', csv(cycle(['cat'], 12)));
      await expectDataError(loadDataset(f), {
        file: f,
        problem: /only one class \("cat"\): a classifier needs at least 2/,
      });
      const z = await tmp.write('zeros/d.csv', csv(cycle([3], 12)));
      await expectDataError(loadDataset(z), {
        file: z,
        problem: /all 12 labels are "3": a classifier needs at least 2 classes/,
      });
      for (let i = 0; i < 12; i++) await tmp.write(`oneimg/only/${i}.png`, png(2, i));
      await expectDataError(loadDataset(tmp.path('oneimg')), {
        file: tmp.path('oneimg'),
        problem: /only one class/,
      });
      await tmp.write('oneidx/train-images-idx3-ubyte', idx([12, 1, 1], new Array<number>(12).fill(9)));
      await tmp.write(
        'oneidx/train-labels-idx1-ubyte.gz',
        gzipSync(idx([12], new Array<number>(12).fill(4))),
      );
      await expectDataError(loadDataset(tmp.path('oneidx')), {
        file: tmp.path('oneidx/train-images-idx3-ubyte'),
        problem: /all 12 labels are "4"/,
      });
    });

    it('accepts one class present when ppfm.json declares the task (a label-skewed peer)', async () => {
      await tmp.write('declared/ppfm.json', JSON.stringify({ numClasses: 10 }));
      const ds = await loadDataset(await tmp.write('declared/d.csv', csv(cycle([3], 12))));
      assert.equal(ds.numClasses, 10);
    });

    it(`refuses fewer than ${MIN_SAMPLES} samples, naming the file`, async () => {
      const f = await tmp.write('tiny/d.csv', csv([0, 1, 0]));
      await expectDataError(loadDataset(f), { file: f, problem: /only 3 samples: a peer needs at least 10/ });
      const ok = await loadDataset(await tmp.write('ten/d.csv', csv(cycle([0, 1], MIN_SAMPLES))));
      assert.equal(ok.y.length, MIN_SAMPLES);
    });
  });
});
