import { aggregate, type Aggregator, DEFAULT_TRIM } from './aggregate.js';
import { addScaled, sharedTensorNames, subtract } from './weights.js';
import type { WeightSet } from './types.js';

/** Reptile meta step: theta + eps * agg. */
export function reptileStep(theta: WeightSet, agg: WeightSet, eps: number): WeightSet {
  return addScaled(theta, agg, eps);
}

/** A member's locally trained weights and how many samples it trained on. */
export interface MemberUpdate {
  weights: WeightSet;
  samples: number;
}

/**
 * Cluster-level step from members' trained weights: theta + eps * agg(phi_i - theta), the mean weighted
 * by sample count (eps = 1 with 'mean' is FedAvg).
 */
export function clusterStep(
  theta: WeightSet,
  updates: MemberUpdate[],
  eps: number,
  kind: Aggregator = 'mean',
  trim = DEFAULT_TRIM,
): WeightSet {
  const deltas = updates.map((u) => ({ delta: subtract(u.weights, theta), weight: u.samples }));
  return reptileStep(theta, aggregate(deltas, kind, trim), eps);
}

function restrict(names: string[], only: readonly string[] | undefined): Set<string> {
  return new Set(only ? names.filter((n) => only.includes(n)) : names);
}

function lookup(ws: WeightSet): Map<string, WeightSet[number]> {
  return new Map(ws.map((t) => [t.name, t]));
}

/**
 * Global Reptile step: every tensor of `global` whose name and shape appear in all cluster models (and,
 * when given, is listed in `only`) moves toward their (optionally weighted) mean by eps; other tensors are
 * returned unchanged (copied).
 */
export function globalStep(
  global: WeightSet,
  clusterModels: WeightSet[],
  eps: number,
  weights?: number[],
  only?: readonly string[],
): WeightSet {
  if (weights && weights.length !== clusterModels.length)
    throw new Error('globalStep: one weight per cluster model');
  const shared = restrict(sharedTensorNames([global, ...clusterModels]), only);
  const maps = clusterModels.map(lookup);
  const ws = weights ?? clusterModels.map(() => 1);
  const total = ws.reduce((a, b) => a + b, 0);
  return global.map((t) => {
    const values = new Float32Array(t.values);
    if (shared.has(t.name) && total > 0) {
      // float64 accumulation of the weighted mean, one column per cluster model.
      const cols = maps.map((m) => m.get(t.name)!.values);
      const mean = new Float64Array(values.length);
      cols.forEach((col, c) => {
        const w = ws[c]! / total;
        for (let j = 0; j < mean.length; j++) mean[j]! += w * col[j]!;
      });
      for (let j = 0; j < values.length; j++) values[j] = values[j]! + eps * (mean[j]! - values[j]!);
    }
    return { name: t.name, shape: [...t.shape], values };
  });
}

/**
 * A first global model from cluster models: the mean of the tensors shared by all of them (a tensor not
 * shared by every cluster has no global counterpart).
 */
export function initGlobal(clusterModels: WeightSet[]): WeightSet {
  const first = clusterModels[0];
  if (!first) return [];
  const shared = new Set(sharedTensorNames(clusterModels));
  const base = first.filter((t) => shared.has(t.name));
  return globalStep(base, clusterModels, 1);
}

/**
 * Blend-back: cluster <- (1 - beta) * cluster + beta * global on tensors present in both with equal shape
 * (and listed in `only`, when given).
 */
export function blendBack(
  cluster: WeightSet,
  global: WeightSet,
  beta: number,
  only?: readonly string[],
): WeightSet {
  const shared = restrict(sharedTensorNames([cluster, global]), only);
  const g = lookup(global);
  return cluster.map((t) => {
    const values = new Float32Array(t.values);
    if (shared.has(t.name)) {
      const gv = g.get(t.name)!.values;
      for (let j = 0; j < values.length; j++) values[j] = (1 - beta) * values[j]! + beta * gv[j]!;
    }
    return { name: t.name, shape: [...t.shape], values };
  });
}
