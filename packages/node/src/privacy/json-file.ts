// Small JSON state files of the privacy layer, written durably (tmp file, fsync, rename, fsync of
// the directory): a spent privacy budget must survive a crash right after a release.
import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';

let seq = 0;

/** Writes `value` as JSON to `path` atomically and durably. */
export async function writeJsonDurably(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.${process.pid}.${++seq}.tmp`;
  const fh = await fs.open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(JSON.stringify(value) + '\n');
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.rename(tmp, path);
  try {
    const dir = await fs.open(dirname(path), 'r');
    await dir.sync().finally(() => dir.close());
  } catch {
    // Directory fsync is not supported everywhere; the rename itself is atomic.
  }
}

/** Reads and parses a JSON file: undefined when absent; throws a one-line error naming the file otherwise. */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${path}: cannot read (${(err as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${(err as Error).message})`);
  }
}
