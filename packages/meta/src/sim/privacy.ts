// Differential privacy in the simulator, applied as a networked peer applies it (`ppfm start
// --dp-clip C --dp-noise SIGMA [--secure-agg]`): every member clips its update to L2 norm C and adds
// Gaussian noise, with equal weights; under secure aggregation each member adds its share
// sigma / sqrt(t) and the head sees only the mean of the cluster's updates (no sum at all below t
// contributors), else each adds sigma and the head aggregates the noised updates with its rule.
import { aggregate } from '../aggregate.js';
import { clipAndNoise } from '../privacy/clip-noise.js';
import { gaussianEpsilon } from '../privacy/accountant.js';
import { createRng, deriveSeed } from '../rng.js';
import type { HeadUpdate } from './core.js';
import type { SimContext } from './context.js';
import type { SimPrivacyOptions } from './types.js';

/** The Shamir threshold of a round of n members (the secure-aggregation protocol's default). */
function threshold(n: number): number {
  return Math.floor((2 * n) / 3) + 1;
}

/** Checks the privacy options (a RangeError naming the field). */
export function checkPrivacy(p: SimPrivacyOptions): void {
  if (!(p.clip > 0) || !Number.isFinite(p.clip))
    throw new RangeError(`privacy.clip must be > 0, got ${p.clip}`);
  if (!(p.sigma >= 0) || !Number.isFinite(p.sigma))
    throw new RangeError(`privacy.sigma must be finite and >= 0, got ${p.sigma}`);
  if (!(p.delta > 0 && p.delta < 1)) throw new RangeError(`privacy.delta must be in (0, 1), got ${p.delta}`);
}

/**
 * A cluster's updates of one round as its head receives them under `ctx.privacy` (unchanged
 * without it): clipped, noised, weight 1; under secure aggregation their mean as one update, or
 * none when fewer than t of the cluster's `members` contributed.
 */
export function privateUpdates(
  ctx: SimContext,
  updates: HeadUpdate[],
  members: number,
  round: number,
): HeadUpdate[] {
  const p = ctx.privacy;
  if (p === undefined) return updates;
  const secure = p.secureAgg && members >= 2;
  const sigma = secure ? p.sigma / Math.sqrt(threshold(members)) : p.sigma;
  const noised = updates.map((u) => ({
    from: u.from,
    delta: clipAndNoise(u.delta, {
      clip: p.clip,
      sigma,
      rng: createRng(deriveSeed(ctx.seed, 'dp', round, u.from)),
    }).delta,
    samples: 1,
  }));
  if (!secure) return noised;
  if (noised.length < threshold(members)) return [];
  const mean = aggregate(
    noised.map((u) => ({ delta: u.delta, weight: 1 })),
    'mean',
  );
  return [{ from: 'secure-sum', delta: mean, samples: noised.length }];
}

/** Epsilon a member spends over `rounds` releases (undefined without DP or with sigma 0). */
export function spentEpsilon(ctx: SimContext, rounds: number): number | undefined {
  const p = ctx.privacy;
  if (p === undefined || p.sigma === 0) return undefined;
  return gaussianEpsilon(p.sigma, rounds, p.delta);
}
