import {
  augmentMember,
  headFineTune,
  inputStatsOf,
  poolInputStats,
  type AugmentReport,
  teacherClusters,
  type InputStats,
  type TaskModel,
  type Teacher,
} from '../../augment/index.js';
import { isRunningStat, specHasBatchNorm } from '../../model-spec.js';
import { adjustedRandIndex, blendBack, computeFingerprint, globalStep } from '../core.js';
import type { Dataset, WeightSet } from '../core.js';
import { concatDatasets } from '../../data/index.js';
import { mixSeed } from '../context.js';
import type { SimContext, SimPeer } from '../context.js';
import {
  clusterRound,
  evaluatePeers,
  personalisePeers,
  reportRound,
  since,
  summarise,
} from '../federation.js';
import { hyperFrom } from '../hyper.js';
import type { MethodName, MethodResult, ZdaSimOptions } from '../types.js';
import { balancedTestSets, evaluateBalanced, fairnessStats } from './balanced.js';
import { chooseSharedPart, runPpfm, sharedTensors } from './ppfm.js';

/** Where zero-shot augmentation happens: nowhere (plain ppfm, for comparison), at members or at heads. */
export type ZdaMode = 'none' | 'member' | 'head';

/** Defaults of the `ppfm+zda-*` methods (measured on mnist, see docs/fedzda.md). */
export const ZDA_SIM_DEFAULTS: ZdaSimOptions = {
  threshold: 0.05,
  perClass: 20,
  steps: 50,
  lr: 0.1,
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

const clusterCache = new WeakMap<SimContext, number[]>();

/**
 * PPFM's clusters for this context. Its clustering (blocks 1a/1b) is private to ppfm.ts: a zero-round
 * run returns exactly its assignment. It depends on the context only, so runs on one context share it.
 */
async function ppfmClusters(ctx: SimContext): Promise<number[]> {
  let a = clusterCache.get(ctx);
  if (!a) {
    a = (await runPpfm({ ...ctx, rounds: 0, progress: () => undefined })).clusters!;
    clusterCache.set(ctx, a);
  }
  return a;
}

/** Synthesis bookkeeping over a run. */
class SynthesisLog {
  made = 0;
  ms = 0;
  add(r: AugmentReport): void {
    this.made += r.made;
    this.ms += r.ms;
  }
}

/** Per cluster, the members' input statistics pooled (what a head knows of its members' units). */
function clusterInputStats(ctx: SimContext, assignment: number[], k: number): InputStats[] {
  return Array.from({ length: k }, (_, c) =>
    poolInputStats(
      ctx.peers
        .filter((p) => assignment[p.index] === c)
        .map((p) => ({ stats: inputStatsOf(p.train), count: p.samples })),
    ),
  );
}

/** What the synthesis of one cluster needs: its input statistics and the teachers of classes it lacks. */
interface ClusterSources {
  stats: InputStats[];
  /** Per cluster: class -> teaching cluster (empty when teachers are off). */
  taught: Map<number, number>[];
}

function clusterSources(ctx: SimContext, assignment: number[], k: number, o: ZdaSimOptions): ClusterSources {
  const counts = Array.from({ length: k }, () => new Array<number>(ctx.numClasses).fill(0));
  for (const p of ctx.peers) for (const y of p.train.y) counts[assignment[p.index]!]![y]!++;
  return {
    stats: clusterInputStats(ctx, assignment, k),
    taught: counts.map((_, c) => (o.teachers ? teacherClusters(counts, c, o.threshold) : new Map())),
  };
}

/** Cluster c's teachers with the current models: one per teaching cluster. */
function teachersOf(c: number, models: WeightSet[], src: ClusterSources): Teacher[] {
  const byTeacher = new Map<number, number[]>();
  for (const [cls, t] of src.taught[c]!) byTeacher.set(t, [...(byTeacher.get(t) ?? []), cls]);
  return [...byTeacher].map(([t, classes]) => ({ weights: models[t]!, classes, inputStats: src.stats[t]! }));
}

/** Every peer's train split topped up from its cluster model (member augmentation), logged. */
async function augmentPeers(
  ctx: SimContext,
  task: TaskModel,
  models: WeightSet[],
  assignment: number[],
  src: ClusterSources,
  o: ZdaSimOptions,
  round: number,
  log: SynthesisLog,
): Promise<SimPeer[]> {
  const out: SimPeer[] = [];
  for (const peer of ctx.peers) {
    const c = assignment[peer.index]!;
    const { data, report } = await augmentMember(task, models[c]!, peer.train, {
      threshold: o.threshold,
      steps: o.steps,
      lr: o.lr,
      seed: mixSeed(ctx.seed, 404, round, peer.index),
      inputStats: src.stats[c]!,
      teachers: teachersOf(c, models, src),
      ...(o.timeBudgetMs !== undefined ? { timeBudgetMs: o.timeBudgetMs } : {}),
    });
    log.add(report);
    // The update still weighs by real samples: synthetic ones carry no new information about the data.
    out.push({ ...peer, train: data as Dataset });
  }
  return out;
}

/**
 * PPFM with zero-shot data augmentation (FedZDA). The rule is runPpfm's (same clusters, Reptile cluster
 * step, global step over the shared part, personalisation) with one extra step:
 * - member: before its local steps, every member tops up the classes below `threshold` of its data with
 *   samples synthesised from its current cluster model (and personalises on that augmented split);
 * - head: after aggregating, each head synthesises a class-balanced set from the aggregate and
 *   fine-tunes it there before publishing (before the global step); with `headShares` it also hands the
 *   set to its members, who add it to their next local steps and to personalisation.
 * Batch-norm running statistics stay cluster-local: they are left out of the globally shared part.
 * `none` runs the same loop without augmentation (ppfm's numbers, plus the fairness report).
 */
export async function runPpfmZda(
  ctx: SimContext,
  mode: ZdaMode,
  options: Partial<ZdaSimOptions> = {},
): Promise<MethodResult> {
  const start = performance.now();
  const o: ZdaSimOptions = { ...ZDA_SIM_DEFAULTS, ...options };
  const name = NAMES[mode];
  if (mode !== 'none' && !specHasBatchNorm(ctx.spec))
    throw new Error(`${name} needs a model with batchNorm layers (e.g. defaultAugmentSpec)`);
  const h = hyperFrom(ctx.config);
  const task: TaskModel = { spec: ctx.spec, inputShape: ctx.inputShape, numClasses: ctx.numClasses };
  const assignment = await ppfmClusters(ctx);
  const k = Math.max(...assignment) + 1;
  const fps = ctx.peers.map((p) => computeFingerprint(p.train, { dims: h.fingerprintDims }));
  const part = chooseSharedPart(fps, assignment);
  const shared = (ws: WeightSet): WeightSet => sharedTensors(ws, part).filter((t) => !isRunningStat(t.name));
  const src: ClusterSources =
    mode === 'none' ? { stats: [], taught: [] } : clusterSources(ctx, assignment, k, o);
  const log = new SynthesisLog();
  ctx.progress({ method: name, round: 0, rounds: ctx.rounds, clusters: assignment, note: `${k} clusters` });
  let global = shared(ctx.init);
  let models: WeightSet[] = Array.from({ length: k }, () => ctx.init);
  // head with headShares: each cluster's last synthetic set, which its members train on too.
  const handed: (Dataset | undefined)[] = [];
  const withHanded = (): SimPeer[] =>
    ctx.peers.map((p) => {
      const extra = handed[assignment[p.index]!];
      return extra ? { ...p, train: concatDatasets([p.train, extra], `${p.train.name}+zda`) } : p;
    });
  for (let round = 1; round <= ctx.rounds; round++) {
    const peers =
      mode === 'member'
        ? await augmentPeers(ctx, task, models, assignment, src, o, round, log)
        : withHanded();
    models = await clusterRound(
      { ...ctx, peers },
      models,
      assignment,
      round,
      h.reptileEps,
      h.aggregator,
      h.trim,
    );
    if (mode === 'head') {
      const tuned: WeightSet[] = [];
      for (let c = 0; c < k; c++) {
        const r = await headFineTune(task, models[c]!, {
          perClass: o.perClass,
          steps: o.steps,
          lr: o.lr,
          fineTuneSteps: o.fineTuneSteps,
          fineTuneLr: o.fineTuneLr,
          seed: mixSeed(ctx.seed, 505, round, c),
          inputStats: src.stats[c]!,
          teachers: teachersOf(c, models, src),
          ...(o.timeBudgetMs !== undefined ? { timeBudgetMs: o.timeBudgetMs } : {}),
        });
        log.add(r.report);
        tuned.push(r.weights);
        if (o.headShares) handed[c] = r.samples;
      }
      models = tuned;
    }
    if (k > 1 && h.globalEps > 0) {
      global = globalStep(global, models.map(shared), h.globalEps);
      const g = global;
      models = models.map((m) => blendBack(m, g, h.blendBeta));
    }
    const now = models;
    await reportRound(ctx, name, round, (p) => now[assignment[p.index]!]!, assignment);
  }
  const final = models;
  const adaptOn =
    mode === 'member' && o.augmentPersonalisation
      ? await augmentPeers(ctx, task, final, assignment, src, o, ctx.rounds + 1, log)
      : withHanded();
  const personal = await personalisePeers({ ...ctx, peers: adaptOn }, (p) => final[assignment[p.index]!]!);
  const result = await withFairness(
    ctx,
    (p) => personal[p.index]!,
    (p) => final[assignment[p.index]!]!,
    since(start),
    { ari: adjustedRandIndex(assignment, ctx.truth), clusters: assignment },
  );
  if (mode !== 'none') result.fairness!.synthesis = { made: log.made, seconds: log.ms / 1000 };
  return result;
}

/** Scores final models on the peers' own splits and on balanced test sets (and the published ones there). */
async function withFairness(
  ctx: SimContext,
  modelOf: (peer: SimPeer) => WeightSet,
  publishedOf: (peer: SimPeer) => WeightSet,
  seconds: number,
  extra: { ari?: number; clusters?: number[] } = {},
): Promise<MethodResult> {
  const sets = balancedTestSets(ctx);
  const scores = await evaluatePeers(ctx, modelOf);
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
  const assignment = ctx.peers.map(() => 0);
  let models: WeightSet[] = [ctx.init];
  for (let round = 1; round <= ctx.rounds; round++) {
    models = await clusterRound(ctx, models, assignment, round, 1);
    const g = models[0]!;
    await reportRound(ctx, 'fedavg', round, () => g);
  }
  const g = models[0]!;
  return withFairness(
    ctx,
    () => g,
    () => g,
    since(start),
  );
}
