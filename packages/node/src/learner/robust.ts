// Screening and robust aggregation of the members' updates at the head, before the cluster step.
// Interim: @ppfm/meta's learning rule (branch meta-rule: headStep with norm bounding, capped
// sample weights and the aggregators below) replaces this file once it is on main; the names and
// bounds here are meta's, so the switch changes no behaviour a test relies on.
import { allFinite, norm, scale, type WeightSet } from '@ppfm/meta';

/** How the head combines its members' updates (`--aggregator`). */
export type AggregatorName = 'mean' | 'median' | 'trimmed-mean' | 'clip-mean' | 'auto';
/** Every AggregatorName, for option parsing. */
export const AGGREGATORS: readonly AggregatorName[] = ['mean', 'median', 'trimmed-mean', 'clip-mean', 'auto'];
/** What meta's current `aggregate` runs (clip-mean is a mean of clipped updates). */
export type BaseAggregator = 'mean' | 'median' | 'trimmed';

/** An update whose L2 norm exceeds this multiple of the round's median norm (3+ updates) is dropped. */
export const MAX_NORM_RATIO = 4;
/** ...or this multiple of the model's own norm (meta measured honest ratios up to 0.57). */
export const MAX_NORM_TO_MODEL = 5;
/** A member's sample weight is capped at this multiple of the round's median (one liar cannot dominate). */
export const SAMPLE_CAP_RATIO = 4;

/** One member's update. */
export interface ScreenedUpdate {
  from: string;
  delta: WeightSet;
  samples: number;
}

/** What screening kept (weights capped, clipped for clip-mean) and dropped, and the rule to apply. */
export interface Screened {
  kept: ScreenedUpdate[];
  discarded: { from: string; reason: 'non_finite' | 'norm' }[];
  aggregator: Exclude<AggregatorName, 'auto'>;
  base: BaseAggregator;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 === 1 ? (s[h] as number) : ((s[h - 1] as number) + (s[h] as number)) / 2;
}

/**
 * The rule 'auto' stands for with `n` usable updates: the mean below 3 (a median of two is their
 * mean), clip-mean for 3-4 (a median of few is noisy), the coordinate-wise median from 5
 * (meta-rule's measurements under sign-flipped and x-50 members).
 */
export function resolveAggregator(name: AggregatorName, n: number): Exclude<AggregatorName, 'auto'> {
  if (name !== 'auto') return name;
  return n < 3 ? 'mean' : n < 5 ? 'clip-mean' : 'median';
}

/**
 * Drops non-finite updates and those whose norm exceeds MAX_NORM_RATIO x the round's median norm
 * (with 3+ updates) or MAX_NORM_TO_MODEL x the model's norm; caps sample weights at
 * SAMPLE_CAP_RATIO x the median; for clip-mean scales each kept update down to the median norm.
 */
export function screenUpdates(
  theta: WeightSet,
  updates: readonly ScreenedUpdate[],
  name: AggregatorName,
): Screened {
  const discarded: Screened['discarded'] = [];
  const finite: { u: ScreenedUpdate; norm: number }[] = [];
  for (const u of updates) {
    if (!allFinite(u.delta) || !(u.samples > 0) || !Number.isFinite(u.samples))
      discarded.push({ from: u.from, reason: 'non_finite' });
    else finite.push({ u, norm: norm(u.delta) });
  }
  const med = finite.length >= 3 ? median(finite.map((f) => f.norm)) : Infinity;
  const modelNorm = norm(theta);
  const bound = Math.min(MAX_NORM_RATIO * med, modelNorm > 0 ? MAX_NORM_TO_MODEL * modelNorm : Infinity);
  const inBound = finite.filter((f) => {
    if (f.norm <= bound) return true;
    discarded.push({ from: f.u.from, reason: 'norm' });
    return false;
  });
  const aggregator = resolveAggregator(name, inBound.length);
  const cap = inBound.length > 0 ? SAMPLE_CAP_RATIO * median(inBound.map((f) => f.u.samples)) : 0;
  const clipTo = inBound.length > 0 ? median(inBound.map((f) => f.norm)) : 0;
  const kept = inBound.map((f) => ({
    from: f.u.from,
    samples: Math.max(1, Math.min(f.u.samples, cap)),
    delta:
      aggregator === 'clip-mean' && f.norm > clipTo && f.norm > 0
        ? scale(f.u.delta, clipTo / f.norm)
        : f.u.delta,
  }));
  const base: BaseAggregator =
    aggregator === 'median' ? 'median' : aggregator === 'trimmed-mean' ? 'trimmed' : 'mean';
  return { kept, discarded, aggregator, base };
}
