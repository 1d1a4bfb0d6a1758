/**
 * Preparing the testnet's data with @ppfm/meta: load the dataset, optionally take the same seeded
 * subset `ppfm simulate --max-samples` takes, partition it, write `<out>/data/peer-XX` + truth.json.
 */
import { statSync } from 'node:fs';
import {
  isBuiltinName,
  loadBuiltin,
  loadDataset,
  mixSeed,
  partitionDataset,
  subsetDataset,
  writePartition,
  type Dataset,
} from '@ppfm/meta';

/** The written partition: one data directory per peer (index order) and the true groups. */
export interface PreparedData {
  peerDirs: string[];
  truth: number[];
  truthPath: string;
  samples: number;
}

/** A bad --dataset or bad data in it: the testnet exits 2 and leaves no run folder. */
export class DatasetError extends Error {
  override name = 'DatasetError';
}

/** Throws a DatasetError unless `dataset` is a built-in name or a path that can be opened. */
export function checkDataset(dataset: string): void {
  if (isBuiltinName(dataset)) return;
  try {
    statSync(dataset);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DatasetError(
      code === 'ENOENT'
        ? `--dataset '${dataset}' is neither mnist, synthetic nor an existing path`
        : `--dataset '${dataset}': cannot open (${code ?? (err as Error).message})`,
    );
  }
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
  checkDataset(opts.dataset);
  let ds: Dataset;
  let parts: ReturnType<typeof partitionDataset>;
  try {
    if (isBuiltinName(opts.dataset)) ds = await loadBuiltin(opts.dataset, { seed: opts.seed });
    else ds = await loadDataset(opts.dataset);
    if (opts.maxSamples !== undefined) ds = subsetDataset(ds, opts.maxSamples, mixSeed(opts.seed, 7));
    parts = partitionDataset(ds, opts.partition, opts.peers, opts.seed);
  } catch (err) {
    // Bad data (file, line, field) or a partition the data cannot take: the user's input.
    if (err instanceof Error && (err.name === 'DataError' || err.name === 'RangeError'))
      throw new DatasetError(`--dataset ${opts.dataset}: ${err.message}`);
    throw err;
  }
  const written = await writePartition(opts.dir, parts, {
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
