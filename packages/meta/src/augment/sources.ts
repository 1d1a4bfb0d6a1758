import { deriveSeed } from '../rng.js';
import type { WeightSet } from '../types.js';
import { synthesise } from './synthesise.js';
import { netView, snapToLow } from './units.js';
import type { InputStats, SynthesisDiagnostics, SynthesisProgress, TaskModel } from './types.js';

/** What an augmentation made: sample count, for which classes, how long it took, and how well. */
export interface AugmentReport {
  made: number;
  classes: number[];
  ms: number;
  /** Worst gaps and overall hit rate over every model synthesised from. */
  diagnostics?: SynthesisDiagnostics;
}

/**
 * Another model to synthesise some classes from: a cluster model that has seen classes the own model has
 * not (a head holds every cluster's model after the global level). Its running statistics, and its
 * input statistics, describe its own cluster's data.
 */
export interface Teacher {
  weights: WeightSet;
  classes: number[];
  inputStats?: InputStats;
}

/** The synthesiser's settings shared by the member and head steps. */
export interface SynthesisSettings {
  /** Optimisation steps per batch (default 100). */
  steps?: number;
  /** Adam learning rate in standardised input units (default 0.1). */
  lr?: number;
  seed: number;
  /** Bound on the wall time of all synthesis in the call. */
  timeBudgetMs?: number;
  /** Input statistics of the own model's data: best the cluster's pooled ones (a member's own lack classes). */
  inputStats?: InputStats;
  /**
   * Raw values within this fraction of a feature's range above its lower bound are set to the bound
   * (snapToLow; default 0: off). For images whose background is the low end: see docs/fedzda.md.
   */
  snapLow?: number;
  /** Classes to make from other models instead of the own one (see teacherClusters). */
  teachers?: Teacher[];
  onProgress?: (p: SynthesisProgress) => void;
  signal?: AbortSignal;
}

/** Defaults of the synthesis inside augmentation (measured: see docs/fedzda.md). */
export const AUGMENT_DEFAULTS = { steps: 100, lr: 0.1, threshold: 0.05 };

/** Round-robin over classes, so that every synthesis batch mixes them. */
function interleave(need: Map<number, number>): number[] {
  const left = new Map([...need].filter(([, k]) => k > 0));
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
 * Synthesises `need` (class -> count) from `theta`, or from the teacher that lists a class, each model
 * matched to its own running statistics. The time budget is shared among the models by sample count.
 * Models may carry the learning rule's input scaler: synthesis then runs in its units and the
 * samples come back in raw units (see units.ts); `inputStats` are always raw-unit.
 */
export async function synthesiseFrom(
  task: TaskModel,
  theta: WeightSet,
  need: Map<number, number>,
  s: SynthesisSettings,
): Promise<{ x: Float32Array; y: Int32Array; report: AugmentReport }> {
  const start = performance.now();
  const sources: { weights: WeightSet; inputStats?: InputStats; need: Map<number, number> }[] = [];
  const own = new Map(need);
  for (const t of s.teachers ?? []) {
    const taught = new Map([...own].filter(([c]) => t.classes.includes(c)));
    taught.forEach((_, c) => own.delete(c));
    if (taught.size > 0)
      sources.push({ weights: t.weights, inputStats: t.inputStats ?? s.inputStats, need: taught });
  }
  if (own.size > 0) sources.unshift({ weights: theta, inputStats: s.inputStats, need: own });
  const total = [...need.values()].reduce((a, b) => a + b, 0);
  let left = total;
  const xs: Float32Array[] = [];
  const ys: Int32Array[] = [];
  const diag: SynthesisDiagnostics = {
    bnMeanGap: 0,
    bnVarGap: 0,
    hitRate: 0,
    steps: 0,
    stopped: 'steps',
    ms: 0,
    maxStepMs: 0,
  };
  for (const [i, src] of sources.entries()) {
    const count = [...src.need.values()].reduce((a, b) => a + b, 0);
    const remaining =
      s.timeBudgetMs === undefined ? undefined : Math.max(0, s.timeBudgetMs - (performance.now() - start));
    const view = netView(src.weights, src.inputStats);
    const r = await synthesise(task, view.net, {
      classes: interleave(src.need),
      perClass: 1,
      steps: s.steps ?? AUGMENT_DEFAULTS.steps,
      lr: s.lr ?? AUGMENT_DEFAULTS.lr,
      seed: deriveSeed(s.seed, 'source', i),
      ...(view.stats ? { inputStats: view.stats } : {}),
      ...(remaining !== undefined ? { timeBudgetMs: (remaining * count) / left } : {}),
      ...(s.onProgress ? { onProgress: s.onProgress } : {}),
      ...(s.signal ? { signal: s.signal } : {}),
    });
    left -= count;
    xs.push(snapToLow(view.toRaw(r.x), src.inputStats, s.snapLow ?? 0));
    ys.push(r.y);
    const d = r.diagnostics;
    diag.bnMeanGap = Math.max(diag.bnMeanGap, d.bnMeanGap);
    diag.bnVarGap = Math.max(diag.bnVarGap, d.bnVarGap);
    diag.hitRate += (d.hitRate * count) / total;
    diag.steps += d.steps;
    diag.maxStepMs = Math.max(diag.maxStepMs, d.maxStepMs);
    if (d.stopped !== 'steps') diag.stopped = d.stopped;
  }
  const d = task.inputShape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(total * d);
  const y = new Int32Array(total);
  let o = 0;
  xs.forEach((part, i) => {
    x.set(part, o * d);
    y.set(ys[i]!, o);
    o += ys[i]!.length;
  });
  const ms = performance.now() - start;
  diag.ms = ms;
  const classes = [...need.keys()].filter((c) => need.get(c)! > 0).sort((a, b) => a - b);
  return { x, y, report: { made: total, classes, ms, ...(total > 0 ? { diagnostics: diag } : {}) } };
}
