import { concatDatasets, type Dataset } from '../data/dataset.js';
import type { WeightSet } from '../types.js';
import { inputStatsOf } from './input-stats.js';
import { AUGMENT_DEFAULTS, synthesiseFrom, type AugmentReport, type SynthesisSettings } from './sources.js';
import type { TaskModel } from './types.js';

/** Options of augmentMember. */
export interface MemberAugmentOptions extends SynthesisSettings {
  /** A class is rare below this share of the member's real samples; it is topped up to it (default 0.05). */
  threshold?: number;
}

/** Per rare class (below `threshold` of the samples), how many synthetic samples bring it up to the threshold. */
export function topUpCounts(train: Dataset, threshold: number): Map<number, number> {
  if (!(threshold >= 0 && threshold < 1))
    throw new Error(`augment: threshold must be in [0, 1), got ${threshold}`);
  const counts = new Array<number>(train.numClasses).fill(0);
  for (const c of train.y) counts[c]!++;
  const target = Math.ceil(threshold * train.y.length);
  const out = new Map<number, number>();
  counts.forEach((k, c) => {
    if (k < target) out.set(c, target - k);
  });
  return out;
}

/**
 * Member augmentation (FedZDA, client side): tops up every class below `threshold` of the member's real
 * samples with samples synthesised from `theta` (the current cluster model; or from a teacher listing the
 * class), before the local steps. Returns the real data followed by the synthetic samples, and a report.
 */
export async function augmentMember(
  task: TaskModel,
  theta: WeightSet,
  train: Dataset,
  opts: MemberAugmentOptions,
): Promise<{ data: Dataset; report: AugmentReport }> {
  const start = performance.now();
  const need = topUpCounts(train, opts.threshold ?? AUGMENT_DEFAULTS.threshold);
  if (need.size === 0)
    return { data: train, report: { made: 0, classes: [], ms: performance.now() - start } };
  const r = await synthesiseFrom(task, theta, need, {
    ...opts,
    inputStats: opts.inputStats ?? inputStatsOf(train),
  });
  const synthetic: Dataset = { ...train, name: `${train.name}+zda`, x: r.x, y: r.y };
  return {
    data: concatDatasets([train, synthetic], synthetic.name),
    report: { ...r.report, ms: performance.now() - start },
  };
}
