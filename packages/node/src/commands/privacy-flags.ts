// The privacy flags of `ppfm start` (--secure-agg, --dp-*, --fingerprint-noise): registration,
// parsing and the checks that make a bad combination a usage error (exit 2) naming the flag.
import { InvalidArgumentError, type Command } from 'commander';
import { PrivacyConfigError, resolvePrivacy, type PrivacyOptions } from '../privacy/settings.js';
import { UsageError } from './errors.js';

/** The privacy flags as commander parses them. */
export interface PrivacyFlags {
  secureAgg?: boolean;
  dpClip?: number;
  dpNoise?: number;
  dpEpsilon?: number;
  dpDelta?: number;
  dpMaxEpsilon?: number;
  fingerprintNoise?: number;
}

/** Parses a finite non-negative number (commander argParser). */
function nonNegative(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError('must be a finite number >= 0.');
  return n;
}

/** Parses a finite positive number (commander argParser). */
function positive(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError('must be a finite number > 0.');
  return n;
}

/** Adds the privacy flags to `start`. */
export function registerPrivacyFlags(cmd: Command): Command {
  return cmd
    .option(
      '--secure-agg',
      "secure aggregation inside the cluster: the head learns only the sum of the members' updates " +
        '(every peer of a cluster must use it; not with robust aggregators)',
    )
    .option('--dp-clip <C>', 'differential privacy: clip every update to L2 norm C', positive)
    .option('--dp-noise <SIGMA>', "DP noise multiplier: noise std SIGMA x C on the round's sum", nonNegative)
    .option('--dp-epsilon <E>', 'DP: calibrate the noise to epsilon E over --rounds rounds', positive)
    .option('--dp-delta <D>', 'delta of the reported (epsilon, delta) (default 1e-5)', positive)
    .option(
      '--dp-max-epsilon <E>',
      'stop sending updates before epsilon would pass E (default: --dp-epsilon, else no limit)',
      positive,
    )
    .option(
      '--fingerprint-noise <S>',
      'noise the published fingerprint by S sampling standard errors (0: exact; noised once per dataset)',
      nonNegative,
    );
}

/**
 * The privacy options of the flags, checked against the run (`rounds`, and `aggregator` when a
 * flag sets one): a bad combination is a UsageError with a one-line reason.
 */
export function privacyFromFlags(
  f: PrivacyFlags,
  run: { rounds?: number | undefined; aggregator?: string | undefined },
): PrivacyOptions | undefined {
  const dpOnly = (
    [
      ['--dp-noise', f.dpNoise],
      ['--dp-epsilon', f.dpEpsilon],
      ['--dp-delta', f.dpDelta],
      ['--dp-max-epsilon', f.dpMaxEpsilon],
    ] as const
  ).filter(([, v]) => v !== undefined);
  if (f.dpClip === undefined && dpOnly.length > 0)
    throw new UsageError(`${dpOnly[0]?.[0]} needs --dp-clip C (the L2 norm updates are clipped to)`);
  const o: PrivacyOptions = {
    ...(f.secureAgg === true ? { secureAgg: true } : {}),
    ...(f.fingerprintNoise !== undefined ? { fingerprintNoise: f.fingerprintNoise } : {}),
    ...(f.dpClip !== undefined
      ? {
          dp: {
            clip: f.dpClip,
            ...(f.dpNoise !== undefined ? { noise: f.dpNoise } : {}),
            ...(f.dpEpsilon !== undefined ? { epsilon: f.dpEpsilon } : {}),
            ...(f.dpDelta !== undefined ? { delta: f.dpDelta } : {}),
            ...(f.dpMaxEpsilon !== undefined ? { maxEpsilon: f.dpMaxEpsilon } : {}),
          },
        }
      : {}),
  };
  if (Object.keys(o).length === 0) return undefined;
  try {
    resolvePrivacy(o, run);
  } catch (err) {
    if (err instanceof PrivacyConfigError) throw new UsageError(err.message);
    throw err;
  }
  return o;
}

/** Adds the privacy flags `ppfm simulate` understands (the ppfm method applies them as peers do). */
export function registerSimulatePrivacyFlags(cmd: Command): Command {
  return cmd
    .option('--secure-agg', 'ppfm: members add their share of the DP noise and the head sees only the mean')
    .option('--dp-clip <C>', 'ppfm: clip every update to L2 norm C (differential privacy)', positive)
    .option('--dp-noise <SIGMA>', "ppfm: DP noise multiplier on the round's release", nonNegative)
    .option('--dp-epsilon <E>', 'ppfm: calibrate the noise to epsilon E over --rounds', positive)
    .option('--dp-delta <D>', 'delta of the reported epsilon (default 1e-5)', positive)
    .option(
      '--fingerprint-noise <S>',
      "noise every peer's fingerprint by S sampling standard errors",
      nonNegative,
    );
}

/** The simulator's privacy options from the flags (a UsageError naming the flag when they do not hold). */
export function simulatePrivacyFromFlags(
  f: PrivacyFlags,
  rounds: number,
): {
  privacy?: { clip: number; sigma: number; delta: number; secureAgg: boolean };
  fingerprintNoise?: number;
} {
  const o = privacyFromFlags({ ...f, dpMaxEpsilon: undefined }, { rounds });
  if (o === undefined) return {};
  const r = resolvePrivacy(o, { rounds });
  return {
    ...(r.dp
      ? { privacy: { clip: r.dp.clip, sigma: r.dp.sigma, delta: r.dp.delta, secureAgg: r.secureAgg } }
      : {}),
    ...(r.fingerprintNoise > 0 ? { fingerprintNoise: r.fingerprintNoise } : {}),
  };
}
