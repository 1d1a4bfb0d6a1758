/** Writing a partition to disk (one dataset folder per peer + truth.json) and reading truth.json back. */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BIN_X_FILE, BIN_Y_FILE, writeBinDataset } from './bin.js';
import { writeCsv, type CsvWriteOptions } from './csv-write.js';
import { DataError, type Dataset } from './dataset.js';
import { MANIFEST_FILE } from './manifest.js';
import { peerName } from './partition.js';
import type { ZeroShotInfo } from './zeroshot-partition.js';

export const TRUTH_FILE = 'truth.json';
/** The data file of a CSV peer folder. */
export const CSV_DATA_FILE = 'data.csv';

/** On-disk format of the peer folders: compact binary (default) or raw CSV with a ppfm.json. */
export type PartitionFormat = 'ppfm-bin' | 'csv';

/** Options of writePartition. */
export interface WritePartitionOptions {
  /** Peer folder format (default `ppfm-bin`). */
  format?: PartitionFormat;
}

/** What writePartition needs: the peers' datasets and their true groups (a Partition fits). */
export interface PartitionLike {
  peers: Dataset[];
  truth: number[];
  spec?: string;
  seed?: number;
  groups?: number;
  /** zeroshot partitions: written to truth.json and, per peer, to its ppfm.json (`zeroShot`). */
  zeroShot?: ZeroShotInfo;
}

/** Contents of truth.json. */
export interface TruthFile {
  version: 1;
  spec?: string;
  seed?: number;
  groups: number;
  /** Peer folder name -> true group. */
  peers: Record<string, number>;
  /** Extra metadata given to writePartition (e.g. dataset name). */
  meta?: Record<string, unknown>;
  zeroShot?: ZeroShotInfo;
}

/**
 * Writes `dir/peer-00/`, `dir/peer-01/`, ... (folders that loadDataset reads: ppfm-bin, or `data.csv` plus
 * ppfm.json with `format: 'csv'`) and `dir/truth.json`. Stale `peer-NN` folders from an earlier, larger
 * partition in the same dir are removed, and so are the other format's files in a reused peer folder.
 */
export async function writePartition(
  dir: string,
  parts: PartitionLike,
  metaIn: object = {},
  opts: WritePartitionOptions = {},
): Promise<{ peerDirs: string[]; truthPath: string }> {
  const meta = { ...metaIn } as Record<string, unknown>;
  if (parts.peers.length !== parts.truth.length) {
    throw new RangeError(`${parts.peers.length} peers but ${parts.truth.length} truth entries`);
  }
  await mkdir(dir, { recursive: true });
  const names = parts.peers.map((_, p) => peerName(p, parts.peers.length));
  const keep = new Set(names);
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.isDirectory() && /^peer-\d+$/.test(e.name) && !keep.has(e.name)) {
      await rm(join(dir, e.name), { recursive: true, force: true });
    }
  }
  const peerDirs: string[] = [];
  for (let p = 0; p < parts.peers.length; p++) {
    const peerDir = join(dir, names[p] as string);
    const zs = parts.zeroShot;
    const extra = {
      group: parts.truth[p],
      ...(zs ? { zeroShot: { unseen: zs.unseen, seen: zs.peerClasses[p] } } : {}),
    };
    await Promise.all(
      [MANIFEST_FILE, BIN_X_FILE, BIN_Y_FILE, CSV_DATA_FILE].map((f) =>
        rm(join(peerDir, f), { force: true }),
      ),
    );
    if (opts.format === 'csv') await writeCsvDataset(peerDir, parts.peers[p] as Dataset, extra);
    else await writeBinDataset(peerDir, parts.peers[p] as Dataset, extra);
    peerDirs.push(peerDir);
  }
  const truth: TruthFile = {
    version: 1,
    groups: parts.groups ?? new Set(parts.truth).size,
    peers: Object.fromEntries(names.map((n, p) => [n, parts.truth[p] as number])),
  };
  const spec = parts.spec ?? (typeof meta.spec === 'string' ? meta.spec : undefined);
  const seed = parts.seed ?? (typeof meta.seed === 'number' ? meta.seed : undefined);
  if (spec !== undefined) truth.spec = spec;
  if (seed !== undefined) truth.seed = seed;
  if (Object.keys(meta).length > 0) truth.meta = meta;
  if (parts.zeroShot) truth.zeroShot = parts.zeroShot;
  const truthPath = join(dir, TRUTH_FILE);
  await writeFile(truthPath, JSON.stringify(truth, null, 2) + '\n');
  return { peerDirs, truthPath };
}

/**
 * Writes `dir/data.csv` (see writeCsv) and a ppfm.json declaring the task, shape and classes, so that
 * every peer reads the same classes even when its rows lack some. ppfm.json is written last.
 */
export async function writeCsvDataset(
  dir: string,
  ds: Dataset,
  extra: Record<string, unknown> = {},
  opts: CsvWriteOptions = {},
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeCsv(ds, join(dir, CSV_DATA_FILE), opts);
  const manifest: Record<string, unknown> = {
    format: 'csv',
    task: ds.name,
    file: CSV_DATA_FILE,
    inputShape: ds.inputShape,
    numClasses: ds.numClasses,
    ...(ds.classNames ? { classNames: ds.classNames } : {}),
    ...extra,
  };
  // One key per line, arrays inline, as ppfm-bin's ppfm.json.
  const body = Object.entries(manifest).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  await writeFile(join(dir, MANIFEST_FILE), `{\n${body.join(',\n')}\n}\n`);
}

/**
 * Reads `dir/truth.json` (or the file itself when given). `truth` lists the groups in peer-name order,
 * aligned with the sorted peer folders.
 */
export async function readTruth(
  dirOrFile: string,
): Promise<TruthFile & { names: string[]; truth: number[] }> {
  const file = dirOrFile.endsWith('.json') ? dirOrFile : join(dirOrFile, TRUTH_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DataError(code === 'ENOENT' ? 'missing file' : `invalid truth file: ${(e as Error).message}`, {
      file,
    });
  }
  const o = raw as Partial<TruthFile> | null;
  const peers = o?.peers;
  if (typeof peers !== 'object' || peers === null || Array.isArray(peers)) {
    throw new DataError('truth.json needs "peers": {"peer-00": <group>, ...}', { file, field: 'peers' });
  }
  const names = Object.keys(peers).sort();
  const truth = names.map((n) => {
    const g = peers[n];
    if (!Number.isInteger(g) || (g as number) < 0) {
      throw new DataError(`group of ${n} must be a non-negative integer, got ${JSON.stringify(g)}`, {
        file,
        field: 'peers',
      });
    }
    return g as number;
  });
  const out: TruthFile & { names: string[]; truth: number[] } = {
    version: 1,
    groups: typeof o?.groups === 'number' ? o.groups : new Set(truth).size,
    peers: { ...peers },
    names,
    truth,
  };
  if (typeof o?.spec === 'string') out.spec = o.spec;
  if (typeof o?.seed === 'number') out.seed = o.seed;
  if (o?.meta && typeof o.meta === 'object') out.meta = o.meta;
  if (o?.zeroShot && typeof o.zeroShot === 'object') out.zeroShot = o.zeroShot;
  return out;
}
