/**
 * Preparing the testnet's data with @ppfm/meta: load the dataset, optionally take the same seeded
 * subset `ppfm simulate --max-samples` takes, partition it, write `<out>/data/peer-XX` + truth.json.
 * Loaded dynamically and checked at run time so that a missing export gives a clear error.
 */
import { existsSync } from 'node:fs';
import type { Dataset } from '@ppfm/meta';

interface MetaData {
  loadBuiltin(name: 'mnist' | 'synthetic', opts?: { seed?: number }): Promise<Dataset>;
  loadDataset(path: string): Promise<Dataset>;
  partitionDataset(
    ds: Dataset,
    spec: string,
    peers: number,
    seed: number,
  ): { peers: Dataset[]; truth: number[] };
  writePartition(
    dir: string,
    parts: { peers: Dataset[]; truth: number[] },
    meta?: Record<string, unknown>,
  ): Promise<{ peerDirs: string[]; truthPath: string }>;
  readTruth(dirOrFile: string): Promise<{ names: string[]; truth: number[] }>;
  adjustedRandIndex(a: ArrayLike<number>, b: ArrayLike<number>): number;
  createRng(seed: number): { shuffle<A extends { length: number; [i: number]: unknown }>(arr: A): A };
}

/** @ppfm/meta's functions the testnet needs; throws naming any export that is missing. */
export async function metaApi(): Promise<MetaData> {
  const mod = (await import('@ppfm/meta')) as unknown as Record<string, unknown>;
  const names = [
    'loadBuiltin',
    'loadDataset',
    'partitionDataset',
    'writePartition',
    'readTruth',
    'adjustedRandIndex',
    'createRng',
  ];
  const missing = names.filter((n) => typeof mod[n] !== 'function');
  if (missing.length > 0) throw new Error(`@ppfm/meta does not export ${missing.join(', ')} (rebuild meta?)`);
  return mod as unknown as MetaData;
}

/**
 * The seed mixing of meta's simulator (packages/meta/src/sim/context.ts `mixSeed`), mirrored so that
 * `--max-samples` selects exactly the samples `ppfm simulate --max-samples` selects.
 */
export function mixSeed(base: number, ...parts: number[]): number {
  let h = 0x811c9dc5 ^ (base >>> 0);
  for (const p of [base, ...parts]) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193);
    h ^= h >>> 13;
    h = Math.imul(h, 0x5bd1e995);
    h ^= h >>> 15;
  }
  return (h >>> 0) % 0x7fffffff;
}

/** The first `n` samples after a seeded shuffle (as the simulator's subsetDataset). */
export function subsetDataset(meta: MetaData, ds: Dataset, n: number, seed: number): Dataset {
  const size = ds.y.length;
  if (n >= size) return ds;
  const order = Array.from({ length: size }, (_, i) => i);
  meta.createRng(seed).shuffle(order);
  const dim = ds.x.length / size;
  const x = new Float32Array(n * dim);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const src = order[i] as number;
    x.set(ds.x.subarray(src * dim, (src + 1) * dim), i * dim);
    y[i] = ds.y[src] as number;
  }
  return { ...ds, x, y };
}

/** The written partition: one data directory per peer (index order) and the true groups. */
export interface PreparedData {
  peerDirs: string[];
  truth: number[];
  truthPath: string;
  samples: number;
}

/** Loads, subsets, partitions and writes the dataset for `peers` peers under `dir`. */
export async function prepareData(opts: {
  dataset: string;
  partition: string;
  peers: number;
  seed: number;
  maxSamples?: number;
  dir: string;
}): Promise<PreparedData> {
  const meta = await metaApi();
  let ds: Dataset;
  if (opts.dataset === 'mnist' || opts.dataset === 'synthetic')
    ds = await meta.loadBuiltin(opts.dataset, { seed: opts.seed });
  else if (existsSync(opts.dataset)) ds = await meta.loadDataset(opts.dataset);
  else throw new Error(`--dataset '${opts.dataset}' is neither mnist, synthetic nor an existing path`);
  if (opts.maxSamples !== undefined) ds = subsetDataset(meta, ds, opts.maxSamples, mixSeed(opts.seed, 7));
  const parts = meta.partitionDataset(ds, opts.partition, opts.peers, opts.seed);
  const written = await meta.writePartition(opts.dir, parts, {
    dataset: opts.dataset,
    partition: opts.partition,
    peers: opts.peers,
    seed: opts.seed,
    ...(opts.maxSamples !== undefined ? { maxSamples: opts.maxSamples } : {}),
  });
  return {
    peerDirs: written.peerDirs,
    truth: [...parts.truth],
    truthPath: written.truthPath,
    samples: ds.y.length,
  };
}
