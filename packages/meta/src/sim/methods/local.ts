import type { WeightSet } from '../core.js';
import type { SimContext } from '../context.js';
import { evaluatePeers, reportRound, since, summarise, trainPeer } from '../federation.js';
import type { MethodResult } from '../types.js';

/** Each peer trains alone from the shared initial weights for the same total epochs as the federated methods. */
export async function runLocal(ctx: SimContext): Promise<MethodResult> {
  const start = performance.now();
  const models: WeightSet[] = ctx.peers.map(() => ctx.init);
  for (let round = 1; round <= ctx.rounds; round++) {
    for (const peer of ctx.peers)
      models[peer.index] = await trainPeer(ctx, models[peer.index] as WeightSet, peer, round);
    await reportRound(ctx, 'local', round, (p) => models[p.index] as WeightSet);
  }
  const scores = await evaluatePeers(ctx, (p) => models[p.index] as WeightSet);
  return summarise(ctx, scores, since(start));
}
