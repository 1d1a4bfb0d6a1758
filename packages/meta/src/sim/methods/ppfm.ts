import { adjustedRandIndex, chooseSharedPart, headRound } from '../core.js';
import type { HeadUpdate, SharedPart, WeightSet } from '../core.js';
import { initFor } from '../context.js';
import type { SimContext, SimPeer } from '../context.js';
import { memberRound, noEvents, personalisePeers, reportRound, since, summarise } from '../federation.js';
import type { MethodResult, RuleEvents } from '../types.js';
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
 * PPFM as networked peers run it, over an in-memory exchange: clusters from fingerprints (loss-based
 * refinement when they do not separate), a scaler pooled per cluster, memberUpdate on every member,
 * headStep per cluster against the other clusters' models published the round before (round 1:
 * none, so no global step; a single cluster never has one), acceptCandidate, and personaliseModel
 * of the final cluster model on each peer.
 */
export async function runPpfm(ctx: SimContext): Promise<MethodResult> {
  const start = performance.now();
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
  ctx.progress({
    method: 'ppfm',
    round: 0,
    rounds: ctx.rounds,
    clusters: labels,
    note: `${k} clusters (${source}), global level shares the ${part}`,
  });
  for (let round = 1; round <= ctx.rounds; round++) {
    const published = clusters.map((c) => c.theta);
    for (const [ci, c] of clusters.entries()) {
      const updates: HeadUpdate[] = [];
      for (const p of c.members) {
        const u = await memberRound(ctx, p, c.theta, round, events);
        if (u !== undefined) updates.push(u);
      }
      const others = round > 1 ? published.filter((_, j) => j !== ci) : [];
      await runHead(ctx, c, privateUpdates(ctx, updates, c.members.length, round), others, part, events);
    }
    await reportRound(ctx, 'ppfm', round, (p) => clusters[labels[p.index]!]!.theta, labels);
  }
  const { scores } = await personalisePeers(ctx, (p) => clusters[labels[p.index]!]!.theta);
  const epsilon = spentEpsilon(ctx, ctx.rounds);
  return summarise(ctx, scores, since(start), {
    ari: adjustedRandIndex(labels, ctx.truth),
    clusters: labels,
    events,
    ...(epsilon !== undefined ? { epsilon } : {}),
  });
}
