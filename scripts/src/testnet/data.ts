/**
 * Preparing the testnet's data with @ppfm/meta: load the dataset, optionally take the same seeded
 * subset `ppfm simulate --max-samples` takes, partition it, write `<out>/data/peer-XX` + truth.json.
 */
import { existsSync } from 'node:fs';
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

/** Loads, subsets, partitions and writes the dataset for `peers` peers under `dir`. */
export async function prepareData(opts: {
  dataset: string;
  partition: string;
  peers: number;
  seed: number;
  maxSamples?: number;
  dir: string;
}): Promise<PreparedData> {
  let ds: Dataset;
  if (isBuiltinName(opts.dataset)) ds = await loadBuiltin(opts.dataset, { seed: opts.seed });
  else if (existsSync(opts.dataset)) ds = await loadDataset(opts.dataset);
  else throw new Error(`--dataset '${opts.dataset}' is neither a built-in dataset nor an existing path`);
  if (opts.maxSamples !== undefined) ds = subsetDataset(ds, opts.maxSamples, mixSeed(opts.seed, 7));
  const parts = partitionDataset(ds, opts.partition, opts.peers, opts.seed);
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
