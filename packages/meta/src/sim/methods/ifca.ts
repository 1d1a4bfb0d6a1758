import { adjustedRandIndex, deriveSeed, evaluateModel, initModel } from '../core.js';
import type { WeightSet } from '../core.js';
import { scalerOf } from '../context.js';
import type { SimContext, SimPeer } from '../context.js';
import { clusterRound, evaluatePeers, noEvents, reportRound, since, summarise } from '../federation.js';
import type { MethodResult } from '../types.js';

/** Index of the candidate model with the lowest loss on the peer's training split (IFCA rule; ties: first). */
export async function lowestLoss(ctx: SimContext, models: WeightSet[], peer: SimPeer): Promise<number> {
  let best = 0;
  let bestLoss = Infinity;
  for (let c = 0; c < models.length; c++) {
    const { loss } = await evaluateModel(ctx.task, models[c]!, peer.train);
    if (loss < bestLoss) {
      bestLoss = loss;
      best = c;
    }
  }
  return best;
}

/**
 * IFCA (Ghosh et al. 2020): k randomly initialised cluster models; each round every peer picks
 * the model with the lowest loss on its data, trains from it, and each model is averaged over
 * the peers that picked it. The clusters are what the models find, so every model starts behind
 * the scaler pooled over all peers (no cluster is known before the first round).
 */
export async function runIfca(ctx: SimContext): Promise<MethodResult> {
  const start = performance.now();
  const events = noEvents();
  const cfg = { ...ctx.config, aggregator: 'mean' as const, eps: 1 };
  const scaler = scalerOf(ctx, ctx.peers);
  let models: WeightSet[] = Array.from({ length: ctx.k }, (_, c) =>
    initModel(ctx.task, scaler, deriveSeed(ctx.seed, 'ifca', c)),
  );
  let assignment: number[] = ctx.peers.map(() => 0);
  for (let round = 1; round <= ctx.rounds; round++) {
    const next: number[] = [];
    for (const peer of ctx.peers) next.push(await lowestLoss(ctx, models, peer));
    assignment = next;
    models = await clusterRound(ctx, models, assignment, round, cfg, events);
    const now = models;
    const a = assignment;
    await reportRound(ctx, 'ifca', round, (p) => now[a[p.index]!]!, assignment);
  }
  const scores = await evaluatePeers(ctx, (p) => models[assignment[p.index]!]!);
  return summarise(ctx, scores, since(start), {
    ari: adjustedRandIndex(assignment, ctx.truth),
    clusters: assignment,
    events,
  });
}
