import {
  augmentMember,
  headFineTune,
  scalerInputStats,
  valueRange,
  type AugmentReport,
  teacherClusters,
  ZDA_SNAP_LOW,
  type InputStats,
  type Teacher,
} from '../../augment/index.js';
import { specHasBatchNorm } from '../../model-spec.js';
import { adjustedRandIndex, splitModel } from '../core.js';
import type { Dataset, WeightSet } from '../core.js';
import { concatDatasets } from '../../data/index.js';
import { mixSeed } from '../context.js';
import type { SimContext, SimPeer } from '../context.js';
import { evaluatePeers, noEvents, since, summarise, type PeerScores } from '../federation.js';
import type { MethodName, MethodResult, RuleEvents, ZdaSimOptions } from '../types.js';
import { balancedTestSets, evaluateBalanced, fairnessStats } from './balanced.js';
import { trainFedAvg } from './fedavg.js';
import { ppfmLoop, type PpfmStages } from './ppfm.js';

/** Where zero-shot augmentation happens: nowhere (plain ppfm, for comparison), at members or at heads. */
export type ZdaMode = 'none' | 'member' | 'head';

/** Defaults of the `ppfm+zda-*` methods (measured on mnist, see docs/fedzda.md). */
export const ZDA_SIM_DEFAULTS: ZdaSimOptions = {
  threshold: 0.05,
  perClass: 20,
  steps: 50,
  lr: 0.1,
  snapLow: ZDA_SNAP_LOW,
  fineTuneSteps: 20,
  fineTuneLr: 0.05,
  augmentPersonalisation: true,
  headShares: true,
  teachers: true,
};

const NAMES: Record<ZdaMode, MethodName> = {
  none: 'ppfm',
  member: 'ppfm+zda-member',
  head: 'ppfm+zda-head',
};

/** Synthesis bookkeeping over a run. */
class SynthesisLog {
  made = 0;
  ms = 0;
  add(r: AugmentReport): void {
    this.made += r.made;
    this.ms += r.ms;
  }
}

/** What the synthesis of one cluster needs: the input value range and the teachers of classes it lacks. */
interface ClusterSources {
  range: { lo: number; hi: number };
  /** Per cluster: class -> teaching cluster (empty when teachers are off). */
  taught: Map<number, number>[];
}

/**
 * Raw-unit input statistics of a model, as a networked peer states them (see the peer's learner):
 * per-feature mean and std from the model's scaler (the cluster's pooled moments), one value range.
 */
function statsOf(ws: WeightSet, src: ClusterSources): InputStats | undefined {
  const { scaler } = splitModel(ws);
  return scaler && scalerInputStats(scaler, src.range.lo, src.range.hi);
}

function clusterSources(ctx: SimContext, assignment: number[], k: number, o: ZdaSimOptions): ClusterSources {
  const counts = Array.from({ length: k }, () => new Array<number>(ctx.task.numClasses).fill(0));
  for (const p of ctx.peers) for (const y of p.train.y) counts[assignment[p.index]!]![y]!++;
  const ranges = ctx.peers.map((p) => valueRange(p.train.x));
  return {
    range: { lo: Math.min(...ranges.map((r) => r.lo)), hi: Math.max(...ranges.map((r) => r.hi)) },
    taught: counts.map((_, c) => (o.teachers ? teacherClusters(counts, c, o.threshold) : new Map())),
  };
}

/** Cluster c's teachers with the current models: one per teaching cluster. */
function teachersOf(c: number, models: WeightSet[], src: ClusterSources): Teacher[] {
  const byTeacher = new Map<number, number[]>();
  for (const [cls, t] of src.taught[c]!) byTeacher.set(t, [...(byTeacher.get(t) ?? []), cls]);
  return [...byTeacher].map(([t, classes]) => {
    const inputStats = statsOf(models[t]!, src);
    return { weights: models[t]!, classes, ...(inputStats ? { inputStats } : {}) };
  });
}

