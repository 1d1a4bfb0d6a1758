import { adjustedRandIndex, chooseSharedPart, headRound } from '../core.js';
import type { Dataset, HeadUpdate, PersonaliseResult, SharedPart, WeightSet } from '../core.js';
import { initFor } from '../context.js';
import type { SimContext, SimPeer } from '../context.js';
import { memberRound, noEvents, personalisePeers, reportRound, since, summarise } from '../federation.js';
import type { PeerScores } from '../federation.js';
import type { MethodName, MethodResult, RuleEvents } from '../types.js';
import { findClusters } from './ppfm-clusters.js';
import { privateUpdates, spentEpsilon } from '../privacy.js';

/** One cluster as its head sees it. */
interface Cluster {
  members: SimPeer[];
  /** The head: the member with the smallest id (any fixed choice would do offline). */
  head: SimPeer;
  theta: WeightSet;
  global: WeightSet | undefined;
}

/** The head's round: the shared rule's headRound (headStep, then acceptCandidate on its train split). */
async function runHead(
  ctx: SimContext,
  c: Cluster,
  updates: HeadUpdate[],
  others: WeightSet[],
  part: SharedPart,
  events: RuleEvents,
): Promise<void> {
  if (updates.length === 0) return;
  const r = await headRound(
    ctx.task,
    { theta: c.theta, updates, others, global: c.global, sharedPart: part, cfg: ctx.config },
    c.head.train,
  );
  events.discarded += r.discarded.length;
  if (!r.verdict.ok) events.rejected++;
  c.theta = r.theta;
  c.global = r.global;
}

/**
 * Optional stages a variant of the rule adds to runPpfm's loop (e.g. zero-shot augmentation); with
 * none, the loop is exactly PPFM.
 */
export interface PpfmStages {
  /** The method name in progress reports (default 'ppfm'). */
  method: MethodName;
  /** Called once the clusters are known. */
  setup?(labels: number[], k: number): void;
  /**
   * Before memberUpdate (round 1..rounds) and before personalisation (round rounds + 1): the train
   * split `peer` uses (default its own). The update still weighs by the peer's real sample count.
   */
  trainOf?(peer: SimPeer, cluster: number, models: WeightSet[], round: number): Promise<Dataset>;
  /** After the head's round: the cluster model the head publishes (default headRound's). */
  afterHead?(cluster: number, theta: WeightSet, models: WeightSet[], round: number): Promise<WeightSet>;
}

/** What a run of the loop leaves: clusters, final cluster models, personalised peers. */
export interface PpfmRun {
  labels: number[];
  models: WeightSet[];
  personal: PersonaliseResult[];
  scores: PeerScores;
  events: RuleEvents;
}

/**
 * PPFM as networked peers run it, over an in-memory exchange: clusters from fingerprints (loss-based
 * refinement when they do not separate), a scaler pooled per cluster, memberUpdate on every member,
 * headStep per cluster against the other clusters' models published the round before (round 1:
 * none, so no global step; a single cluster never has one), acceptCandidate, and personaliseModel
 * of the final cluster model on each peer. `stages` add steps around memberUpdate and headRound.
 */
export async function ppfmLoop(ctx: SimContext, stages: PpfmStages = { method: 'ppfm' }): Promise<PpfmRun> {
  const events = noEvents();
  const { labels, source } = await findClusters(ctx);
  const k = Math.max(...labels) + 1;
  const part = chooseSharedPart(
    ctx.peers.map((p) => p.fp),
    labels,
  );
  const clusters: Cluster[] = Array.from({ length: k }, (_, c) => {
    const members = ctx.peers.filter((p) => labels[p.index] === c);
    return { members, head: members[0]!, theta: initFor(ctx, members), global: undefined };
  });
  stages.setup?.(labels, k);
  ctx.progress({
    method: stages.method,
    round: 0,
    rounds: ctx.rounds,
    clusters: labels,
    note: `${k} clusters (${source}), global level shares the ${part}`,
  });
  const trainOf = async (p: SimPeer, round: number): Promise<SimPeer> => {
    if (stages.trainOf === undefined) return p;
    const c = labels[p.index]!;
    return {
      ...p,
      train: await stages.trainOf(
        p,
        c,
        clusters.map((x) => x.theta),
        round,
      ),
    };
  };
  for (let round = 1; round <= ctx.rounds; round++) {
    const published = clusters.map((c) => c.theta);
    for (const [ci, c] of clusters.entries()) {
      const updates: HeadUpdate[] = [];
      for (const p of c.members) {
        const u = await memberRound(ctx, await trainOf(p, round), c.theta, round, events);
        if (u !== undefined) updates.push({ ...u, samples: p.samples });
      }
      const others = round > 1 ? published.filter((_, j) => j !== ci) : [];
      await runHead(ctx, c, privateUpdates(ctx, updates, c.members.length, round), others, part, events);
      if (stages.afterHead) c.theta = await stages.afterHead(ci, c.theta, published, round);
    }
    await reportRound(ctx, stages.method, round, (p) => clusters[labels[p.index]!]!.theta, labels);
  }
  const adaptOn: SimPeer[] = [];
  for (const p of ctx.peers) adaptOn.push(await trainOf(p, ctx.rounds + 1));
  const models = clusters.map((c) => c.theta);
  const { results, scores } = await personalisePeers(
    { ...ctx, peers: adaptOn },
    (p) => models[labels[p.index]!]!,
  );
  return { labels, models, personal: results, scores, events };
}

/** PPFM (ppfmLoop without stages), scored on the peers' held-out splits. */
export async function runPpfm(ctx: SimContext): Promise<MethodResult> {
  const start = performance.now();
  const r = await ppfmLoop(ctx);
  const epsilon = spentEpsilon(ctx, ctx.rounds);
  return summarise(ctx, r.scores, since(start), {
    ari: adjustedRandIndex(r.labels, ctx.truth),
    clusters: r.labels,
    events: r.events,
    ...(epsilon !== undefined ? { epsilon } : {}),
  });
}
