import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { loadDataset } from '../src/data/index.js';
import { expectDataError, useTempDir } from './data-helpers.js';

const GOOD_CSV = 'a,b,label\n' + '1,2,0\n3,4,1\n'.repeat(6);
const INDEX_JS = pathToFileURL(
  join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'data', 'index.js'),
).href;
/** uid/gid of `nobody`: root cannot be denied a read, an unprivileged child can. */
const NOBODY = 65534;

/** loadDataset(path) in a child process running as `nobody`; resolves with the error message (or ''). */
function loadAsNobody(path: string): Promise<string> {
  const code = `import { loadDataset } from ${JSON.stringify(INDEX_JS)};
try { await loadDataset(${JSON.stringify(path)}); } catch (e) { process.stdout.write(e.message); }`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', code],
      { uid: NOBODY, gid: NOBODY },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message} ${stderr}`)) : resolve(stdout)),
    );
  });
}

/** True when text holds a control character or a replacement character (undecodable bytes). */
function hasRawBytes(text: string): boolean {
  return [...text].some((ch) => {
    const c = ch.charCodeAt(0);
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0xfffd;
  });
}

describe('data files: messages for what is not a dataset', () => {
  const tmp = useTempDir();

  describe('ppfm.json', () => {
    it('refuses a misspelt key, suggesting the closest known one', async () => {
      const m = await tmp.write('typo/ppfm.json', JSON.stringify({ task: 't', clasNames: ['a', 'b'] }));
      await tmp.write('typo/d.csv', GOOD_CSV);
      const err = await expectDataError(loadDataset(tmp.path('typo')), {
        file: m,
        problem: /unknown key "clasNames" \(did you mean "classNames"\?\)/,
      });
      assert.equal(err.field, 'clasNames');
      const m2 = await tmp.write('typo2/ppfm.json', JSON.stringify({ labelcolumn: 'y' }));
      await tmp.write('typo2/d.csv', GOOD_CSV);
      await expectDataError(loadDataset(tmp.path('typo2/d.csv')), {
        file: m2,
        problem: /unknown key "labelcolumn" \(did you mean "labelColumn"\?\)/,
      });
      const m3 = await tmp.write('typo3/ppfm.json', JSON.stringify({ colour: 'blue' }));
      await tmp.write('typo3/d.csv', GOOD_CSV);
      await expectDataError(loadDataset(tmp.path('typo3')), {
        file: m3,
        problem: /unknown key "colour" \(known keys: task, inputShape, classNames/,
      });
    });
  });

  describe('binary files', () => {
    it('says a binary .csv is not a text CSV, with the offset and without its bytes', async () => {
      const bytes = Buffer.concat([
        Buffer.from('a,label\n1,0\n'),
        Buffer.from([0x00, 0xff, 0x1b, 0x9c, 0x07]),
      ]);
      const f = await tmp.write('bin/d.csv', bytes);
      const err = await expectDataError(loadDataset(f), {
        file: f,
        problem: /not a text CSV \(binary bytes at offset 12\)$/,
      });
      assert.ok(!hasRawBytes(err.message), `no raw bytes in: ${JSON.stringify(err.message)}`);
      const gz = await tmp.write('bin2/d.csv', gzipSync(GOOD_CSV));
      await expectDataError(loadDataset(gz), {
        file: gz,
        problem: /not a text CSV \(binary bytes at offset 0: gzip data/,
      });
      const latin = await tmp.write('bin3/d.csv', Buffer.from('a,label\n1,caf\xe9\n', 'latin1'));
      await expectDataError(loadDataset(latin), {
        file: latin,
        problem: /not a text CSV \(invalid UTF-8 at offset 13; save it as UTF-8\)/,
      });
      const jl = await tmp.write('bin4/d.jsonl', Buffer.from([0x7b, 0x00, 0x01]));
      await expectDataError(loadDataset(jl), {
        file: jl,
        problem: /not a text JSON-lines file \(binary bytes at offset 1\)/,
      });
      const m = await tmp.write('bin5/ppfm.json', Buffer.from([0x7b, 0x02, 0x7d]));
      await tmp.write('bin5/d.csv', GOOD_CSV);
      await expectDataError(loadDataset(tmp.path('bin5')), { file: m, problem: /not a text JSON file/ });
    });
  });

  describe('file-system errors', () => {
    it('names a symlink loop (ELOOP), directly or inside a folder, and a broken link', async () => {
      const loop = tmp.path('loop.csv');
      await symlink(loop, loop);
      await expectDataError(loadDataset(loop), { file: loop, problem: /symbolic link loop \(ELOOP\)/ });
      await mkdir(tmp.path('withloop'));
      const inner = tmp.path('withloop', 'd.csv');
      await symlink(inner, inner);
      await expectDataError(loadDataset(tmp.path('withloop')), { file: inner, problem: /ELOOP/ });
      const broken = tmp.path('broken.csv');
      await symlink(tmp.path('nowhere.csv'), broken);
      await expectDataError(loadDataset(broken), { file: broken, problem: /broken symbolic link/ });
    });

    it('says "permission denied" naming an unreadable folder or file (as nobody when run as root)', async function () {
      if (typeof process.getuid !== 'function') this.skip(); // no POSIX permissions (Windows)
      await tmp.write('perm/locked/d.csv', GOOD_CSV);
      const lockedFile = await tmp.write('perm/open/d.csv', GOOD_CSV);
      await chmod(tmp.path('perm/locked'), 0o000);
      await chmod(lockedFile, 0o000);
      try {
        if (process.getuid?.() === 0) {
          // Root reads anything: let a child without privileges try (mkdtemp's root is private: open it).
          for (const d of ['', 'perm', 'perm/open']) await chmod(tmp.path(d), 0o755);
          const [dirMsg, fileMsg] = await Promise.all([
            loadAsNobody(tmp.path('perm/locked')),
            loadAsNobody(lockedFile),
          ]);
          assert.equal(dirMsg, `${tmp.path('perm/locked')}: permission denied (EACCES)`);
          assert.equal(fileMsg, `${lockedFile}: permission denied (EACCES)`);
        } else {
          await expectDataError(loadDataset(tmp.path('perm/locked')), {
            file: tmp.path('perm/locked'),
            problem: /permission denied \(EACCES\)$/,
          });
          await expectDataError(loadDataset(lockedFile), { file: lockedFile, problem: /permission denied/ });
        }
      } finally {
        await chmod(tmp.path('perm/locked'), 0o755);
        await chmod(lockedFile, 0o644);
      }
    });
  });
});
