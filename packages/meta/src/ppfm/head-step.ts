// The head's end of a round, pure math: screen the members' updates (names/shapes, finiteness,
// norm bounds), cap sample weights, aggregate, take the cluster Reptile step, then the global step
// toward the other clusters' models on the shared part, blended back into the cluster model.
import { aggregate, medianOf, norm64, resolveAggregator, type ConcreteAggregator } from '../aggregate.js';
import type { PpfmConfig } from '../config.js';
import { blendBack, globalStep } from '../reptile.js';
import type { NamedTensor, WeightSet } from '../types.js';
import { allFinite, tensorsCompatible } from '../weights.js';
import { isScalerTensor } from './scaler.js';
import { sharedTensors, type SharedPart } from './shared-part.js';

/** One member's update as the head received it. */
export interface HeadUpdate {
  /** Who sent it (peer id). */
  from: string;
  /** phi - theta: the full model's names and shapes (scaler deltas are ignored), or the net's alone. */
  delta: WeightSet;
  samples: number;
}

/** Everything the head step reads. */
export interface HeadStepInput {
  /** The cluster model the round started from (scaler included). */
  theta: WeightSet;
  updates: HeadUpdate[];
  /** The newest known models of the other clusters ([]: one cluster, no global step). */
  others: WeightSet[];
  /** This head's copy of the global model (shared tensors only; undefined: start from theta's). */
  global: WeightSet | undefined;
  /** What clusters have in common (chooseSharedPart over the view). */
  sharedPart: SharedPart;
  cfg: PpfmConfig;
}

/** Why an update was left out. */
export type DiscardReason = 'non_finite' | 'shape' | 'norm';

/** The new cluster and global models, and what was done with each update. */
export interface HeadStepResult {
  theta: WeightSet;
  /** The global model: the shared part's tensors only (never the scaler). */
  global: WeightSet;
  /** Senders whose updates were aggregated, in input order. */
  used: string[];
  discarded: { from: string; reason: DiscardReason }[];
  /** The rule that combined them ('auto' resolved). */
  aggregator: ConcreteAggregator;
}

function netTensors(ws: WeightSet): WeightSet {
  return ws.filter((t) => !isScalerTensor(t.name));
}

/** Screens updates: right names and shapes, finite, norm within the round's and the model's bounds. */
function screen(
  net: WeightSet,
  updates: HeadUpdate[],
  cfg: PpfmConfig,
): { kept: { u: HeadUpdate; delta: WeightSet; norm: number }[]; discarded: HeadStepResult['discarded'] } {
  const discarded: HeadStepResult['discarded'] = [];
  const ok: { u: HeadUpdate; delta: WeightSet; norm: number }[] = [];
  for (const u of updates) {
    const delta = netTensors(u.delta);
    if (delta.length !== net.length || !delta.every((t, i) => tensorsCompatible(t, net[i]!))) {
      discarded.push({ from: u.from, reason: 'shape' });
    } else if (!allFinite(delta) || !Number.isFinite(u.samples) || u.samples < 0) {
      discarded.push({ from: u.from, reason: 'non_finite' });
    } else {
      ok.push({ u, delta, norm: norm64(delta) });
    }
  }
  // With fewer than 3 updates a median cannot tell the liar: only the model-relative bound applies.
  const median = ok.length >= 3 ? medianOf(ok.map((k) => k.norm)) : Infinity;
  const modelNorm = norm64(net);
  const bound = Math.min(
    cfg.maxNormRatio * median,
    modelNorm > 0 ? cfg.maxNormToModel * modelNorm : Infinity,
  );
  const kept = ok.filter((k) => {
    if (k.norm <= bound) return true;
    discarded.push({ from: k.u.from, reason: 'norm' });
    return false;
  });
  return { kept, discarded };
}

/** theta with `agg` (net tensors only) added at step eps, running variances clamped at 0; the scaler is copied unchanged. */
function step(theta: WeightSet, agg: WeightSet, eps: number): WeightSet {
  const byName = new Map(agg.map((t) => [t.name, t]));
  return theta.map((t): NamedTensor => {
    const d = byName.get(t.name);
    const values = new Float32Array(t.values);
    if (d !== undefined && eps !== 0)
      for (let j = 0; j < values.length; j++) values[j] = values[j]! + eps * d.values[j]!;
    // A batch-norm running variance past the members' (eps > 1) could turn negative.
    if (d !== undefined && t.name.endsWith('/moving_variance'))
      for (let j = 0; j < values.length; j++) values[j] = Math.max(0, values[j]!);
    return { name: t.name, shape: [...t.shape], values };
  });
}

/** The global model restricted to `shared`'s names; a missing or reshaped tensor starts from `shared`'s. */
function alignGlobal(global: WeightSet | undefined, shared: WeightSet): WeightSet {
  const g = new Map((global ?? []).map((t) => [t.name, t]));
  return shared.map((t) => {
    const have = g.get(t.name);
    const from = have !== undefined && tensorsCompatible(have, t) ? have : t;
    return { name: t.name, shape: [...t.shape], values: new Float32Array(from.values) };
  });
}

/**
 * The head's step: screen updates (wrong names/shapes => 'shape'; NaN/Inf => 'non_finite'; an L2
 * norm above maxNormRatio x the round's median norm (3+ updates) or maxNormToModel x the model's
 * norm => 'norm'), cap every sample weight at sampleCapRatio x the median, aggregate (float64),
 * theta + eps x aggregate. With other clusters' models, the global model moves toward the mean of
 * all clusters' shared tensors by globalEps and is blended back into theta by blendBeta; with
 * others = [] the global model is left as it was (one cluster has nothing to share).
 */
export function headStep(inp: HeadStepInput): HeadStepResult {
  const { cfg } = inp;
  const net = netTensors(inp.theta);
  const { kept, discarded } = screen(net, inp.updates, cfg);
  const aggregator = resolveAggregator(cfg.aggregator, kept.length);
  let theta = inp.theta.map((t) => ({
    name: t.name,
    shape: [...t.shape],
    values: new Float32Array(t.values),
  }));
  if (kept.length > 0) {
    const cap = cfg.sampleCapRatio * medianOf(kept.map((k) => k.u.samples));
    const deltas = kept.map((k) => ({ delta: k.delta, weight: Math.max(1, Math.min(k.u.samples, cap)) }));
    const agg = aggregate(deltas, aggregator, { trim: cfg.trim, clipMultiple: cfg.clipMultiple });
    theta = step(inp.theta, agg, cfg.eps);
  }
  const shared = sharedTensors(theta, inp.sharedPart);
  let global = alignGlobal(inp.global, shared);
  if (inp.others.length > 0) {
    const only = shared.map((t) => t.name);
    global = globalStep(global, [theta, ...inp.others], cfg.globalEps, undefined, only);
    theta = blendBack(theta, global, cfg.blendBeta, only);
  } else if (inp.global !== undefined) {
    global = inp.global;
  }
  return { theta, global, used: kept.map((k) => k.u.from), discarded, aggregator };
}
