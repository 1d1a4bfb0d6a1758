// The testnet's usage errors (issue 11): a dataset that does not exist or does not load exits 2
// with one line and leaves no run folder behind.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TESTNET = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'testnet.js');

function testnet(args: string[], cwd: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TESTNET, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('testnet usage errors', function () {
  this.timeout(60_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ppfm-testnet-ops-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('exits 2 for a missing dataset and creates no run folder (default or --out)', async () => {
    const [byDefault, withOut] = await Promise.all([
      testnet(['--dataset', '/nonexistent'], dir),
      testnet(['--dataset', '/nonexistent', '--out', join(dir, 'run')], dir),
    ]);
    for (const r of [byDefault, withOut]) {
      assert.equal(r.code, 2, r.stderr);
      assert.equal(
        r.stderr,
        "testnet: --dataset '/nonexistent' is neither mnist, synthetic nor an existing path\n",
      );
    }
    assert.ok(!existsSync(join(dir, 'runs')), 'no runs/<timestamp> folder');
    assert.ok(!existsSync(join(dir, 'run')), 'no --out folder');
  });

  it('exits 2 naming the file for data that does not load, and removes the folder it made', async () => {
    const csv = join(dir, 'binary.csv');
    await writeFile(csv, Buffer.concat([Buffer.from('a,label\n'), Buffer.from([0, 0xff, 0x1b, 7])]));
    const r = await testnet(['--dataset', csv, '--out', join(dir, 'run2')], dir);
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /^testnet: --dataset .*binary\.csv: .*binary\.csv: not a text CSV \(binary bytes at offset 8\)\n$/,
    );
    assert.ok(!existsSync(join(dir, 'run2')));
  });
});
