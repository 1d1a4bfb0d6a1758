/**
 * Fairness figures of a finished run, offline: the testnet made the partition, so it can rebuild
 * every peer's held-out split (the split the peer itself made: meta's splitDataset with the peer's
 * seed) and the simulator's class-balanced test sets (meta's balancedSetsOf), and score each peer's
 * final personalised model, read from its checkpoint, on both. Peers only ever see their own split.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DEFAULT_PPFM_CONFIG,
  balancedSetsOf,
  defaultAugmentSpec,
  defaultModelSpec,
  evaluateModel,
  fairnessStats,
  loadDataset,
  parseModelSpec,
  ppfmSeeds,
  selectBackend,
  splitDataset,
  type BackendPreference,
  type Dataset,
  type FairnessStats,
  type ModelSpec,
  type TaskModel,
} from '@ppfm/meta';
import { loadCheckpoint } from '@ppfm/node';
import { peerName } from './launch.js';
import type { TestnetOptions } from './options.js';

/** One peer's personalised model on its own held-out split and on its class-balanced test set. */
export interface PeerFairness {
  index: number;
  own: number;
  balanced: number;
  /** Samples of the own split and of the balanced set. */
  ownSamples: number;
  balancedSamples: number;
}

/** The run's fairness figures: mean / worst / std across the peers that have a personalised model. */
export interface FairnessReport {
  own: FairnessStats;
  balanced: FairnessStats;
  peers: PeerFairness[];
  /** Peers without a usable personalised model, each with the reason (never dropped silently). */
  missing: { index: number; reason: string }[];
}

/** Where a run's files are and what the peers ran with. */
export interface FairnessInput {
  /** Partition folders, peer index order (`<out>/data/peer-XX`). */
  peerDataDirs: string[];
  /** Peer data dirs holding checkpoint.bin, peer index order (`<out>/peers/peer-XX`). */
  peerStateDirs: string[];
  truth: number[];
  /** The seed every peer ran with (`ppfm start --seed`): its split seed derives from it. */
  seed: number;
  /** Model spec the peers ran; undefined: the peers' default for the data (with or without augment). */
  spec?: ModelSpec;
  augment: boolean;
  backend: BackendPreference;
}

/** The `--model` file among the peers' extra arguments, if any. */
export function modelArg(extraPeerArgs: readonly string[]): string | undefined {
  let path: string | undefined;
  extraPeerArgs.forEach((a, i) => {
    if (a === '--model') path = extraPeerArgs[i + 1];
    else if (a.startsWith('--model=')) path = a.slice('--model='.length);
  });
  return path;
}

/** The fairness input of a run directory made with `opts` (the peers' model from `--peer-arg --model`). */
export async function fairnessInputOf(
  outDir: string,
  opts: TestnetOptions,
  truth: number[],
): Promise<FairnessInput> {
  const path = modelArg(opts.extraPeerArgs);
  const spec = path === undefined ? undefined : parseModelSpec(JSON.parse(await readFile(path, 'utf8')));
  const names = truth.map((_, i) => peerName(i));
  return {
    peerDataDirs: names.map((n) => join(outDir, 'data', n)),
    peerStateDirs: names.map((n) => join(outDir, 'peers', n)),
    truth,
    seed: opts.seed,
    ...(spec !== undefined ? { spec } : {}),
    augment: opts.augment !== undefined,
    backend: opts.backend,
  };
}

/** Scores every peer's personalised model (from its checkpoint) on its own split and its balanced set. */
export async function evaluateFairness(input: FairnessInput): Promise<FairnessReport> {
  await selectBackend(input.backend);
  const cfg = DEFAULT_PPFM_CONFIG;
  const vals: Dataset[] = [];
  for (const dir of input.peerDataDirs) {
    const ds = await loadDataset(dir);
    // The split the peer made itself (LearnerCore.create): every testnet peer runs with the run's seed.
    vals.push(splitDataset(ds, { valFraction: cfg.valFraction, seed: ppfmSeeds.split(input.seed) }).val);
  }
  const first = vals[0];
  if (first === undefined) throw new Error('fairness: the run has no peers');
  const spec =
    input.spec ?? (input.augment ? defaultAugmentSpec : defaultModelSpec)(first.inputShape, first.numClasses);
  const task: TaskModel = { spec, inputShape: [...first.inputShape], numClasses: first.numClasses };
  const sets = balancedSetsOf(vals, input.truth, task.numClasses, input.seed);
  const peers: PeerFairness[] = [];
  const missing: FairnessReport['missing'] = [];
  for (let i = 0; i < vals.length; i++) {
    const loaded = await loadCheckpoint(input.peerStateDirs[i]!);
    const model = loaded.ok ? loaded.checkpoint?.personalModel : undefined;
    if (model === undefined) {
      const reason = loaded.ok
        ? loaded.checkpoint === undefined
          ? 'no checkpoint'
          : 'no personalised model in its checkpoint'
        : loaded.error;
      missing.push({ index: i, reason });
      continue;
    }
    try {
      const own = await evaluateModel(task, model, vals[i]!);
      const balanced = await evaluateModel(task, model, sets[i]!);
      peers.push({
        index: i,
        own: own.acc,
        balanced: balanced.acc,
        ownSamples: vals[i]!.y.length,
        balancedSamples: sets[i]!.y.length,
      });
    } catch (err) {
      missing.push({ index: i, reason: `cannot evaluate its model: ${(err as Error).message}` });
    }
  }
  return {
    own: fairnessStats(peers.map((p) => p.own)),
    balanced: fairnessStats(peers.map((p) => p.balanced)),
    peers,
    missing,
  };
}
