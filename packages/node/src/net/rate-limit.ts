// Token buckets per (peer, key): a peer may send `ratePerSec` messages of a kind on average,
// bursts up to `burst`. Bounded memory: the least recently used peers are forgotten.

export interface RateLimit {
  ratePerSec: number;
  burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Rate limiter keyed by peer and message kind, with a bound on tracked keys. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limits: Readonly<Record<string, RateLimit>>,
    private readonly maxKeys = 4096,
  ) {}

  /** Takes one token for `peer` sending `kind` at `now`; false when the peer is over its rate. */
  take(peer: string, kind: string, now: number): boolean {
    const lim = this.limits[kind] ?? this.limits['*'];
    if (lim === undefined) return true;
    const key = `${kind}\u0000${peer}`;
    let b = this.buckets.get(key);
    if (b === undefined) {
      if (this.buckets.size >= this.maxKeys) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
      b = { tokens: lim.burst, at: now };
    } else {
      this.buckets.delete(key); // re-insert: Map order is recency order
      b.tokens = Math.min(lim.burst, b.tokens + ((now - b.at) / 1000) * lim.ratePerSec);
      b.at = now;
    }
    this.buckets.set(key, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
