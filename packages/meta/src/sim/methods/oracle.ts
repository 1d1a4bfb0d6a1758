import type { WeightSet } from '../core.js';
import type { SimContext } from '../context.js';
import { clusterRound, evaluatePeers, reportRound, since, summarise } from '../federation.js';
import { adjustedRandIndex } from '../core.js';
import type { MethodResult } from '../types.js';

/** Clustered FedAvg on the true groups: the upper reference for any clustering method. */
export async function runOracle(ctx: SimContext): Promise<MethodResult> {
  const start = performance.now();
  const groupIds = [...new Set(ctx.truth)].sort((a, b) => a - b);
  const assignment = ctx.truth.map((g) => groupIds.indexOf(g));
  let models: WeightSet[] = groupIds.map(() => ctx.init);
  for (let round = 1; round <= ctx.rounds; round++) {
    models = await clusterRound(ctx, models, assignment, round, 1);
    const now = models;
    await reportRound(
      ctx,
      'oracle',
      round,
      (p) => now[assignment[p.index] as number] as WeightSet,
      assignment,
    );
  }
  const scores = await evaluatePeers(ctx, (p) => models[assignment[p.index] as number] as WeightSet);
  return summarise(ctx, scores, since(start), {
    ari: adjustedRandIndex(assignment, ctx.truth),
    clusters: assignment,
  });
}