/** The augmentation stages of each mode (none: no stage, so the loop is runPpfm's). */
function zdaStages(ctx: SimContext, mode: ZdaMode, o: ZdaSimOptions, log: SynthesisLog): PpfmStages {
  const method = NAMES[mode];
  if (mode === 'none') return { method };
  const task = ctx.task;
  let src: ClusterSources = { range: { lo: 0, hi: 1 }, taught: [] };
  const budget = o.timeBudgetMs !== undefined ? { timeBudgetMs: o.timeBudgetMs } : {};
  const own = (ws: WeightSet): { inputStats?: InputStats } => {
    const inputStats = statsOf(ws, src);
    return inputStats ? { inputStats } : {};
  };
  const setup = (labels: number[], k: number): void => {
    src = clusterSources(ctx, labels, k, o);
  };
  if (mode === 'member') {
    return {
      method,
      setup,
      async trainOf(peer, c, models, round) {
        // Personalisation (round rounds + 1) on real data only unless augmentPersonalisation.
        if (round > ctx.rounds && !o.augmentPersonalisation) return peer.train;
        const { data, report } = await augmentMember(task, models[c]!, peer.train, {
          threshold: round > ctx.rounds ? (o.personalThreshold ?? o.threshold) : o.threshold,
          steps: o.steps,
          lr: o.lr,
          snapLow: o.snapLow,
          seed: mixSeed(ctx.seed, 404, round, peer.index),
          teachers: teachersOf(c, models, src),
          ...own(models[c]!),
          ...budget,
        });
        log.add(report);
        return data;
      },
    };
  }
  // head: fine-tune after the head's round; with headShares its members train on the set next round.
  const handed: (Dataset | undefined)[] = [];
  return {
    method,
    setup,
    async afterHead(c, theta, published, round) {
      const models = published.map((m, j) => (j === c ? theta : m));
      const r = await headFineTune(task, theta, {
        perClass: o.perClass,
        steps: o.steps,
        lr: o.lr,
        snapLow: o.snapLow,
        fineTuneSteps: o.fineTuneSteps,
        fineTuneLr: o.fineTuneLr,
        seed: mixSeed(ctx.seed, 505, round, c),
        teachers: teachersOf(c, models, src),
        ...own(theta),
        ...budget,
      });
      log.add(r.report);
      if (o.headShares) handed[c] = r.samples;
      return r.weights;
    },
    trainOf(peer, c) {
      const extra = handed[c];
      return Promise.resolve(
        extra ? concatDatasets([peer.train, extra], `${peer.train.name}+zda`) : peer.train,
      );
    },
  };
}

/**
 * PPFM with zero-shot data augmentation (FedZDA): runPpfm's loop (ppfmLoop: same clusters,
 * memberUpdate, headRound, personaliseModel) with one stage added:
 * - member: before its local steps (and before personalisation, with augmentPersonalisation) every
 *   member tops up the classes below `threshold` of its data with samples synthesised from its
 *   current cluster model, or from a teacher cluster's model for classes its cluster lacks;
 * - head: after its round each head synthesises a class-balanced set from its model and fine-tunes
 *   it there before publishing; with `headShares` it also hands the set to its members, who add it
 *   to their next local steps and to personalisation.
 * `none` adds nothing: runPpfm's numbers, plus the fairness report.
 */
export async function runPpfmZda(
  ctx: SimContext,
  mode: ZdaMode,
  options: Partial<ZdaSimOptions> = {},
): Promise<MethodResult> {
  const start = performance.now();
  const o: ZdaSimOptions = { ...ZDA_SIM_DEFAULTS, ...options };
  const name = NAMES[mode];
  if (mode !== 'none' && !specHasBatchNorm(ctx.task.spec))
    throw new Error(`${name} needs a model with batchNorm layers (e.g. defaultAugmentSpec)`);
  const log = new SynthesisLog();
  const r = await ppfmLoop(ctx, zdaStages(ctx, mode, o, log));
  const result = await withFairness(
    ctx,
    r.scores,
    (p) => r.personal[p.index]!.weights,
    (p) => r.models[r.labels[p.index]!]!,
    since(start),
    { ari: adjustedRandIndex(r.labels, ctx.truth), clusters: r.labels, events: r.events },
  );
  if (mode !== 'none') result.fairness!.synthesis = { made: log.made, seconds: log.ms / 1000 };
  return result;
}

/** Scores final models on balanced test sets (and the published ones there), with the own-split scores. */
async function withFairness(
  ctx: SimContext,
  scores: PeerScores,
  modelOf: (peer: SimPeer) => WeightSet,
  publishedOf: (peer: SimPeer) => WeightSet,
  seconds: number,
  extra: { ari?: number; clusters?: number[]; events?: RuleEvents } = {},
): Promise<MethodResult> {
  const sets = balancedTestSets(ctx);
  const balancedAcc = await evaluateBalanced(ctx, sets, modelOf);
  const published = await evaluateBalanced(ctx, sets, publishedOf);
  return {
    ...summarise(ctx, scores, seconds, extra),
    fairness: {
      own: fairnessStats(scores.acc),
      balanced: fairnessStats(balancedAcc),
      balancedAcc,
      published: fairnessStats(published),
    },
  };
}

/** FedAvg (one global model, no personalisation) as runFedAvg, with the fairness report. */
export async function runFedAvgFairness(ctx: SimContext): Promise<MethodResult> {
  const start = performance.now();
  const events = noEvents();
  const g = await trainFedAvg(ctx, events);
  return withFairness(
    ctx,
    await evaluatePeers(ctx, () => g),
    () => g,
    () => g,
    since(start),
    { events },
  );
}
