// Freshness of gossip: every message carries its send time; one too old is a replay (or hopelessly
// late) and is ignored, one from the future beyond the clock tolerance is rejected.
import { checkFreshness, ignore, reject, type ValidationResult } from '@ppfm/protocol';

/** How far apart two honest peers' clocks (plus delivery) may be. */
export const DEFAULT_FRESHNESS_MS = 30_000;

/** The verdict on `sentAt` alone, or undefined when it is fresh. */
export function freshness(sentAt: number, now: number, toleranceMs: number): ValidationResult | undefined {
  const f = checkFreshness(sentAt, now, toleranceMs);
  if (f === 'stale') return ignore('stale', `sent ${Math.round((now - sentAt) / 1000)} s ago`);
  if (f === 'future')
    return reject('future', `sent ${Math.round((sentAt - now) / 1000)} s ahead of our clock`);
  return undefined;
}
