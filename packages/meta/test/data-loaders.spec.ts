import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import pngjs from 'pngjs';
import { DataError, loadDataset, datasetSize } from '../src/data/index.js';
import { createRng } from '../src/rng.js';
import { expectDataError, useTempDir } from './data-helpers.js';

function idx(type: number, dims: number[], values: number[]): Buffer {
  const size = type === 0x08 ? 1 : 4;
  const buf = Buffer.alloc(4 + 4 * dims.length + values.length * size);
  buf[2] = type;
  buf[3] = dims.length;
  dims.forEach((d, i) => buf.writeUInt32BE(d, 4 + 4 * i));
  const off = 4 + 4 * dims.length;
  values.forEach((v, i) => (type === 0x08 ? buf.writeUInt8(v, off + i) : buf.writeFloatBE(v, off + 4 * i)));
  return buf;
}

function png(w: number, h: number, gray: (i: number) => number): Buffer {
  const img = new pngjs.PNG({ width: w, height: h });
  for (let i = 0; i < w * h; i++) {
    const v = gray(i);
    img.data[4 * i] = v;
    img.data[4 * i + 1] = v;
    img.data[4 * i + 2] = v;
    img.data[4 * i + 3] = 255;
  }
  return pngjs.PNG.sync.write(img);
}

/** `n` copies of a line, each ending with a newline (fills a fixture up to MIN_SAMPLES rows). */
function rows(n: number, line: string): string {
  return `${line}\n`.repeat(n);
}

