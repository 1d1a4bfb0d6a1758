import { adjustedRandIndex } from '../core.js';
import type { WeightSet } from '../core.js';
import { initFor } from '../context.js';
import type { SimContext } from '../context.js';
import { clusterRound, evaluatePeers, noEvents, reportRound, since, summarise } from '../federation.js';
import type { MethodResult } from '../types.js';

/** Clustered FedAvg on the true groups (scaler pooled per group): the upper reference for clustering. */
export async function runOracle(ctx: SimContext): Promise<MethodResult> {
  const start = performance.now();
  const events = noEvents();
  const groupIds = [...new Set(ctx.truth)].sort((a, b) => a - b);
  const assignment = ctx.truth.map((g) => groupIds.indexOf(g));
  const cfg = { ...ctx.config, aggregator: 'mean' as const, eps: 1 };
  let models: WeightSet[] = groupIds.map((_, c) =>
    initFor(
      ctx,
      ctx.peers.filter((p) => assignment[p.index] === c),
    ),
  );
  for (let round = 1; round <= ctx.rounds; round++) {
    models = await clusterRound(ctx, models, assignment, round, cfg, events);
    const now = models;
    await reportRound(ctx, 'oracle', round, (p) => now[assignment[p.index]!]!, assignment);
  }
  const scores = await evaluatePeers(ctx, (p) => models[assignment[p.index]!]!);
  return summarise(ctx, scores, since(start), {
    ari: adjustedRandIndex(assignment, ctx.truth),
    clusters: assignment,
    events,
  });
}
