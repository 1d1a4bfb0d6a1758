import { adjustedRandIndex, ifcaAssign, initWeights } from '../core.js';
import type { WeightSet } from '../core.js';
import { mixSeed } from '../context.js';
import type { SimContext, SimPeer } from '../context.js';
import { clusterRound, evaluatePeers, reportRound, since, summarise } from '../federation.js';
import type { MethodResult } from '../types.js';

/** Index of the candidate model with the lowest loss on the peer's training split (IFCA rule). */
export async function lowestLoss(ctx: SimContext, models: WeightSet[], peer: SimPeer): Promise<number> {
  const candidates = models.map((weights, id) => ({ id, weights }));
  return (await ifcaAssign(ctx.spec, ctx.inputShape, ctx.numClasses, candidates, peer.train)).best;
}

/**
 * IFCA (Ghosh et al. 2020): k randomly initialised cluster models; each round every peer picks
 * the model with the lowest loss on its data, trains from it, and each model is averaged over
 * the peers that picked it.
 */
export async function runIfca(ctx: SimContext): Promise<MethodResult> {
  const start = performance.now();
  let models: WeightSet[] = Array.from({ length: ctx.k }, (_, c) =>
    initWeights(ctx.spec, ctx.inputShape, ctx.numClasses, mixSeed(ctx.seed, 303, c)),
  );
  let assignment: number[] = ctx.peers.map(() => 0);
  for (let round = 1; round <= ctx.rounds; round++) {
    const next: number[] = [];
    for (const peer of ctx.peers) next.push(await lowestLoss(ctx, models, peer));
    assignment = next;
    models = await clusterRound(ctx, models, assignment, round, 1);
    const now = models;
    const a = assignment;
    await reportRound(ctx, 'ifca', round, (p) => now[a[p.index] as number] as WeightSet, assignment);
  }
  const scores = await evaluatePeers(ctx, (p) => models[assignment[p.index] as number] as WeightSet);
  return summarise(ctx, scores, since(start), {
    ari: adjustedRandIndex(assignment, ctx.truth),
    clusters: assignment,
  });
}
