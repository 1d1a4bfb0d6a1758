import { concatDatasets, type Dataset } from '../data/dataset.js';
import type { WeightSet } from '../types.js';
import { inputStatsOf } from './input-stats.js';
import { synthesise } from './synthesise.js';
import type { InputStats, SynthesisDiagnostics, SynthesisProgress, TaskModel } from './types.js';

/** What an augmentation made: sample count, for which classes, how long it took, and how well. */
export interface AugmentReport {
  made: number;
  classes: number[];
  ms: number;
  diagnostics?: SynthesisDiagnostics;
}

/** The synthesiser's settings shared by the member and head steps. */
export interface SynthesisSettings {
  /** Optimisation steps per batch (default 100). */
  steps?: number;
  /** Adam learning rate in standardised input units (default 0.1). */
  lr?: number;
  seed: number;
  timeBudgetMs?: number;
  /** Input statistics to start from; best the cluster's pooled ones (the member's own lack its missing classes). */
  inputStats?: InputStats;
  onProgress?: (p: SynthesisProgress) => void;
  signal?: AbortSignal;
}

/** Options of augmentMember. */
export interface MemberAugmentOptions extends SynthesisSettings {
  /** A class is rare below this share of the member's real samples; it is topped up to it (default 0.05). */
  threshold?: number;
}

/** Defaults of the synthesis inside augmentation (measured: see docs/fedzda.md). */
export const AUGMENT_DEFAULTS = { steps: 100, lr: 0.1, threshold: 0.05 };

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

/** Round-robin over classes, so that every synthesis batch mixes them. */
function interleave(need: Map<number, number>): number[] {
  const left = new Map(need);
  const out: number[] = [];
  while (left.size > 0) {
    for (const [c, k] of left) {
      out.push(c);
      if (k <= 1) left.delete(c);
      else left.set(c, k - 1);
    }
  }
  return out;
}

/**
 * Member augmentation (FedZDA, client side): tops up every class below `threshold` of the member's real
 * samples with samples synthesised from `theta` (the current cluster model), before the local steps.
 * Returns the real data followed by the synthetic samples, and a report.
 */
export async function augmentMember(
  task: TaskModel,
  theta: WeightSet,
  train: Dataset,
  opts: MemberAugmentOptions,
): Promise<{ data: Dataset; report: AugmentReport }> {
  const start = performance.now();
  const need = topUpCounts(train, opts.threshold ?? AUGMENT_DEFAULTS.threshold);
  const classes = [...need.keys()].sort((a, b) => a - b);
  if (classes.length === 0)
    return { data: train, report: { made: 0, classes, ms: performance.now() - start } };
  const r = await synthesise(task, theta, {
    classes: interleave(need),
    perClass: 1,
    steps: opts.steps ?? AUGMENT_DEFAULTS.steps,
    lr: opts.lr ?? AUGMENT_DEFAULTS.lr,
    seed: opts.seed,
    inputStats: opts.inputStats ?? inputStatsOf(train),
    ...(opts.timeBudgetMs !== undefined ? { timeBudgetMs: opts.timeBudgetMs } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const synthetic: Dataset = { ...train, name: `${train.name}+zda`, x: r.x, y: r.y };
  return {
    data: concatDatasets([train, synthetic], synthetic.name),
    report: { made: r.y.length, classes, ms: performance.now() - start, diagnostics: r.diagnostics },
  };
}
