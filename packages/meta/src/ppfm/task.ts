// The task a cluster trains (model spec + input/output shape), its initial model, and the seeds
// every caller derives the same way, so a networked peer reproduces the simulator. The parts that
// need no tfjs live in task-shape.ts.
import { initWeights } from '../model.js';
import type { WeightSet } from '../types.js';
import type { PpfmConfig } from '../config.js';
import type { Fingerprint } from '../fingerprint.js';
import { withScaler, type Scaler } from './scaler.js';
import { clusterScaler, featureCount, type TaskModel } from './task-shape.js';

export { clusterScaler, featureCount, ppfmSeeds, type TaskModel } from './task-shape.js';

/** A new model: seeded Glorot weights (same seed => same network on every peer) behind `scaler`. */
export function initModel(task: TaskModel, scaler: Scaler, seed: number): WeightSet {
  if (scaler.shift.length !== featureCount(task))
    throw new Error(`initModel: scaler has ${scaler.shift.length} features, the task ${featureCount(task)}`);
  return withScaler(initWeights(task.spec, task.inputShape, task.numClasses, seed), scaler);
}

/** A cluster's first model: the shared initial network (cfg.initSeed) behind the cluster's scaler. */
export function clusterInit(task: TaskModel, members: readonly Fingerprint[], cfg: PpfmConfig): WeightSet {
  return initModel(task, clusterScaler(task, members, cfg), cfg.initSeed);
}
