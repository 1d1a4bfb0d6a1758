// What the global level shares between clusters, chosen from fingerprints alone.
import { fingerprintDistanceParts, type DistanceWeights, type Fingerprint } from '../fingerprint.js';
import type { WeightSet } from '../types.js';
import { isScalerTensor } from './scaler.js';

/** Which part of the model the global level shares between clusters. */
export type SharedPart = 'body' | 'head';

/** The output layer's tensor-name prefix, e.g. `layer_2_dense/`. */
function headPrefix(ws: WeightSet): string {
  const last = ws[ws.length - 1];
  return last ? last.name.slice(0, last.name.lastIndexOf('/') + 1) : '';
}

/** Running statistics (batch norm) describe a cluster's own inputs: never shared. */
function isRunningStat(name: string): boolean {
  return name.endsWith('/moving_mean') || name.endsWith('/moving_variance');
}

/**
 * The tensors of `ws` the global level shares: all but the output layer (body), or the output layer
 * (head). Never the input scaler (each cluster standardises with its own members' moments) nor
 * running statistics.
 */
export function sharedTensors(ws: WeightSet, part: SharedPart): WeightSet {
  const head = headPrefix(ws);
  return ws.filter(
    (t) => !isScalerTensor(t.name) && !isRunningStat(t.name) && t.name.startsWith(head) === (part === 'head'),
  );
}

const MARGINAL_ONLY: DistanceWeights = { classWeight: 0, marginalWeight: 1, histWeight: 0 };
/** Marginal distance within this multiple of its sampling noise counts as "same inputs". */
const SAME_MARGINALS_RATIO = 4;

/**
 * The adaptive choice of what clusters have in common, from the fingerprints alone (`labels[i]` is
 * the cluster of `fps[i]`). When the input marginals of peers in different clusters agree (within
 * sampling noise), the clusters differ in how inputs map to labels (e.g. label swaps): the feature
 * extractor (body) is common and the output layer is the task. When the marginals differ (e.g.
 * rotations, covariate shift), the features are cluster-specific and what is common is the output
 * semantics (head).
 */
export function chooseSharedPart(fps: Fingerprint[], labels: number[]): SharedPart {
  const ratios: number[] = [];
  for (let i = 0; i < fps.length; i++)
    for (let j = i + 1; j < fps.length; j++) {
      if (labels[i] === labels[j]) continue;
      const p = fingerprintDistanceParts(fps[i]!, fps[j]!, MARGINAL_ONLY);
      ratios.push(p.d2 / Math.max(p.noise2, 1e-12));
    }
  if (ratios.length === 0) return 'body';
  ratios.sort((a, b) => a - b);
  const median = ratios[ratios.length >> 1]!;
  return median <= SAME_MARGINALS_RATIO ? 'body' : 'head';
}
