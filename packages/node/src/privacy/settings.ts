// Privacy settings of a peer (--secure-agg, --dp-*, --fingerprint-noise): what the user asks for,
// checked and resolved once at start, and the secure-aggregation parameters every member of a
// cluster derives alike from them. Pure; every refusal is a one-line PrivacyConfigError.
import { calibrateSigma, noiseShare } from '@ppfm/meta';
import { DEFAULT_SECAGG_CLIP, defaultThreshold, type SecAggConfig } from '@ppfm/protocol';

/** Differential privacy of the updates (user level: a member's whole contribution to a round). */
export interface DpOptions {
  /** L2 norm C every update is clipped to (--dp-clip). */
  clip: number;
  /** Noise multiplier sigma: noise std sigma C on the round's sum (--dp-noise); or give epsilon. */
  noise?: number;
  /** Target epsilon over `rounds` rounds; sigma is calibrated to it (--dp-epsilon). */
  epsilon?: number;
  /** delta of the reported (epsilon, delta) (--dp-delta, default 1e-5). */
  delta?: number;
  /** Stop contributing before epsilon would pass this (--dp-max-epsilon; default: epsilon, else none). */
  maxEpsilon?: number;
}

/** What a peer is asked to protect. */
export interface PrivacyOptions {
  /** Secure aggregation inside the cluster: the head learns only the sum of the updates. */
  secureAgg?: boolean;
  dp?: DpOptions;
  /** Gaussian noise on the published fingerprint, in sampling standard errors (0: none). */
  fingerprintNoise?: number;
}

/** Resolved DP settings. */
export interface DpSettings {
  clip: number;
  sigma: number;
  delta: number;
  maxEpsilon: number;
  /** Set when sigma was calibrated from --dp-epsilon. */
  target?: { epsilon: number; rounds: number };
}

/** Resolved privacy settings. */
export interface PrivacySettings {
  secureAgg: boolean;
  dp?: DpSettings;
  fingerprintNoise: number;
}

/** A privacy setting that cannot be used, with a one-line reason naming the flag. */
export class PrivacyConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrivacyConfigError';
  }
}

/** Default delta of the reported (epsilon, delta). */
export const DEFAULT_DP_DELTA = 1e-5;
/**
 * Sample weights are capped at this under secure aggregation without DP (the encoding is relative
 * to a cluster-wide cap): a member claiming more samples cannot outweigh the others by more.
 */
export const SECURE_MAX_WEIGHT = 16384;
/** The clip B of the encoding leaves room for this many standard deviations of a member's noise share. */
const NOISE_HEADROOM_STD = 6;
/** Aggregators that need each member's update, so cannot run on a secure sum. */
const NEEDS_INDIVIDUAL_UPDATES = new Set(['median', 'trimmed', 'trimmed-mean', 'clip-mean']);

const positive = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v) && v > 0;

/** Checks and resolves the privacy options; `rounds` and `aggregator` are the peer's own settings. */
export function resolvePrivacy(
  o: PrivacyOptions | undefined,
  ctx: { rounds?: number | undefined; aggregator?: string | undefined },
): PrivacySettings {
  const secureAgg = o?.secureAgg === true;
  if (secureAgg && ctx.aggregator !== undefined && NEEDS_INDIVIDUAL_UPDATES.has(ctx.aggregator))
    throw new PrivacyConfigError(
      `--secure-agg cannot be combined with --aggregator ${ctx.aggregator}: robust aggregators need every ` +
        `member's update and the head sees only their sum (norm clipping by each member, --dp-clip, is allowed)`,
    );
  const fingerprintNoise = o?.fingerprintNoise ?? 0;
  if (!Number.isFinite(fingerprintNoise) || fingerprintNoise < 0)
    throw new PrivacyConfigError(`--fingerprint-noise must be a finite number >= 0, got ${fingerprintNoise}`);
  const dp = o?.dp === undefined ? undefined : resolveDp(o.dp, ctx.rounds);
  return { secureAgg, fingerprintNoise, ...(dp ? { dp } : {}) };
}

function resolveDp(d: DpOptions, rounds: number | undefined): DpSettings {
  if (!positive(d.clip)) throw new PrivacyConfigError(`--dp-clip must be a finite number > 0, got ${d.clip}`);
  const delta = d.delta ?? DEFAULT_DP_DELTA;
  if (!(delta > 0 && delta < 1)) throw new PrivacyConfigError(`--dp-delta must be in (0, 1), got ${delta}`);
  if ((d.noise === undefined) === (d.epsilon === undefined))
    throw new PrivacyConfigError('--dp-clip needs exactly one of --dp-noise SIGMA or --dp-epsilon E');
  if (d.maxEpsilon !== undefined && !positive(d.maxEpsilon))
    throw new PrivacyConfigError(`--dp-max-epsilon must be a finite number > 0, got ${d.maxEpsilon}`);
  if (d.noise !== undefined) {
    if (!Number.isFinite(d.noise) || d.noise < 0)
      throw new PrivacyConfigError(`--dp-noise must be a finite number >= 0, got ${d.noise}`);
    if (d.noise === 0 && d.maxEpsilon !== undefined)
      throw new PrivacyConfigError(
        '--dp-noise 0 gives no privacy (epsilon is infinite): --dp-max-epsilon cannot hold',
      );
    return { clip: d.clip, sigma: d.noise, delta, maxEpsilon: d.maxEpsilon ?? Infinity };
  }
  const epsilon = d.epsilon as number;
  if (!positive(epsilon))
    throw new PrivacyConfigError(`--dp-epsilon must be a finite number > 0, got ${epsilon}`);
  if (rounds === undefined)
    throw new PrivacyConfigError('--dp-epsilon needs --rounds: sigma is calibrated for that many rounds');
  const sigma = calibrateSigma(epsilon, delta, rounds);
  return { clip: d.clip, sigma, delta, maxEpsilon: d.maxEpsilon ?? epsilon, target: { epsilon, rounds } };
}

/** The Shamir threshold of a round of n members (the protocol's default; every peer derives the same). */
export function roundThreshold(n: number): number {
  return n >= 2 ? defaultThreshold(n) : 1;
}

/**
 * The factor on sigma of one member's noise: 1 when its update reaches the head alone; with secure
 * aggregation 1/sqrt(t), so that any completed round (t or more contributors) carries noise sigma C.
 */
export function noiseFactor(secureAgg: boolean, members: number): number {
  return secureAgg ? noiseShare(roundThreshold(members)) : 1;
}

/**
 * The secure-aggregation config of a round of `members` over `length` coordinates, identical on every
 * peer with the same settings (the roster carries it and members abort on a mismatch). Without DP:
 * per-coordinate clip 4, sample weights capped at SECURE_MAX_WEIGHT. With DP: equal weights (the
 * sensitivity of the sum is C), and a clip B = C (1 + 6 sigma / sqrt(t)) that leaves the noise
 * shares room: clipping a share would leave the sum under-noised.
 */
export function secAggConfigFor(length: number, members: number, dp: DpSettings | undefined): SecAggConfig {
  if (dp === undefined) return { length, clip: DEFAULT_SECAGG_CLIP, maxWeight: SECURE_MAX_WEIGHT };
  const share = dp.sigma * noiseFactor(true, members);
  return { length, clip: dp.clip * (1 + NOISE_HEADROOM_STD * share), maxWeight: 1 };
}

/** Longest wait of each secure-aggregation stage after the adverts: a fifth of the round deadline, >= 2 s. */
export function secureStageMs(roundDeadlineMs: number): number {
  return Math.max(2000, Math.round(roundDeadlineMs / 5));
}
