// makeDir/makeDirSync: mkdir -p that fails at once where Node's recursive mkdir spins (procfs).
import assert from 'node:assert/strict';
import { mkdtemp, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDir, makeDirSync } from '../src/make-dir.js';

describe('makeDir', () => {
  it('creates missing parents and accepts an existing directory', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ppfm-mkdir-'));
    await makeDir(join(root, 'a/b/c'), 0o700);
    makeDirSync(join(root, 'x/y'));
    await makeDir(join(root, 'a/b/c'));
    makeDirSync(join(root, 'x/y'));
    assert.ok((await stat(join(root, 'a/b/c'))).isDirectory());
    assert.equal((await stat(join(root, 'a/b/c'))).mode & 0o777, 0o700);
    assert.ok((await stat(join(root, 'x/y'))).isDirectory());
  });

  it('fails at once under /proc and under a file, naming the error code', async () => {
    await assert.rejects(makeDir('/proc/ppfm-x/y'), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
    assert.throws(
      () => makeDirSync('/proc/ppfm-x/y'),
      (e: NodeJS.ErrnoException) => e.code === 'ENOENT',
    );
    const root = await mkdtemp(join(tmpdir(), 'ppfm-mkdir-'));
    await writeFile(join(root, 'f'), 'x');
    await assert.rejects(makeDir(join(root, 'f/d')), (e: NodeJS.ErrnoException) => e.code === 'ENOTDIR');
  });
});
