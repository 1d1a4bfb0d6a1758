// The task a cluster trains (model spec + input/output shape), its initial model, and the seeds
// every caller derives the same way, so a networked peer reproduces the simulator.
import type { ModelSpec } from '../model-spec.js';
import { initWeights } from '../model.js';
import { deriveSeed } from '../rng.js';
import type { WeightSet } from '../types.js';
import type { PpfmConfig } from '../config.js';
import type { Fingerprint } from '../fingerprint.js';
import { momentsOf } from './moments.js';
import { identityScaler, poolScaler, withScaler, type Scaler } from './scaler.js';

/** The model a peer trains: spec plus the task shape it is built for. */
export interface TaskModel {
  spec: ModelSpec;
  inputShape: number[];
  numClasses: number;
}

/** Number of input features of a task (the scaler's length). */
export function featureCount(task: TaskModel): number {
  return task.inputShape.reduce((a, b) => a * b, 1);
}

/** A new model: seeded Glorot weights (same seed => same network on every peer) behind `scaler`. */
export function initModel(task: TaskModel, scaler: Scaler, seed: number): WeightSet {
  if (scaler.shift.length !== featureCount(task))
    throw new Error(`initModel: scaler has ${scaler.shift.length} features, the task ${featureCount(task)}`);
  return withScaler(initWeights(task.spec, task.inputShape, task.numClasses, seed), scaler);
}

/** The input scaler a cluster agrees on: its members' moments pooled (cfg.inputScaling 'none': identity). */
export function clusterScaler(task: TaskModel, members: readonly Fingerprint[], cfg: PpfmConfig): Scaler {
  const f = featureCount(task);
  if (cfg.inputScaling === 'none') return identityScaler(f);
  return poolScaler(members.map(momentsOf), f, { relFloor: cfg.scalerFloor });
}

/** A cluster's first model: the shared initial network (cfg.initSeed) behind the cluster's scaler. */
export function clusterInit(task: TaskModel, members: readonly Fingerprint[], cfg: PpfmConfig): WeightSet {
  return initModel(task, clusterScaler(task, members, cfg), cfg.initSeed);
}

/**
 * The seed derivations of the learning rule. A peer's own seed is `peerSeed`; the simulator gives
 * peer i the seed `peerSeed(runSeed, i)`, so `ppfm start --seed <that>` on the same data repeats it.
 */
export const ppfmSeeds = {
  /** Simulator peer i's own seed. */
  peer: (runSeed: number, index: number): number => deriveSeed(runSeed, 'peer', index),
  /** Train/validation split of a peer's data. */
  split: (peerSeed: number): number => deriveSeed(peerSeed, 'split'),
  /** memberUpdate in round r (the batch order of the inner loop). */
  round: (peerSeed: number, round: number): number => deriveSeed(peerSeed, 'round', round),
  /** warmupModel (loss-based clustering). */
  warmup: (peerSeed: number): number => deriveSeed(peerSeed, 'warmup'),
  /** personaliseModel after round r. */
  adapt: (peerSeed: number, round: number): number => deriveSeed(peerSeed, 'adapt', round),
} as const;
