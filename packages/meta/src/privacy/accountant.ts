// The privacy accountant of a peer: composes the Gaussian releases it has made (one per round it
// contributed to), reports the epsilon spent at a fixed delta, and says whether one more round
// stays within its budget. Releases with full participation compose exactly in closed form
// (RDP rho * alpha, optimised over every real order); Poisson-subsampled ones over integer orders.
import { INTEGER_ORDERS, linearRdpToEpsilon, rdpToEpsilon, sampledGaussianRdp } from './rdp.js';

/** A batch of identical Gaussian releases. */
export interface GaussianRelease {
  /** Noise multiplier: noise std / L2 sensitivity. */
  sigma: number;
  /** Number of releases. */
  count: number;
  /** Poisson sampling rate of each release (1 = always included). */
  sampleRate: number;
}

/** Epsilon at delta after the given releases (sensitivity-normalised Gaussian mechanism). */
export function epsilonOf(releases: readonly GaussianRelease[], delta: number): number {
  let rho = 0;
  const sampled: GaussianRelease[] = [];
  for (const r of releases) {
    if (!(r.count >= 0)) throw new RangeError(`release count must be >= 0, got ${r.count}`);
    if (!(r.sigma >= 0)) throw new RangeError(`sigma must be >= 0, got ${r.sigma}`);
    if (!(r.sampleRate >= 0 && r.sampleRate <= 1)) throw new RangeError(`sample rate must be in [0, 1]`);
    if (r.count === 0 || r.sampleRate === 0) continue;
    if (r.sigma === 0) return Infinity;
    if (r.sampleRate === 1) rho += r.count / (2 * r.sigma * r.sigma);
    else sampled.push(r);
  }
  if (sampled.length === 0) return linearRdpToEpsilon(rho, delta).epsilon;
  const rdp = INTEGER_ORDERS.map(
    (a) => rho * a + sampled.reduce((s, r) => s + r.count * sampledGaussianRdp(r.sampleRate, r.sigma, a), 0),
  );
  return rdpToEpsilon(INTEGER_ORDERS, rdp, delta).epsilon;
}

/** Epsilon at delta of `rounds` Gaussian releases with noise multiplier sigma (and sampling rate). */
export function gaussianEpsilon(sigma: number, rounds: number, delta: number, sampleRate = 1): number {
  return epsilonOf([{ sigma, count: rounds, sampleRate }], delta);
}

/**
 * Smallest noise multiplier (to 1e-6 relative) whose `rounds` releases stay within (epsilon, delta);
 * throws RangeError for a non-positive epsilon or a delta outside (0, 1).
 */
export function calibrateSigma(epsilon: number, delta: number, rounds: number, sampleRate = 1): number {
  if (!(epsilon > 0) || !Number.isFinite(epsilon))
    throw new RangeError(`epsilon must be > 0, got ${epsilon}`);
  if (!(delta > 0 && delta < 1)) throw new RangeError(`delta must be in (0, 1), got ${delta}`);
  if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError(`rounds must be >= 1, got ${rounds}`);
  const eps = (s: number) => gaussianEpsilon(s, rounds, delta, sampleRate);
  let hi = 1;
  while (eps(hi) > epsilon) {
    hi *= 2;
    if (hi > 1e12) throw new RangeError(`no sigma reaches epsilon ${epsilon}`);
  }
  let lo = hi / 2;
  while (lo > 1e-9 && eps(lo) <= epsilon) lo /= 2;
  while (hi - lo > 1e-6 * hi) {
    const mid = Math.sqrt(lo * hi);
    if (eps(mid) <= epsilon) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Options of a PrivacyAccountant. */
export interface AccountantOptions {
  /** The delta at which epsilon is reported (e.g. 1e-5, below 1/records). */
  delta: number;
  /** Budget: the peer stops contributing before epsilon would exceed it (`--dp-max-epsilon`). */
  maxEpsilon?: number;
}

/** JSON form of an accountant, for checkpoints: a restart must not reset the spent budget. */
export interface AccountantSnapshot {
  delta: number;
  maxEpsilon?: number;
  releases: GaussianRelease[];
}

/** Composes a peer's Gaussian releases over rounds; epsilon only ever grows. */
export class PrivacyAccountant {
  readonly delta: number;
  readonly maxEpsilon: number;
  private readonly releases: GaussianRelease[] = [];
  private cached: number | undefined = 0;

  constructor(opts: AccountantOptions) {
    if (!(opts.delta > 0 && opts.delta < 1))
      throw new RangeError(`delta must be in (0, 1), got ${opts.delta}`);
    const max = opts.maxEpsilon ?? Infinity;
    if (!(max > 0)) throw new RangeError(`maxEpsilon must be > 0, got ${max}`);
    this.delta = opts.delta;
    this.maxEpsilon = max;
  }

  /** Restores an accountant from a snapshot. */
  static fromJSON(s: AccountantSnapshot): PrivacyAccountant {
    const a = new PrivacyAccountant({ delta: s.delta, maxEpsilon: s.maxEpsilon ?? Infinity });
    for (const r of s.releases) a.record(r.sigma, r.count, r.sampleRate);
    return a;
  }

  /** Records `count` releases with noise multiplier sigma (and Poisson rate sampleRate). */
  record(sigma: number, count = 1, sampleRate = 1): void {
    epsilonOf([{ sigma, count, sampleRate }], this.delta); // throws RangeError on a bad release
    const same = this.releases.find((r) => r.sigma === sigma && r.sampleRate === sampleRate);
    if (same) same.count += count;
    else this.releases.push({ sigma, count, sampleRate });
    this.cached = undefined;
  }

  /** Rounds recorded so far. */
  get rounds(): number {
    return this.releases.reduce((n, r) => n + r.count, 0);
  }

  /** Epsilon spent so far at `delta`. */
  epsilon(): number {
    if (this.cached === undefined) this.cached = epsilonOf(this.releases, this.delta);
    return this.cached;
  }

  /** Epsilon if `count` more releases with sigma were recorded. */
  epsilonAfter(sigma: number, count = 1, sampleRate = 1): number {
    return epsilonOf([...this.releases, { sigma, count, sampleRate }], this.delta);
  }

  /** True when one more release with sigma keeps epsilon within maxEpsilon. */
  canContribute(sigma: number, sampleRate = 1): boolean {
    return this.epsilonAfter(sigma, 1, sampleRate) <= this.maxEpsilon;
  }

  /** Snapshot for a checkpoint. */
  toJSON(): AccountantSnapshot {
    const s: AccountantSnapshot = { delta: this.delta, releases: this.releases.map((r) => ({ ...r })) };
    if (Number.isFinite(this.maxEpsilon)) s.maxEpsilon = this.maxEpsilon;
    return s;
  }
}
