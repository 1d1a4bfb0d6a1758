// `ppfm` on the PATH (issue 11): linked by `npm ci` in a checkout (a committed launcher, since
// dist/ does not exist at install time), and installed globally from the packed workspace
// tarballs into a temporary prefix (the npm registry is the only network it may use).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SMALL_MODEL_JSON, writeGroupCsv } from './helpers/cli-peer.js';

const run = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

describe('ppfm on the PATH', function () {
  this.timeout(300_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ppfm-install-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('runs as `npx ppfm` in the checkout (the bin is a committed launcher npm links at install)', async () => {
    const { stdout } = await run('npx', ['--no', '--', 'ppfm', '--help'], { cwd: ROOT });
    assert.match(stdout, /^Usage: ppfm /);
    assert.ok(existsSync(join(ROOT, 'node_modules', '.bin', 'ppfm')));
  });

  it('installs globally from the packed tarballs and runs a peer from there', async () => {
    const tgz = join(dir, 'tgz');
    await mkdir(tgz);
    const ws = ['@ppfm/protocol', '@ppfm/meta', '@ppfm/node'];
    await run('npm', ['pack', ...ws.flatMap((w) => ['-w', w]), '--pack-destination', tgz], { cwd: ROOT });
    const files = (await readdir(tgz)).filter((f) => f.endsWith('.tgz')).sort();
    assert.deepEqual(files, ['ppfm-meta-0.1.0.tgz', 'ppfm-node-0.1.0.tgz', 'ppfm-protocol-0.1.0.tgz']);
    const prefix = join(dir, 'prefix');
    // @ppfm/node finds @ppfm/meta and @ppfm/protocol beside it in the global folder.
    await run(
      'npm',
      [
        'i',
        '-g',
        '--prefix',
        prefix,
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        ...files.map((f) => join(tgz, f)),
      ],
      { cwd: dir },
    );
    const bin = join(prefix, 'bin', 'ppfm');
    assert.ok(existsSync(bin), 'npm linked the ppfm bin');
    const env = {
      ...process.env,
      PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}`,
      PPFM_HOME: join(dir, 'home'),
    };
    const version = await run('ppfm', ['--version'], { cwd: dir, env });
    assert.match(version.stdout, /^0\.1\.0\n$/);

    await mkdir(join(dir, 'data'));
    await writeGroupCsv(join(dir, 'data', 'data.csv'), 0, 0);
    await writeFile(join(dir, 'model.json'), SMALL_MODEL_JSON);
    const peer = await run(
      'ppfm',
      [
        'start',
        '--data',
        join(dir, 'data'),
        '--rounds',
        '1',
        '--model',
        join(dir, 'model.json'),
        '--listen',
        '/ip4/127.0.0.1/tcp/0',
      ],
      // A peer that hangs is killed, and the test fails on it instead of on mocha's timeout.
      { cwd: dir, env, timeout: 150_000 },
    );
    assert.match(peer.stdout, /^data dir: .*\/home\/data-[0-9a-f]{8}$/m);
    assert.match(peer.stderr, /started on wasm with 160 samples/);
    assert.match(peer.stderr, /completed 1 round\b/);
  });
});
