import type { WeightSet } from '../core.js';
import { initFor } from '../context.js';
import type { SimContext } from '../context.js';
import {
  clusterRound,
  evaluatePeers,
  noEvents,
  personalisePeers,
  reportRound,
  since,
  summarise,
} from '../federation.js';
import type { MethodResult, RuleEvents } from '../types.js';

/**
 * FedAvg's training: one global model (inputs scaled with the moments pooled over every peer),
 * the sample-weighted mean at eps 1 each round; returns the final global model.
 */
export async function trainFedAvg(ctx: SimContext, events: RuleEvents): Promise<WeightSet> {
  const assignment = ctx.peers.map(() => 0);
  const cfg = { ...ctx.config, aggregator: 'mean' as const, eps: 1 };
  let models: WeightSet[] = [initFor(ctx, ctx.peers)];
  for (let round = 1; round <= ctx.rounds; round++) {
    models = await clusterRound(ctx, models, assignment, round, cfg, events);
    const global = models[0]!;
    await reportRound(ctx, 'fedavg', round, () => global);
  }
  return models[0]!;
}

/** FedAvg results, with and without a final per-peer fine-tune. */
export interface FedAvgResults {
  fedavg: MethodResult;
  fedavgFt: MethodResult;
}

/**
 * One global model (inputs scaled with the moments pooled over every peer), sample-weighted mean
 * at eps 1; then `fedavg-ft` personalises the final global model on each peer (its seconds
 * include the shared FedAvg run).
 */
export async function runFedAvg(
  ctx: SimContext,
  withFineTune: boolean,
): Promise<FedAvgResults | { fedavg: MethodResult }> {
  const start = performance.now();
  const events = noEvents();
  const global = await trainFedAvg(ctx, events);
  const fedavg = summarise(ctx, await evaluatePeers(ctx, () => global), since(start), { events });
  if (!withFineTune) return { fedavg };
  const tuned = await personalisePeers(ctx, () => global);
  const fedavgFt = summarise(ctx, tuned.scores, since(start), { events });
  ctx.progress({ method: 'fedavg-ft', round: ctx.rounds, rounds: ctx.rounds, meanAcc: fedavgFt.meanAcc });
  return { fedavg, fedavgFt };
}
