// Creates a directory and its missing parents one level at a time. Node's own recursive mkdir
// loops forever under procfs-like trees (`mkdir -p /proc/x` spins at 100 % CPU, measured on
// Node 20 and 22); creating each missing level ourselves fails at once with ENOENT/EACCES instead.
import { mkdirSync, promises as fs } from 'node:fs';
import { dirname, resolve } from 'node:path';

const isCode = (err: unknown, code: string): boolean => (err as NodeJS.ErrnoException).code === code;

/** Like `mkdir -p`, synchronously; throws the first level's error (ENOENT, EACCES, ENOTDIR). */
export function makeDirSync(dir: string, mode?: number): void {
  const levels: string[] = [];
  for (let p = resolve(dir); ; p = dirname(p)) {
    try {
      mkdirSync(p, { mode });
      break;
    } catch (err) {
      if (isCode(err, 'EEXIST')) break;
      if (!isCode(err, 'ENOENT') || dirname(p) === p) throw err;
      levels.unshift(p);
    }
  }
  for (const level of levels) {
    try {
      mkdirSync(level, { mode });
    } catch (err) {
      if (!isCode(err, 'EEXIST')) throw err;
    }
  }
}

/** Like `mkdir -p`; throws the first level's error (ENOENT, EACCES, ENOTDIR). */
export async function makeDir(dir: string, mode?: number): Promise<void> {
  const levels: string[] = [];
  for (let p = resolve(dir); ; p = dirname(p)) {
    try {
      await fs.mkdir(p, { mode });
      break;
    } catch (err) {
      if (isCode(err, 'EEXIST')) break;
      if (!isCode(err, 'ENOENT') || dirname(p) === p) throw err;
      levels.unshift(p);
    }
  }
  for (const level of levels) {
    try {
      await fs.mkdir(level, { mode });
    } catch (err) {
      if (!isCode(err, 'EEXIST')) throw err;
    }
  }
}
