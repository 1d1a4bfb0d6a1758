import { addScaledDelta } from '../apply.js';
import type { WeightSet } from '../core.js';
import { initFor } from '../context.js';
import type { SimContext } from '../context.js';
import { evaluatePeers, memberRound, noEvents, reportRound, since, summarise } from '../federation.js';
import type { MethodResult } from '../types.js';

/**
 * Each peer trains alone (its own data's scaler, the shared initial network) for the same rounds as
 * the federated methods: memberUpdate then its own delta applied, no personalisation.
 */
export async function runLocal(ctx: SimContext): Promise<MethodResult> {
  const start = performance.now();
  const events = noEvents();
  const models: WeightSet[] = ctx.peers.map((p) => initFor(ctx, [p]));
  // Alone, a peer's update goes nowhere: never transformed as a hostile one would be.
  const alone = { ...ctx, byzantine: undefined };
  for (let round = 1; round <= ctx.rounds; round++) {
    for (const peer of ctx.peers) {
      const u = await memberRound(alone, peer, models[peer.index]!, round, events);
      if (u !== undefined) models[peer.index] = addScaledDelta(models[peer.index]!, u.delta, 1);
    }
    await reportRound(ctx, 'local', round, (p) => models[p.index]!);
  }
  const scores = await evaluatePeers(ctx, (p) => models[p.index]!);
  return summarise(ctx, scores, since(start), { events });
}
