import {
  adjustedRandIndex,
  blendBack,
  clusterFingerprints,
  computeFingerprint,
  evaluate,
  fingerprintDistanceParts,
  globalStep,
} from '../core.js';
import type { Fingerprint, WeightSet } from '../core.js';
import type { SimContext, SimPeer } from '../context.js';
import {
  clusterRound,
  evaluatePeers,
  personalisePeers,
  reportRound,
  since,
  summarise,
  trainPeer,
} from '../federation.js';
import { hyperFrom } from '../hyper.js';
import { agglomerate } from '../linkage.js';
import type { MethodResult } from '../types.js';

/** Which part of the model the global level shares between clusters. */
export type SharedPart = 'body' | 'head';

/** The output layer's tensor-name prefix, e.g. `layer_2_dense/`. */
function headPrefix(ws: WeightSet): string {
  const last = ws[ws.length - 1];
  return last ? last.name.slice(0, last.name.lastIndexOf('/') + 1) : '';
}

/** The tensors of `ws` the global level shares: all but the output layer (body), or the output layer (head). */
export function sharedTensors(ws: WeightSet, part: SharedPart): WeightSet {
  const head = headPrefix(ws);
  return ws.filter((t) => t.name.startsWith(head) === (part === 'head'));
}

/**
 * The adaptive choice of what clusters have in common, from the fingerprints alone. When the input
 * marginals of peers in different clusters agree (within sampling noise), the clusters differ in how
 * inputs map to labels (e.g. label swaps): the feature extractor (body) is common and the output layer
 * is the task. When the marginals differ (e.g. rotations, covariate shift), the features are
 * cluster-specific and what is common is the output semantics (head).
 */
export function chooseSharedPart(fps: Fingerprint[], labels: number[]): SharedPart {
  const ratios: number[] = [];
  for (let i = 0; i < fps.length; i++)
    for (let j = i + 1; j < fps.length; j++) {
      if (labels[i] === labels[j]) continue;
      const p = fingerprintDistanceParts(fps[i] as Fingerprint, fps[j] as Fingerprint, MARGINAL_ONLY);
      ratios.push(p.d2 / Math.max(p.noise2, 1e-12));
    }
  if (ratios.length === 0) return 'body';
  ratios.sort((a, b) => a - b);
  const median = ratios[ratios.length >> 1] as number;
  return median <= SAME_MARGINALS_RATIO ? 'body' : 'head';
}

const MARGINAL_ONLY = { classWeight: 0, marginalWeight: 1, histWeight: 0 };
/** Marginal distance within this multiple of its sampling noise counts as "same inputs". */
const SAME_MARGINALS_RATIO = 4;

/** Renumbers cluster labels 0..k-1 in order of first appearance. */
export function canonicalLabels(labels: number[]): number[] {
  const map = new Map<number, number>();
  return labels.map((l) => {
    if (!map.has(l)) map.set(l, map.size);
    return map.get(l) as number;
  });
}

/** Block 1a: deterministic clustering of the peers' data fingerprints. */
function fingerprintClusters(ctx: SimContext): { labels: number[]; separated: boolean; fps: Fingerprint[] } {
  // The default projection seed: the networked peers all use it.
  const dims = hyperFrom(ctx.config).fingerprintDims;
  const fps = ctx.peers.map((p) => computeFingerprint(p.train, { dims }));
  const items = ctx.peers.map((p) => ({ id: p.id, fp: fps[p.index] as Fingerprint }));
  const r = clusterFingerprints(items);
  const labels = canonicalLabels(ctx.peers.map((p) => r.assignment.get(p.id) ?? 0));
  return { labels, separated: r.separated && r.k > 1, fps };
}

/**
 * Block 1b, the loss-based (IFCA-rule) refinement for peers whose statistics do not separate:
 * every peer trains one warm-up round alone, then each peer scores every other peer's model on
 * its own training data. Two peers of the same task lose little by swapping models; peers of
 * different tasks (e.g. different labellings of the same inputs) lose a lot. The symmetric
 * excess loss is clustered by average linkage, cut at its largest gap.
 */
async function lossClusters(ctx: SimContext, members: SimPeer[], splitRatio: number): Promise<number[]> {
  if (members.length < 2) return members.map(() => 0);
  const phi: WeightSet[] = [];
  for (const peer of members) phi.push(await trainPeer(ctx, ctx.init, peer, 0));
  const n = members.length;
  const loss: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row: number[] = [];
    for (let j = 0; j < n; j++) {
      const r = await evaluate(
        ctx.spec,
        ctx.inputShape,
        ctx.numClasses,
        phi[j] as WeightSet,
        members[i]!.train,
      );
      row.push(r.loss);
    }
    loss.push(row);
  }
  const dist = (i: number, j: number): number => {
    const li = loss[i] as number[];
    const lj = loss[j] as number[];
    return Math.max(0, ((li[j] as number) - (li[i] as number) + (lj[i] as number) - (lj[j] as number)) / 2);
  };
  return agglomerate(n, dist, splitRatio);
}

/**
 * PPFM: fingerprint clustering with loss-based refinement, task-level local training, a Reptile
 * step per cluster, a global Reptile step toward the cluster models blended back into each
 * cluster, and personalisation of the final cluster model on each peer.
 */
export async function runPpfm(ctx: SimContext): Promise<MethodResult> {
  const start = performance.now();
  const h = hyperFrom(ctx.config);
  const fp = fingerprintClusters(ctx);
  if (ctx.ppfmClustering === 'loss') {
    fp.labels = fp.labels.map(() => 0);
    fp.separated = false;
  }
  let labels = fp.labels;
  if (!fp.separated) {
    // Statistics alone do not separate: split each fingerprint cluster by loss.
    const refined = [...labels];
    let next = 0;
    for (const c of [...new Set(labels)]) {
      const members = ctx.peers.filter((p) => labels[p.index] === c);
      const sub = await lossClusters(ctx, members, 3);
      members.forEach((p, i) => (refined[p.index] = next + (sub[i] as number)));
      next += Math.max(...sub) + 1;
    }
    labels = canonicalLabels(refined);
  }
  const assignment = labels;
  const k = Math.max(...assignment) + 1;
  const part = chooseSharedPart(fp.fps, assignment);
  const shared = (ws: WeightSet): WeightSet => sharedTensors(ws, part);
  ctx.progress({
    method: 'ppfm',
    round: 0,
    rounds: ctx.rounds,
    clusters: assignment,
    note: `${k} clusters (${fp.separated ? 'fingerprints' : 'loss-based refinement'}), global level shares the ${part}`,
  });
  let global = shared(ctx.init);
  let models: WeightSet[] = Array.from({ length: k }, () => ctx.init);
  for (let round = 1; round <= ctx.rounds; round++) {
    models = await clusterRound(ctx, models, assignment, round, h.reptileEps, h.aggregator, h.trim);
    if (k > 1 && h.globalEps > 0) {
      global = globalStep(global, models.map(shared), h.globalEps);
      const g = global;
      models = models.map((m) => blendBack(m, g, h.blendBeta));
    }
    const now = models;
    await reportRound(ctx, 'ppfm', round, (p) => now[assignment[p.index] as number] as WeightSet, assignment);
  }
  const personal = await personalisePeers(ctx, (p) => models[assignment[p.index] as number] as WeightSet);
  const scores = await evaluatePeers(ctx, (p) => personal[p.index] as WeightSet);
  return summarise(ctx, scores, since(start), {
    ari: adjustedRandIndex(assignment, ctx.truth),
    clusters: assignment,
  });
}
