/**
 * Files around a run's logs that enrich the dashboard: `truth.json` (the partition's true groups)
 * and a testnet's `summary.json` (the local-only baseline). Read here with a few lines of JSON
 * checks rather than through @ppfm/meta, so that `ppfm dashboard` and `ppfm inspect --html` never
 * load TensorFlow.js.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/** Partition folder name (`peer-07`) -> true group. */
export type TruthMap = Map<string, number>;

/** Reads a truth.json (`{"peers": {"peer-00": 0, ...}}`); errors name the file and the field. */
export async function readTruthFile(file: string): Promise<TruthMap> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT'
        ? `${file}: no such truth file`
        : `${file}: not valid JSON (${(err as Error).message})`,
    );
  }
  const peers = (raw as { peers?: unknown } | null)?.peers;
  if (typeof peers !== 'object' || peers === null || Array.isArray(peers))
    throw new Error(`${file}: field "peers" must be an object {"peer-00": <group>, ...}`);
  const out: TruthMap = new Map();
  for (const [name, g] of Object.entries(peers as Record<string, unknown>)) {
    if (typeof g !== 'number' || !Number.isInteger(g) || g < 0)
      throw new Error(
        `${file}: field "peers.${name}" must be a non-negative integer, got ${JSON.stringify(g)}`,
      );
    out.set(name, g);
  }
  return out;
}

/** The local-only baseline (`localAcc`) of a testnet summary.json, or null. */
export async function readBaseline(file: string): Promise<number | null> {
  try {
    const v = (JSON.parse(await readFile(file, 'utf8')) as { localAcc?: unknown }).localAcc;
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  } catch {
    return null;
  }
}

/** Where a testnet run keeps them: `<run>/data/truth.json` and `<run>/summary.json`, next to `<run>/logs`. */
export function findRunFiles(logDirs: readonly string[]): { truth?: string; summary?: string } {
  const found: { truth?: string; summary?: string } = {};
  for (const d of logDirs) {
    const dir = resolve(d);
    for (const base of [dir, dirname(dir)]) {
      for (const t of [join(base, 'data', 'truth.json'), join(base, 'truth.json')])
        if (found.truth === undefined && existsSync(t)) found.truth = t;
      const s = join(base, 'summary.json');
      if (found.summary === undefined && existsSync(s)) found.summary = s;
    }
  }
  return found;
}
