// Freshness of gossip: every gossip message carries its send time, so a replay of an old message
// (a departed peer's lease) is stale. There is no clock in this package: the caller passes now.

/** How a message's send time compares with the receiver's clock. */
export type Freshness = 'fresh' | 'stale' | 'future';

/**
 * 'stale' when sentAt is more than toleranceMs before now, 'future' when more than toleranceMs
 * after it, else 'fresh' (both bounds inclusive). The tolerance covers clock skew and delivery delay.
 */
export function checkFreshness(sentAt: number, now: number, toleranceMs: number): Freshness {
  if (sentAt > now + toleranceMs) return 'future';
  if (sentAt < now - toleranceMs) return 'stale';
  return 'fresh';
}