describe('data loaders', () => {
  const tmp = useTempDir();

  describe('CSV', () => {
    it('loads features and string labels (sorted class names)', async () => {
      const f = await tmp.write(
        'csv1/d.csv',
        'a,label,b\n1,cat,2\n3,dog,4.5\n-1e-3,cat,0\n' + rows(7, '5,dog,6'),
      );
      const ds = await loadDataset(f);
      assert.deepEqual(ds.inputShape, [2]);
      assert.equal(datasetSize(ds), 10);
      assert.deepEqual(Array.from(ds.x.subarray(0, 8)), [1, 2, 3, 4.5, Math.fround(-1e-3), 0, 5, 6]);
      assert.deepEqual(Array.from(ds.y.subarray(0, 4)), [0, 1, 0, 1]);
      assert.deepEqual(ds.classNames, ['cat', 'dog']);
      assert.equal(ds.numClasses, 2);
    });

    it('uses integer labels as indices, a custom label column, and a folder with ppfm.json', async () => {
      await tmp.write('csv2/train.csv', 'cls,f1,f2,f3,f4\n3,1,2,3,4\n0,5,6,7,8\n' + rows(8, '1,0,0,0,0'));
      await tmp.write(
        'csv2/ppfm.json',
        JSON.stringify({ task: 'toy', inputShape: [2, 2], labelColumn: 'cls' }),
      );
      const ds = await loadDataset(tmp.path('csv2'));
      assert.equal(ds.name, 'toy');
      assert.deepEqual(ds.inputShape, [2, 2]);
      assert.deepEqual(Array.from(ds.y.subarray(0, 3)), [3, 0, 1]);
      assert.equal(ds.numClasses, 4);
      const ds2 = await loadDataset(tmp.path('csv2/train.csv'), { labelColumn: 'f1' });
      assert.deepEqual(Array.from(ds2.y.subarray(0, 3)), [1, 5, 0]);
      assert.equal(ds2.numClasses, 6);
    });

    it('reads quoted and quote-free files identically (fast scanner vs csv-parse)', async () => {
      const rng = createRng(11);
      const rows = Array.from({ length: 50 }, (_, i) => [
        String(i % 3),
        ...Array.from({ length: 6 }, () => {
          const v = rng.normal(0, 100);
          return [v.toFixed(3), v.toExponential(4), String(Math.round(v)), ` ${v.toFixed(1)} `][
            rng.int(4)
          ] as string;
        }),
      ]);
      const plain = ['label,a,b,c,d,e,f', ...rows.map((r) => r.join(','))].join('\r\n');
      const quoted = ['"label",a,b,c,d,e,f', ...rows.map((r) => r.map((c) => `"${c}"`).join(','))].join('\n');
      const p = await loadDataset(await tmp.write('csvq/plain.csv', plain));
      const q = await loadDataset(await tmp.write('csvq2/quoted.csv', quoted));
      assert.deepEqual(Array.from(p.x), Array.from(q.x));
      assert.deepEqual(Array.from(p.y), Array.from(q.y));
      assert.equal(p.x[0], Math.fround(Number(rows[0]?.[1])));
    });

    const bad: [string, string, number, RegExp][] = [
      ['ragged row', 'a,b,label\n1,2,0\n1,2,3,0\n', 3, /ragged row: 4 fields, header has 3/],
      ['non-numeric value', 'a,b,label\n1,2,0\n\n1,x2,1\n', 4, /non-numeric value "x2"/],
      ['NaN', 'a,b,label\n1,NaN,0\n', 2, /non-finite value "NaN"/],
      ['Infinity', 'a,b,label\n1,2,0\n-Infinity,2,0\n', 3, /non-finite value/],
      ['overflow', 'a,b,label\n1e999,2,0\n', 2, /non-finite value/],
      ['empty cell', 'a,b,label\n1,,0\n', 2, /empty value/],
      ['missing label column', 'a,b,c\n1,2,0\n', 1, /no label column 'label'/],
      ['short row', 'a,b,label\n1,2,0\n1,0\n', 3, /ragged row: 2 fields, header has 3/],
      ['quoted ragged row', 'a,"b",label\n1,2,0\n1,2,3,0\n', 3, /ragged row: 4 fields, header has 3/],
      ['quoted non-numeric', 'a,"b",label\n1,2,0\n1,"x",0\n', 3, /non-numeric value "x"/],
      ['unclosed quote', 'a,b,label\n1,2,0\n1,"2,0\n', 3, /malformed CSV/],
    ];
    for (const [name, text, line, problem] of bad) {
      it(`reports ${name} with file and line`, async () => {
        const f = await tmp.write(`csvbad/${name.replace(/ /g, '_')}.csv`, text);
        await expectDataError(loadDataset(f), { file: f, line, problem });
      });
    }

    it('reports an empty dataset, an unknown label and a shape mismatch', async () => {
      const empty = await tmp.write('csvbad2/empty.csv', 'a,b,label\n');
      await expectDataError(loadDataset(empty), { file: empty, problem: /empty dataset/ });
      const blank = await tmp.write('csvbad2b/blank.csv', '');
      await expectDataError(loadDataset(blank), { file: blank, problem: /empty dataset/ });
      await tmp.write('csvbad3/ppfm.json', JSON.stringify({ classNames: ['cat', 'dog'] }));
      const unknown = await tmp.write('csvbad3/d.csv', 'a,label\n1,cat\n2,cow\n');
      await expectDataError(loadDataset(unknown), { file: unknown, line: 3, problem: /unknown label "cow"/ });
      await tmp.write('csvbad4/ppfm.json', JSON.stringify({ inputShape: [3] }));
      const shape = await tmp.write('csvbad4/d.csv', 'a,b,label\n1,2,0\n');
      await expectDataError(loadDataset(shape), { file: shape, problem: /shape mismatch/ });
    });
  });

  describe('JSON lines', () => {
    it('loads flat and nested x with int or string labels', async () => {
      const f = await tmp.write(
        'jl/d.jsonl',
        '{"x":[[1,2],[3,4]],"y":"b"}\n\n{"x":[[5,6],[7,8]],"y":"a"}\n' +
          rows(8, '{"x":[[0,0],[0,0]],"y":"a"}'),
      );
      const ds = await loadDataset(f);
      assert.deepEqual(ds.inputShape, [2, 2]);
      assert.deepEqual(Array.from(ds.x.subarray(0, 8)), [1, 2, 3, 4, 5, 6, 7, 8]);
      assert.deepEqual(ds.classNames, ['a', 'b']);
      assert.deepEqual(Array.from(ds.y.subarray(0, 2)), [1, 0]);
      const g = await tmp.write(
        'jl2/d.jsonl',
        '{"x":[1,2,3],"y":2}\n{"x":[0,0,1],"y":0}\n' + rows(8, '{"x":[0,0,0],"y":1.0}'),
      );
      const ds2 = await loadDataset(tmp.path('jl2'));
      assert.equal(ds2.numClasses, 3);
      assert.deepEqual(Array.from(ds2.y.subarray(0, 3)), [2, 0, 1]);
      assert.ok(g);
    });

    const bad: [string, string, number, RegExp][] = [
      ['invalid JSON', '{"x":[1],"y":0}\n{"x":[1],"y":0\n', 2, /invalid JSON/],
      ['ragged row', '{"x":[1,2],"y":0}\n{"x":[1,2],"y":1}\n{"x":[1],"y":0}\n', 3, /ragged row/],
      ['ragged nested row', '{"x":[[1,2],[3,4]],"y":0}\n{"x":[[1,2],[3]],"y":0}\n', 2, /ragged row/],
      ['non-numeric value', '{"x":[1,"a"],"y":0}\n', 1, /non-numeric value "a"/],
      ['null value', '{"x":[1,2],"y":0}\n{"x":[null,2],"y":0}\n', 2, /non-numeric value null/],
      ['missing x', '{"y":0}\n', 1, /x must be an array/],
      ['missing y', '{"x":[1]}\n', 1, /y must be an integer or a class name/],
      ['fractional y', '{"x":[1],"y":0.5}\n', 1, /label 0\.5 is not an integer class index/],
      ['not an object', '[1,2]\n', 1, /expected an object/],
    ];
    for (const [name, text, line, problem] of bad) {
      it(`reports ${name} with file and line`, async () => {
        const f = await tmp.write(`jlbad/${name.replace(/ /g, '_')}.jsonl`, text);
        await expectDataError(loadDataset(f), { file: f, line, problem });
      });
    }

    it('reports an empty file and an unknown label', async () => {
      const f = await tmp.write('jlbad2/e.jsonl', '\n\n');
      await expectDataError(loadDataset(f), { file: f, problem: /empty dataset/ });
      await tmp.write('jlbad3/ppfm.json', JSON.stringify({ classNames: ['a', 'b'] }));
      const g = await tmp.write('jlbad3/d.jsonl', '{"x":[1],"y":"a"}\n{"x":[1],"y":5}\n');
      await expectDataError(loadDataset(g), { file: g, line: 2, problem: /unknown label 5/ });
    });
  });

  describe('IDX', () => {
    const pixels = [0, 255, 51, 102, 0, 0, 255, 255, ...new Array<number>(32).fill(3)];
    it('loads a plain and a gzipped pair, scaling ubyte pixels to [0, 1]', async () => {
      await tmp.write('idx/train-images-idx3-ubyte', idx(0x08, [10, 2, 2], pixels));
      await tmp.write(
        'idx/train-labels-idx1-ubyte.gz',
        gzipSync(idx(0x08, [10], [7, 1, 0, 0, 0, 0, 0, 0, 0, 0])),
      );
      for (const p of [
        tmp.path('idx'),
        tmp.path('idx/train-images-idx3-ubyte'),
        tmp.path('idx/train-labels-idx1-ubyte.gz'),
      ]) {
        const ds = await loadDataset(p);
        assert.deepEqual(ds.inputShape, [2, 2, 1]);
        assert.deepEqual(
          Array.from(ds.x),
          pixels.map((v) => Math.fround(v / 255)),
        );
        assert.deepEqual(Array.from(ds.y.subarray(0, 3)), [7, 1, 0]);
        assert.equal(ds.numClasses, 8);
      }
    });

    it('reports bad magic, truncation, count mismatch and a missing labels file', async () => {
      const magic = await tmp.write('idxbad1/train-images-idx3-ubyte', Buffer.from([1, 2, 3, 4, 0, 0, 0, 0]));
      await tmp.write('idxbad1/train-labels-idx1-ubyte', idx(0x08, [1], [0]));
      await expectDataError(loadDataset(magic), { file: magic, problem: /bad IDX magic 0x01020304/ });

      const full = idx(0x08, [3, 2, 2], new Array<number>(12).fill(9));
      const trunc = await tmp.write(
        'idxbad2/train-images-idx3-ubyte.gz',
        gzipSync(full.subarray(0, full.length - 5)),
      );
      await tmp.write('idxbad2/train-labels-idx1-ubyte.gz', gzipSync(idx(0x08, [3], [0, 1, 2])));
      await expectDataError(loadDataset(tmp.path('idxbad2')), {
        file: trunc,
        record: 1,
        problem: /truncated IDX data/,
      });

      await tmp.write('idxbad3/train-images-idx3-ubyte', idx(0x08, [2, 1, 1], [1, 2]));
      const labels = await tmp.write('idxbad3/train-labels-idx1-ubyte', idx(0x08, [3], [0, 1, 2]));
      await expectDataError(loadDataset(tmp.path('idxbad3')), {
        file: labels,
        problem: /3 labels for 2 images/,
      });

      const lonely = await tmp.write('idxbad4/t10k-images-idx3-ubyte', idx(0x08, [1, 1, 1], [1]));
      await expectDataError(loadDataset(lonely), {
        file: tmp.path('idxbad4/t10k-labels-idx1-ubyte'),
        problem: /missing file/,
      });

      const corrupt = await tmp.write(
        'idxbad5/train-images-idx3-ubyte.gz',
        Buffer.from([0x1f, 0x8b, 1, 2, 3]),
      );
      await tmp.write('idxbad5/train-labels-idx1-ubyte', idx(0x08, [1], [0]));
      await expectDataError(loadDataset(corrupt), { file: corrupt, problem: /corrupt gzip/ });
    });
  });

  describe('image folders', () => {
    it('loads PNG and JPEG class folders as grayscale [H, W, 1]', async () => {
      await tmp.write(
        'img/cat/a.png',
        png(3, 2, (i) => i * 40),
      );
      await tmp.write(
        'img/cat/b.png',
        png(3, 2, () => 255),
      );
      const data = Buffer.alloc(3 * 2 * 4, 255);
      await tmp.write('img/dog/c.jpg', jpeg.encode({ data, width: 3, height: 2 }, 95).data);
      await tmp.write('img/dog/notes.txt', 'ignored');
      for (let i = 0; i < 7; i++)
        await tmp.write(
          `img/dog/z${i}.png`,
          png(3, 2, () => 9),
        );
      const ds = await loadDataset(tmp.path('img'));
      assert.deepEqual(ds.inputShape, [2, 3, 1]);
      assert.deepEqual(ds.classNames, ['cat', 'dog']);
      assert.deepEqual(Array.from(ds.y), [0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
      const first = Array.from(ds.x.subarray(0, 6));
      first.forEach((v, i) => assert.ok(Math.abs(v - (i * 40) / 255) < 1e-5, `pixel ${i}: ${v}`));
      for (const v of ds.x.subarray(12, 18)) assert.ok(v > 0.95, `jpeg white ~1, got ${v}`);
    });

    it('loads RGB when ppfm.json asks for [H, W, 3] and honours classNames order', async () => {
      await tmp.write(
        'rgb/ppfm.json',
        JSON.stringify({ task: 'colours', inputShape: [2, 3, 3], classNames: ['b', 'a'] }),
      );
      await tmp.write(
        'rgb/a/x.png',
        png(3, 2, () => 102),
      );
      await tmp.write(
        'rgb/b/y.png',
        png(3, 2, () => 0),
      );
      for (let i = 0; i < 8; i++)
        await tmp.write(
          `rgb/b/z${i}.png`,
          png(3, 2, () => 0),
        );
      const ds = await loadDataset(tmp.path('rgb'));
      assert.equal(ds.name, 'colours');
      assert.deepEqual(ds.inputShape, [2, 3, 3]);
      assert.equal(ds.x.length, 10 * 18);
      assert.deepEqual(Array.from(ds.y), [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
      assert.ok(Math.abs((ds.x[0] as number) - 0.4) < 1e-6);
    });

    it('reports images of different sizes, unknown class folders and undecodable files', async () => {
      await tmp.write(
        'imgbad1/a/1.png',
        png(3, 2, () => 0),
      );
      const odd = await tmp.write(
        'imgbad1/b/2.png',
        png(2, 2, () => 0),
      );
      await expectDataError(loadDataset(tmp.path('imgbad1')), {
        file: odd,
        problem: /shape mismatch: image is 2x2, expected 3x2/,
      });

      await tmp.write('imgbad2/ppfm.json', JSON.stringify({ classNames: ['a'] }));
      await tmp.write(
        'imgbad2/a/1.png',
        png(1, 1, () => 0),
      );
      await tmp.write(
        'imgbad2/zebra/1.png',
        png(1, 1, () => 0),
      );
      await expectDataError(loadDataset(tmp.path('imgbad2')), {
        file: tmp.path('imgbad2/zebra'),
        problem: /unknown label 'zebra'/,
      });

      const broken = await tmp.write('imgbad3/a/1.png', Buffer.concat([png(2, 2, () => 0).subarray(0, 30)]));
      await expectDataError(loadDataset(tmp.path('imgbad3')), { file: broken, problem: /cannot decode PNG/ });

      await tmp.write('imgbad4/a/readme.txt', 'no images');
      await expectDataError(loadDataset(tmp.path('imgbad4')), {
        file: tmp.path('imgbad4'),
        problem: /empty dataset/,
      });
    });
  });

  describe('paths and ppfm.json', () => {
    it('reports a missing path, an unknown format and an ambiguous folder', async () => {
      const missing = tmp.path('nope/d.csv');
      await expectDataError(loadDataset(missing), { file: missing, problem: /missing file/ });
      const weird = await tmp.write('fmt/d.parquet', 'x');
      await expectDataError(loadDataset(weird), { file: weird, problem: /unknown dataset format/ });
      await tmp.write('amb/a.csv', 'a,label\n1,0\n');
      await tmp.write('amb/b.csv', 'a,label\n1,0\n');
      await expectDataError(loadDataset(tmp.path('amb')), {
        file: tmp.path('amb'),
        problem: /ambiguous folder/,
      });
      await tmp.write('nothing/readme.md', 'hi');
      await expectDataError(loadDataset(tmp.path('nothing')), {
        file: tmp.path('nothing'),
        problem: /no dataset found/,
      });
    });

    it('reports a bad ppfm.json field', async () => {
      const m = await tmp.write('badmanifest/ppfm.json', JSON.stringify({ inputShape: [28, -1] }));
      await tmp.write('badmanifest/d.csv', 'a,label\n1,0\n');
      const err = await expectDataError(loadDataset(tmp.path('badmanifest')), {
        file: m,
        problem: /inputShape must be/,
      });
      assert.equal(err.field, 'inputShape');
      const m2 = await tmp.write('badmanifest2/ppfm.json', '{not json');
      await expectDataError(loadDataset(tmp.path('badmanifest2')), { file: m2, problem: /invalid JSON/ });
    });

    it('never surfaces a raw TypeError on odd JSON lines', async () => {
      const lines = [
        'null',
        '1',
        '"s"',
        '{"x":{},"y":0}',
        '{"x":[[]],"y":0}',
        '{"x":[1],"y":null}',
        '{"x":[true],"y":0}',
      ];
      for (const [i, l] of lines.entries()) {
        const f = await tmp.write(`odd/${i}.jsonl`, l + '\n');
        await assert.rejects(loadDataset(f), (e: unknown) => e instanceof DataError && e.file === f);
      }
    });
  });
});
