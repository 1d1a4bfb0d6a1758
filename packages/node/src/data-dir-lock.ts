// One running peer per data dir: its identity key, checkpoints and log must not be shared by
// two processes. A lock file holds the owner's pid; a lock whose process is gone is stale and
// taken over (with a word about it).
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { makeDir } from './make-dir.js';

export const LOCK_FILE = 'ppfm.lock';

/** Thrown when another live process owns the data dir. */
export class DataDirBusyError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `data dir ${dataDir} is in use by another ppfm process (pid ${pid}); stop it, or give this peer its own --data-dir`,
    );
    this.name = 'DataDirBusyError';
  }
}

/** A held lock; `release` removes the file if it is still ours. */
export interface DataDirLock {
  path: string;
  /** Set when a stale lock (its process gone) was taken over: the old pid. */
  tookOverFrom?: number;
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the data dir's lock for this process, or throws DataDirBusyError naming the owner. */
export async function lockDataDir(dataDir: string, pid = process.pid): Promise<DataDirLock> {
  await makeDir(dataDir);
  const path = join(dataDir, LOCK_FILE);
  let tookOverFrom: number | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await fs.writeFile(path, `${pid}\n`, { flag: 'wx' });
      const release = async (): Promise<void> => {
        const owner = Number.parseInt(await fs.readFile(path, 'utf8').catch(() => ''), 10);
        if (owner === pid) await fs.rm(path, { force: true });
      };
      return { path, ...(tookOverFrom !== undefined ? { tookOverFrom } : {}), release };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number.parseInt(await fs.readFile(path, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(owner) && owner > 0 && owner !== pid && alive(owner))
      throw new DataDirBusyError(dataDir, owner);
    // Stale (its process is gone) or unreadable: take it over.
    tookOverFrom = Number.isInteger(owner) ? owner : undefined;
    await fs.rm(path, { force: true });
  }
  throw new Error(`cannot take the lock ${path}`);
}
