import type { WeightSet } from '../core.js';
import type { SimContext } from '../context.js';
import {
  clusterRound,
  evaluatePeers,
  personalisePeers,
  reportRound,
  since,
  summarise,
} from '../federation.js';
import type { MethodResult } from '../types.js';

/** FedAvg results, with and without a final per-peer fine-tune. */
export interface FedAvgResults {
  fedavg: MethodResult;
  fedavgFt: MethodResult;
}

/**
 * One global model, sample-weighted FedAvg; then `fedavg-ft` personalises the final global
 * model on each peer (its seconds include the shared FedAvg run).
 */
export async function runFedAvg(
  ctx: SimContext,
  withFineTune: boolean,
): Promise<FedAvgResults | { fedavg: MethodResult }> {
  const start = performance.now();
  const assignment = ctx.peers.map(() => 0);
  let models: WeightSet[] = [ctx.init];
  for (let round = 1; round <= ctx.rounds; round++) {
    models = await clusterRound(ctx, models, assignment, round, 1);
    const global = models[0] as WeightSet;
    await reportRound(ctx, 'fedavg', round, () => global);
  }
  const global = models[0] as WeightSet;
  const fedavg = summarise(ctx, await evaluatePeers(ctx, () => global), since(start));
  if (!withFineTune) return { fedavg };
  const tuned = await personalisePeers(ctx, () => global);
  const fedavgFt = summarise(ctx, await evaluatePeers(ctx, (p) => tuned[p.index] as WeightSet), since(start));
  ctx.progress({ method: 'fedavg-ft', round: ctx.rounds, rounds: ctx.rounds, meanAcc: fedavgFt.meanAcc });
  return { fedavg, fedavgFt };
}
