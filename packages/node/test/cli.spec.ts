import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectedReport, fixtureFiles } from './inspect-fixture.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function ppfm(args: string[], env: NodeJS.ProcessEnv = {}, uid?: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const ids = uid !== undefined ? { uid, gid: uid } : {};
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, ...ids });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** True when text holds a control character or a replacement character (undecodable bytes). */
function hasRawBytes(text: string): boolean {
  return [...text].some((ch) => {
    const c = ch.charCodeAt(0);
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0xfffd;
  });
}

describe('ppfm CLI', function () {
  this.timeout(120_000); // up to ten CLI processes at once on a shared 2-core machine
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ppfm-cli-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints help and version with exit 0', async () => {
    const [help, startHelp, version] = await Promise.all([
      ppfm(['--help']),
      ppfm(['start', '--help']),
      ppfm(['--version']),
    ]);
    assert.equal(help.code, 0);
    for (const cmd of ['start', 'inspect', 'partition', 'simulate', 'export'])
      assert.match(help.stdout, new RegExp(`\\b${cmd}\\b`));
    assert.equal(startHelp.code, 0);
    for (const flag of [
      '--data ',
      '--data-dir',
      '--listen',
      '--bootstrap',
      '--mdns',
      '--log-dir',
      '--backend',
      '--model',
      '--rounds',
      '--quiet',
      '--one-host',
      '--codec',
      '--seed',
    ]) {
      assert.ok(startHelp.stdout.includes(flag), `start --help lacks ${flag}`);
    }
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
  });

  it('exits 2 with one line naming the bad flag', async () => {
    const cases: [string[], RegExp][] = [
      [['start', '--data', dir, '--rounds', 'x'], /--rounds.*must be a positive integer/],
      [['start', '--data', dir, '--rounds', '0'], /--rounds.*must be a positive integer/],
      [['start', '--data', dir, '--bootstrap', 'localhost:4001'], /--bootstrap.*not a valid multiaddr/],
      [['start', '--data', dir, '--backend', 'gpu'], /--backend.*Allowed choices are auto, node, wasm, cpu/],
      [['start', '--data', dir, '--codec', 'int4'], /--codec/],
      [['start', '--data', join(dir, 'missing')], /--data: .*missing does not exist/],
      [['start', '--rounds', '3'], /required option '--data <path>'/],
      [['start', '--data', dir, '--bogus'], /unknown option '--bogus'/],
      [['simulate', '--partition', 'rotate:4', '--peers', '-3'], /--peers/],
      [['frobnicate'], /unknown command 'frobnicate'/],
    ];
    const runs = await Promise.all(cases.map(([args]) => ppfm(args)));
    runs.forEach((r, i) => {
      const [args, re] = cases[i] as [string[], RegExp];
      assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}, stderr ${r.stderr}`);
      assert.match(r.stderr, re, args.join(' '));
      assert.match(r.stderr, /^ppfm: error: /);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, `one line for ${args.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    });
  });

  it('rejects an unreadable --model spec as a usage error', async () => {
    const bad = join(dir, 'model.json');
    await writeFile(bad, '{"layers": 3}');
    const r = await ppfm(['start', '--data', dir, '--data-dir', join(dir, 'dd'), '--model', bad]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--model: .*model\.json: model spec: expected \{"layers": \[\.\.\.\]\}/);
  });

  it('inspects a multi-peer log directory as JSON and as text', async () => {
    const logs = join(dir, 'run');
    for (const [name, text] of fixtureFiles()) {
      await mkdir(dirname(join(logs, name)), { recursive: true });
      await writeFile(join(logs, name), text);
    }
    const [json, text] = await Promise.all([ppfm(['inspect', logs, '--json']), ppfm(['inspect', logs])]);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), expectedReport());
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Membership timeline[\s\S]*Clusters[\s\S]*Peers/);
  });

  it('fails with exit 1 on a missing or empty log directory', async () => {
    const empty = join(dir, 'empty');
    await mkdir(empty);
    const [missing, none] = await Promise.all([
      ppfm(['inspect', join(dir, 'nope')]),
      ppfm(['inspect', empty]),
    ]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^ppfm: error: log directory .*nope does not exist\n$/);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no \*\.log or \*\.jsonl files/);
  });

  it('partitions a built-in dataset into peer folders and truth.json', async () => {
    const out = join(dir, 'parts');
    const r = await ppfm([
      'partition',
      '--dataset',
      'synthetic',
      '--partition',
      'synthetic:1,1',
      '--peers',
      '3',
      '--seed',
      '2',
      '--out',
      out,
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(r.stdout) as { peerDirs: string[]; truthPath: string; truth: number[] };
    assert.deepEqual(
      res.peerDirs,
      ['peer-00', 'peer-01', 'peer-02'].map((p) => join(out, p)),
    );
    const truth = JSON.parse(await readFile(res.truthPath, 'utf8')) as { peers: Record<string, number> };
    assert.deepEqual(Object.values(truth.peers), res.truth);
    const bad = await ppfm([
      'partition',
      '--dataset',
      'mnist',
      '--partition',
      'rotate:x',
      '--peers',
      '4',
      '--out',
      out,
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^ppfm: error: --partition: .*rotate:x/);
  });

  it('exports mnist as integer pixels 0-255 with its shape, and partitions that CSV into CSV peers', async function () {
    this.timeout(90_000); // several CLI processes on a shared 2-core machine
    const csv = join(dir, 'raw', 'mnist.csv');
    const r = await ppfm(['export', '--dataset', 'mnist', '--out', csv, '--max-samples', '200', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(r.stdout) as { samples: number; features: number; manifest: string | null };
    assert.deepEqual([res.samples, res.features], [200, 784]);
    assert.equal(res.manifest, join(dir, 'raw', 'ppfm.json'));
    const meta = await import('@ppfm/meta');
    const back = await meta.loadDataset(csv);
    assert.deepEqual(back.inputShape, [28, 28, 1]);
    assert.ok(back.x.every((v) => Number.isInteger(v) && v >= 0 && v <= 255));
    assert.equal(
      back.x.reduce((a, b) => Math.max(a, b), 0),
      255,
    );
    const mnist = await meta.loadBuiltin('mnist');
    // Sample 0 of the export is an mnist digit, its pixels x255 and its label kept.
    const d = 784;
    const match = Array.from({ length: 10_000 }, (_, i) => i).find((i) =>
      mnist.x.subarray(i * d, (i + 1) * d).every((v, j) => Math.round(v * 255) === back.x[j]),
    );
    assert.ok(
      match !== undefined && mnist.y[match] === back.y[0],
      'sample 0 is an mnist digit with its label',
    );

    const out = join(dir, 'rawparts');
    const p = await ppfm([
      'partition',
      '--dataset',
      csv,
      '--partition',
      'rotate:2',
      '--peers',
      '4',
      '--out',
      out,
      '--format',
      'csv',
    ]);
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stdout, /wrote 4 CSV peer datasets \(2 true groups\)/);
    const peer = await meta.loadDataset(join(out, 'peer-01'));
    assert.deepEqual(peer.inputShape, [28, 28, 1]);
    assert.equal(peer.numClasses, 10);
    assert.ok(
      peer.x.every((v) => Number.isInteger(v)),
      'a half turn keeps integer pixels',
    );
    assert.match(await readFile(join(out, 'peer-01', 'data.csv'), 'utf8'), /^label,x0,x1,/);
  });

  it('exports synthetic data with --scale and refuses a bad --out or --scale', async () => {
    const csv = join(dir, 'syn1000.csv');
    const [r, badOut, badScale] = await Promise.all([
      ppfm([
        'export',
        '--dataset',
        'synthetic',
        '--out',
        csv,
        '--scale',
        '1000',
        '--max-samples',
        '300',
        '--seed',
        '3',
      ]),
      ppfm(['export', '--dataset', 'synthetic', '--out', join(dir, 'x.txt')]),
      ppfm(['export', '--dataset', 'synthetic', '--out', csv, '--scale', '0']),
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /wrote 300 samples x 60 features \(10 classes, values x1000\)/);
    const meta = await import('@ppfm/meta');
    const back = await meta.loadDataset(csv);
    const plain = await meta.loadBuiltin('synthetic', { seed: 3 });
    let maxAbs = 0;
    for (const v of back.x) maxAbs = Math.max(maxAbs, Math.abs(v));
    let plainMax = 0;
    for (const v of plain.x) plainMax = Math.max(plainMax, Math.abs(v));
    assert.ok(
      maxAbs > 100 * plainMax * 0.5 && maxAbs <= 1000 * plainMax * 1.0001,
      `${maxAbs} vs ${plainMax}`,
    );
    assert.equal(badOut.code, 2);
    assert.match(badOut.stderr, /^ppfm: error: --out: .*x\.txt must end in \.csv\n$/);
    assert.equal(badScale.code, 2);
    assert.match(badScale.stderr, /--scale/);
  });

  it('exits 2 with one line for bad data: mixed-up flags, binary CSV, symlink loop, labels, ppfm.json', async function () {
    this.timeout(90_000); // several CLI processes on a shared 2-core machine
    const bad = join(dir, 'bad');
    await mkdir(bad);
    const binary = join(bad, 'binary.csv');
    await writeFile(binary, Buffer.concat([Buffer.from('a,label\n'), Buffer.from([0, 0xff, 0x1b, 0x9b, 7])]));
    const loop = join(bad, 'loop');
    await symlink(loop, loop);
    const reg = join(bad, 'reg', 'data.csv');
    await mkdir(dirname(reg));
    await writeFile(
      reg,
      'a,label\n' + Array.from({ length: 50 }, (_, i) => `${i},${(i * 0.37 + 0.01).toFixed(2)}`).join('\n'),
    );
    const one = join(bad, 'one', 'data.csv');
    await mkdir(dirname(one));
    await writeFile(one, 'a,label\n' + '1,cat\n'.repeat(20));
    await mkdir(join(bad, 'typo'));
    await writeFile(join(bad, 'typo', 'ppfm.json'), '{"numClases": 3}');
    await writeFile(join(bad, 'typo', 'd.csv'), 'a,label\n' + '1,0\n2,1\n'.repeat(6));
    const out = join(dir, 'never');
    const part = (dataset: string, spec = 'iid'): string[] => [
      'partition',
      '--dataset',
      dataset,
      '--partition',
      spec,
      '--peers',
      '2',
      '--out',
      out,
    ];
    const cases: [string[], RegExp][] = [
      [
        part('mnist', 'synthetic:1,1'),
        /--partition synthetic:1,1 generates its own data .*use --dataset synthetic, not mnist/,
      ],
      [part(binary), /--dataset: .*binary\.csv: not a text CSV \(binary bytes at offset 8\)$/m],
      [part(loop), /--dataset: .*loop: symbolic link loop \(ELOOP\)/],
      [
        part(reg),
        /data\.csv field 'label': label column "label" has 49 distinct non-integer values .*regression target/,
      ],
      [part(one), /data\.csv: only one class \("cat"\): a classifier needs at least 2/],
      [
        part(join(bad, 'typo')),
        /ppfm\.json field 'numClases': unknown key "numClases" \(did you mean "numClasses"\?\)/,
      ],
      [['export', '--dataset', binary, '--out', join(dir, 'b.csv')], /not a text CSV/],
    ];
    const runs = await Promise.all(cases.map(([args]) => ppfm(args)));
    runs.forEach((r, i) => {
      const [args, re] = cases[i] as [string[], RegExp];
      assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}, stderr ${r.stderr}`);
      assert.match(r.stderr, re, args.join(' '));
      assert.match(r.stderr, /^ppfm: error: /);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, `one line for ${args.join(' ')}: ${r.stderr}`);
      assert.ok(!hasRawBytes(r.stderr.trimEnd()), `no raw bytes: ${JSON.stringify(r.stderr)}`);
    });
  });

  it('says "permission denied" naming an unreadable folder (run as nobody when root)', async function () {
    if (typeof process.getuid !== 'function') this.skip(); // no POSIX permissions (Windows)
    const root = await mkdtemp(join(tmpdir(), 'ppfm-cli-perm-'));
    const locked = join(root, 'locked');
    await mkdir(locked);
    await writeFile(join(locked, 'd.csv'), 'a,label\n' + '1,0\n2,1\n'.repeat(6));
    await chmod(locked, 0o000);
    await chmod(root, 0o755);
    try {
      // Root reads anything, so the CLI runs as nobody there: the check holds in CI (root) too.
      const asRoot = process.getuid?.() === 0;
      const r = await ppfm(
        ['export', '--dataset', locked, '--out', join(root, 'o.csv')],
        {},
        asRoot ? 65534 : undefined,
      );
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stderr, `ppfm: error: --dataset: ${locked}: permission denied (EACCES)\n`);
    } finally {
      await chmod(locked, 0o755);
      await rm(root, { recursive: true, force: true });
    }
  });

  it('simulates a tiny federation and prints JSON; bad --methods is a usage error', async () => {
    const args = ['simulate', '--dataset', 'synthetic', '--partition', 'synthetic:1,1', '--peers', '4'];
    const [r, bad] = await Promise.all([
      ppfm([
        ...args,
        '--rounds',
        '1',
        '--methods',
        'local,fedavg',
        '--max-samples',
        '400',
        '--backend',
        'cpu',
        '--json',
      ]),
      ppfm([...args, '--methods', 'local,sgd']),
    ]);
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(r.stdout) as { methods: Record<string, { meanAcc: number; rounds: number }> };
    assert.deepEqual(Object.keys(res.methods).sort(), ['fedavg', 'local']);
    for (const m of Object.values(res.methods)) assert.ok(m.meanAcc >= 0 && m.meanAcc <= 1);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^ppfm: error: --methods: .*sgd/);
  });

  it('prints a stack trace only with PPFM_DEBUG=1', async () => {
    const r = await ppfm(['inspect', join(dir, 'nope')], { PPFM_DEBUG: '1' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\n\s+at /);
  });
});
