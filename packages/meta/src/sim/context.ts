import {
  DEFAULT_PPFM_CONFIG,
  clusterInit,
  clusterScaler,
  computeFingerprint,
  createRng,
  datasetSize,
  defaultModelSpec,
  deriveSeed,
  loadBuiltin,
  loadDataset,
  partitionDataset,
  ppfmSeeds,
  selectBackend,
  splitDataset,
} from './core.js';
import type { BackendName, Dataset, Fingerprint, PpfmConfig, Scaler, TaskModel, WeightSet } from './core.js';
import type { ByzantineOptions, SimPrivacyOptions, SimulationOptions, SimulationProgress } from './types.js';
import { noiseFingerprint } from '../privacy/fingerprint-noise.js';
import { checkPrivacy } from './privacy.js';

/** One simulated peer: its own seed, train and held-out splits, and its data fingerprint. */
export interface SimPeer {
  index: number;
  id: string;
  /** The peer's own seed (ppfmSeeds.peer(run seed, index)): every seed it uses derives from it. */
  seed: number;
  train: Dataset;
  val: Dataset;
  /** Training samples: the weight of this peer's update. */
  samples: number;
  /** Fingerprint of the train split, as the peer would gossip it. */
  fp: Fingerprint;
  /** A hostile member (SimulationOptions.byzantine). */
  byzantine: boolean;
}

/** Everything the methods share: the same partition, splits, seeds and configuration. */
export interface SimContext {
  task: TaskModel;
  peers: SimPeer[];
  truth: number[];
  /** Number of true groups. */
  groups: number;
  /** Cluster count for IFCA. */
  k: number;
  config: PpfmConfig;
  rounds: number;
  seed: number;
  backend: BackendName;
  evalEachRound: boolean;
  ppfmClustering: 'auto' | 'loss';
  byzantine: ByzantineOptions | undefined;
  privacy: SimPrivacyOptions | undefined;
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
    const src = order[i]!;
    x.set(ds.x.subarray(src * dim, (src + 1) * dim), i * dim);
    y[i] = ds.y[src]!;
  }
  return { ...ds, x, y };
}

async function loadSource(name: string, seed: number): Promise<Dataset> {
  if (name === 'mnist' || name === 'synthetic' || name === 'fashion-mnist')
    return loadBuiltin(name, { seed });
  return loadDataset(name);
}

async function partitionSource(opts: SimulationOptions): Promise<{ peers: Dataset[]; truth: number[] }> {
  let source = await loadSource(opts.dataset, opts.seed);
  if (opts.maxSamples !== undefined) source = subsetDataset(source, opts.maxSamples, mixSeed(opts.seed, 7));
  return partitionDataset(source, opts.partition, opts.peers, opts.seed);
}

/** The seeded set of hostile peers. */
function byzantinePeers(n: number, b: ByzantineOptions | undefined, seed: number): Set<number> {
  if (b === undefined) return new Set();
  if (!(b.fraction >= 0 && b.fraction < 1))
    throw new Error(`byzantine.fraction must be in [0, 1), got ${b.fraction}`);
  const order = createRng(deriveSeed(seed, 'byzantine')).shuffle(Array.from({ length: n }, (_, i) => i));
  return new Set(order.slice(0, Math.round(b.fraction * n)));
}

/** Loads, partitions and splits the data once, so every method runs on identical inputs. */
export async function createContext(opts: SimulationOptions): Promise<SimContext> {
  if (!Number.isInteger(opts.peers) || opts.peers < 1) throw new Error(`peers must be a positive integer`);
  if (!Number.isInteger(opts.rounds) || opts.rounds < 1) throw new Error(`rounds must be a positive integer`);
  const backend = await selectBackend(opts.backend ?? 'auto');
  const config: PpfmConfig = { ...DEFAULT_PPFM_CONFIG, ...(opts.config ?? {}) };
  const parts = opts.partitioned ?? (await partitionSource(opts));
  const first = parts.peers[0];
  if (!first) throw new Error('the partition produced no peers');
  const hostile = byzantinePeers(parts.peers.length, opts.byzantine, opts.seed);
  if (opts.privacy !== undefined) checkPrivacy(opts.privacy);
  const fpNoise = opts.fingerprintNoise ?? 0;
  const peers: SimPeer[] = parts.peers.map((ds, index) => {
    const seed = ppfmSeeds.peer(opts.seed, index);
    const { train, val } = splitDataset(ds, { valFraction: config.valFraction, seed: ppfmSeeds.split(seed) });
    return {
      index,
      id: `peer-${String(index).padStart(2, '0')}`,
      seed,
      train,
      val,
      samples: datasetSize(train),
      // The fingerprint as the peer publishes it: noised once with --fingerprint-noise.
      fp: noisedIf(computeFingerprint(train, { dims: config.fingerprintDims }), fpNoise, seed),
      byzantine: hostile.has(index),
    };
  });
  const groups = new Set(parts.truth).size;
  return {
    task: {
      spec: opts.model ?? defaultModelSpec(first.inputShape, first.numClasses),
      inputShape: first.inputShape,
      numClasses: first.numClasses,
    },
    peers,
    truth: parts.truth,
    groups,
    k: opts.k ?? groups,
    config,
    rounds: opts.rounds,
    seed: opts.seed,
    backend,
    evalEachRound: opts.evalEachRound ?? false,
    ppfmClustering: opts.ppfmClustering ?? 'auto',
    byzantine: opts.byzantine,
    privacy: opts.privacy,
    progress: (e) => opts.onProgress?.(e),
  };
}

function noisedIf(fp: Fingerprint, scale: number, seed: number): Fingerprint {
  return scale > 0 ? noiseFingerprint(fp, scale, createRng(deriveSeed(seed, 'fingerprint-noise'))) : fp;
}

/** The input scaler a set of peers agrees on (their pooled fingerprint moments), per the config. */
export function scalerOf(ctx: SimContext, peers: readonly SimPeer[]): Scaler {
  return clusterScaler(
    ctx.task,
    peers.map((p) => p.fp),
    ctx.config,
  );
}

/** The shared initial network (cfg.initSeed, as every peer uses) behind the peers' pooled scaler. */
export function initFor(ctx: SimContext, peers: readonly SimPeer[]): WeightSet {
  return clusterInit(
    ctx.task,
    peers.map((p) => p.fp),
    ctx.config,
  );
}
