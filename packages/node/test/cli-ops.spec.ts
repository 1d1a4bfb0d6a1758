// `ppfm start` refuses what it cannot run with one line naming the flag, exit 2, no stack trace
// (issue 11): extra arguments, an unwritable --log-dir, a listen address in use, a conv model on
// wasm, a missing backend, and bad data found by the learning worker.
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ppfm, SMALL_MODEL_JSON, writeGroupCsv, type Run } from './helpers/cli-peer.js';

/** One line on stderr starting `ppfm: error: `, no stack trace, and the given exit code. */
function oneLine(r: Run, code: number, what: string): string {
  assert.equal(r.code, code, `${what}: exit ${r.code}, stderr ${r.stderr}`);
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('ppfm: error: '));
  assert.equal(errors.length, 1, `${what}: one error line in ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at /, `${what}: no stack trace`);
  return errors[0] as string;
}

describe('ppfm start: one-line errors', function () {
  this.timeout(180_000); // several CLI processes on a shared 2-core machine
  let dir: string;
  let data: string;
  let model: string;
  let server: Server | undefined;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ppfm-cli-ops-'));
    data = join(dir, 'data');
    await mkdir(data);
    await writeGroupCsv(join(data, 'data.csv'), 0, 0);
    model = join(dir, 'model.json');
    await writeFile(model, SMALL_MODEL_JSON);
  });
  after(async () => {
    server?.close();
    await chmod(join(dir, 'locked'), 0o755).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });
  const start = (...args: string[]): string[] => [
    'start',
    '--data',
    data,
    '--model',
    model,
    '--backend',
    'wasm',
    '--listen',
    '/ip4/127.0.0.1/tcp/0',
    ...args,
  ];

  it('refuses an extra positional argument and a bootstrap address without its peer id', async () => {
    const [s, i, b] = await Promise.all([
      ppfm([...start(), 'extra']),
      ppfm(['inspect', dir, 'more']),
      ppfm([...start(), '--bootstrap', '/ip4/127.0.0.1/tcp/4001']),
    ]);
    assert.match(oneLine(s, 2, 'start extra'), /too many arguments for 'start'/);
    assert.match(oneLine(i, 2, 'inspect more'), /too many arguments for 'inspect'/);
    assert.match(
      oneLine(b, 2, 'bootstrap without /p2p/'),
      /--bootstrap.*'\/ip4\/127\.0\.0\.1\/tcp\/4001' is invalid\. It lacks \/p2p\/<peer id>/,
    );
  });

  it('counts in words that agree: "1 peer dataset (1 true group)"', async () => {
    const r = await ppfm([
      'partition',
      '--dataset',
      'synthetic',
      '--partition',
      'synthetic:1,1',
      '--peers',
      '1',
      '--out',
      join(dir, 'one'),
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^wrote 1 ppfm-bin peer dataset \(1 true group\) to /);
  });

  it('names a listen address in use, a log dir it cannot write, and a missing backend', async () => {
    server = createServer();
    const port = await new Promise<number>((resolve) =>
      (server as Server).listen(0, '127.0.0.1', () =>
        resolve(((server as Server).address() as { port: number }).port),
      ),
    );
    const file = join(dir, 'a-file');
    await writeFile(file, '');
    const [inUse, logFile, noNode] = await Promise.all([
      ppfm([...start('--data-dir', join(dir, 'd1')), '--listen', `/ip4/127.0.0.1/tcp/${port}`]),
      ppfm(start('--data-dir', join(dir, 'd2'), '--log-dir', file)),
      ppfm([...start('--data-dir', join(dir, 'd3')), '--backend', 'node']),
    ]);
    assert.equal(
      oneLine(inUse, 2, 'port in use'),
      `ppfm: error: --listen /ip4/127.0.0.1/tcp/${port}: address already in use (EADDRINUSE): another ` +
        'process listens there; pick another port or stop it',
    );
    assert.match(
      oneLine(logFile, 2, 'log dir is a file'),
      /^ppfm: error: --log-dir: cannot write the event log .*a-file\/12D3\w+\.log: /,
    );
    assert.match(
      oneLine(noNode, 2, '--backend node'),
      /^ppfm: error: --backend: backend 'node' requested but/,
    );
  });

  it('names an unwritable --log-dir (run as nobody when root)', async function () {
    if (typeof process.getuid !== 'function') this.skip();
    const ro = join(dir, 'ro');
    await mkdir(ro, { mode: 0o555 });
    await chmod(ro, 0o555);
    await chmod(dir, 0o755);
    const asRoot = process.getuid?.() === 0;
    const home = join(dir, 'nobody-home');
    await mkdir(home, { mode: 0o777 });
    await chmod(home, 0o777);
    const r = await ppfm(
      start('--data-dir', join(home, 'dd'), '--log-dir', ro, '--rounds', '1'),
      {},
      asRoot ? 65534 : undefined,
    );
    assert.match(
      oneLine(r, 2, 'read-only log dir'),
      /^ppfm: error: --log-dir: cannot write the event log .*\/ro\/12D3\w+\.log: permission denied \(EACCES\)$/,
    );
  });

  it('says a conv model cannot train on wasm before joining, and names bad data found by the engine', async () => {
    const img = join(dir, 'img');
    await mkdir(img);
    const rows = ['label,' + Array.from({ length: 16 }, (_, i) => `p${i}`).join(',')];
    for (let i = 0; i < 40; i++)
      rows.push([i % 2, ...Array.from({ length: 16 }, (_, j) => (i * j) % 256)].join(','));
    await writeFile(join(img, 'data.csv'), rows.join('\n') + '\n');
    await writeFile(join(img, 'ppfm.json'), JSON.stringify({ inputShape: [4, 4, 1] }));
    const conv = join(dir, 'conv.json');
    await writeFile(
      conv,
      JSON.stringify({ layers: [{ type: 'conv2d', filters: 2, kernelSize: 3 }, { type: 'flatten' }] }),
    );
    const binary = join(dir, 'binary.csv');
    await writeFile(binary, Buffer.concat([Buffer.from('a,label\n'), Buffer.from([0, 0xff, 0x1b, 0x9b, 7])]));
    const typo = join(dir, 'typo');
    await mkdir(typo);
    await writeFile(join(typo, 'ppfm.json'), '{"numClases": 3}');
    await writeFile(join(typo, 'd.csv'), 'a,label\n' + '1,0\n2,1\n'.repeat(6));
    const loop = join(dir, 'loop');
    await symlink(loop, loop);
    const dd = (n: string): string[] => ['--data-dir', join(dir, `dd-${n}`)];
    const [onWasm, bin, misspelt, looped] = await Promise.all([
      ppfm(['start', '--data', img, '--model', conv, '--backend', 'wasm', ...dd('conv')]),
      ppfm(['start', '--data', binary, ...dd('bin')]),
      ppfm(['start', '--data', typo, ...dd('typo')]),
      ppfm(['start', '--data', loop, ...dd('loop')]),
    ]);
    assert.equal(
      oneLine(onWasm, 2, 'conv on wasm'),
      "ppfm: error: --backend: the 'wasm' backend cannot train a conv2d layer (missing kernel " +
        'Conv2DBackpropFilter); use --backend cpu (or node) for convolutional models',
    );
    assert.doesNotMatch(onWasm.stdout, /^peer /m, 'it never joined the network');
    assert.match(
      oneLine(bin, 2, 'binary csv'),
      /^ppfm: error: --data: .*binary\.csv: not a text CSV \(binary bytes at offset 8\)$/,
    );
    assert.match(
      oneLine(misspelt, 2, 'ppfm.json typo'),
      /^ppfm: error: --data: .*ppfm\.json field 'numClases': unknown key "numClases" \(did you mean "numClasses"\?\)$/,
    );
    assert.equal(
      oneLine(looped, 2, 'symlink loop'),
      `ppfm: error: --data: ${loop}: symbolic link loop (ELOOP)`,
    );
  });

  it('names an unreadable data folder, not a ppfm.json it does not have (run as nobody when root)', async function () {
    if (typeof process.getuid !== 'function') this.skip();
    const locked = join(dir, 'locked');
    await mkdir(locked);
    await writeFile(join(locked, 'd.csv'), 'a,label\n' + '1,0\n2,1\n'.repeat(6));
    await chmod(locked, 0o000);
    const home = join(dir, 'nobody-home2');
    await mkdir(home, { mode: 0o777 });
    await chmod(home, 0o777);
    const r = await ppfm(
      ['start', '--data', locked, '--data-dir', join(home, 'dd')],
      {},
      process.getuid?.() === 0 ? 65534 : undefined,
    );
    assert.equal(
      oneLine(r, 2, 'unreadable folder'),
      `ppfm: error: --data: ${locked}: permission denied (EACCES)`,
    );
  });
});
