import {
  DEFAULT_PPFM_CONFIG,
  createRng,
  defaultModelSpec,
  initWeights,
  loadBuiltin,
  loadDataset,
  partitionDataset,
  selectBackend,
  splitDataset,
  datasetSize,
} from './core.js';
import type { BackendName, Dataset, ModelSpec, PpfmConfig, WeightSet } from './core.js';
import type { SimulationOptions, SimulationProgress } from './types.js';

/** One simulated peer: its own train and held-out splits. */
export interface SimPeer {
  index: number;
  id: string;
  train: Dataset;
  val: Dataset;
  /** Training samples: the weight of this peer's update. */
  samples: number;
}

/** Everything the methods share: the same partition, splits, initial weights and seeds. */
export interface SimContext {
  spec: ModelSpec;
  inputShape: number[];
  numClasses: number;
  peers: SimPeer[];
  truth: number[];
  /** Number of true groups. */
  groups: number;
  /** Cluster count for IFCA. */
  k: number;
  init: WeightSet;
  config: PpfmConfig;
  rounds: number;
  seed: number;
  backend: BackendName;
  evalEachRound: boolean;
  ppfmClustering: 'auto' | 'loss';
  progress(event: SimulationProgress): void;
}

/** A deterministic 31-bit seed derived from a base seed and some integers (FNV-1a style mixing). */
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

/** The first `n` samples of `ds` after a seeded shuffle (all of it when n >= size). */
export function subsetDataset(ds: Dataset, n: number, seed: number): Dataset {
  const size = datasetSize(ds);
  if (n >= size) return ds;
  const order = Array.from({ length: size }, (_, i) => i);
  createRng(seed).shuffle(order);
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

async function loadSource(name: string, seed: number): Promise<Dataset> {
  if (name === 'mnist' || name === 'synthetic' || name === 'fashion-mnist')
    return loadBuiltin(name, { seed });
  return loadDataset(name);
}

/** Loads, partitions and splits the data once, so every method runs on identical inputs. */
export async function createContext(opts: SimulationOptions): Promise<SimContext> {
  if (!Number.isInteger(opts.peers) || opts.peers < 1) throw new Error(`peers must be a positive integer`);
  if (!Number.isInteger(opts.rounds) || opts.rounds < 1) throw new Error(`rounds must be a positive integer`);
  const backend = await selectBackend(opts.backend ?? 'auto');
  const config: PpfmConfig = { ...DEFAULT_PPFM_CONFIG, ...(opts.config ?? {}) };
  let source = await loadSource(opts.dataset, opts.seed);
  if (opts.maxSamples !== undefined) source = subsetDataset(source, opts.maxSamples, mixSeed(opts.seed, 7));
  const parts = partitionDataset(source, opts.partition, opts.peers, opts.seed);
  const first = parts.peers[0];
  if (!first) throw new Error('the partition produced no peers');
  const peers: SimPeer[] = parts.peers.map((ds, index) => {
    const { train, val } = splitDataset(ds, {
      valFraction: config.valFraction,
      seed: mixSeed(opts.seed, 11, index),
    });
    return { index, id: `peer-${String(index).padStart(2, '0')}`, train, val, samples: datasetSize(train) };
  });
  const groups = new Set(parts.truth).size;
  const spec = opts.model ?? defaultModelSpec(first.inputShape, first.numClasses);
  return {
    spec,
    inputShape: first.inputShape,
    numClasses: first.numClasses,
    peers,
    truth: parts.truth,
    groups,
    k: opts.k ?? groups,
    init: initWeights(spec, first.inputShape, first.numClasses, mixSeed(opts.seed, config.initSeed)),
    config,
    rounds: opts.rounds,
    seed: opts.seed,
    backend,
    evalEachRound: opts.evalEachRound ?? false,
    ppfmClustering: opts.ppfmClustering ?? 'auto',
    progress: (e) => opts.onProgress?.(e),
  };
}
