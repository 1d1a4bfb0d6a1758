import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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

function ppfm(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('ppfm CLI', function () {
  this.timeout(20_000);
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
    for (const cmd of ['start', 'inspect', 'partition', 'simulate'])
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
