// Noise on a published data fingerprint. Every statistic gets Gaussian noise of `scale` times its
// own sampling standard error, so the published fingerprint is as uncertain as one computed from
// n / (1 + scale^2) samples; it says so by publishing that effective sample count, which keeps the
// clustering's noise model (fingerprintDistanceParts: noise ~ 1/n) calibrated instead of letting it
// mistake added noise for separation.
//
// Fields and the per-record influence the noise covers:
//   labelHist  via the class counts c_k: one record moves one count by 1; noise std scale sqrt(c_k + 1)
//              (>= scale, so absent classes are not certified absent).
//   sampleCount the noised counts' sum over (1 + scale^2).
//   projMean_k one record moves it by |p - mean| / n, typically ~ projStd / n; noise std scale projStd / sqrt(n).
//   projStd_k  multiplied by exp(N(0, scale^2 / (2n))) (the log-std's standard error is 1 / sqrt(2n)).
//   featureMean/featureStd (the cluster's input scaler) as projMean/projStd, per input feature.
//   classMeans one record moves its class's row by ~ projStd / c_k; noise std scale projStd_k / sqrt(c_k).
//              Rows of absent classes stay [] (a class with no sample has no row to publish).
// Not covered: records far outside the bulk (outliers move a mean by more than a few std / n) and the
// inputShape / numClasses of the task, which peers must share to cooperate. This is noise for
// plausible deniability calibrated to sampling error, not a differential-privacy guarantee: the moments
// have no bounded sensitivity without bounded inputs. Noise the fingerprint once per dataset and
// republish the same noised copy: fresh noise on every publication would average out.
import type { Fingerprint } from '../fingerprint.js';
import type { NormalSource } from './clip-noise.js';

/** Returns a noised copy of `fp` (scale = noise in sampling standard errors; 0 copies exactly). */
export function noiseFingerprint(fp: Fingerprint, scale: number, rng: NormalSource): Fingerprint {
  if (!(scale >= 0) || !Number.isFinite(scale))
    throw new RangeError(`fingerprint noise scale must be finite and >= 0, got ${scale}`);
  const n = fp.sampleCount;
  const counts = fp.labelHist.map((h) => h * n);
  if (scale === 0) return structuredClone(fp);
  const noisy = counts.map((c) => Math.max(0, c + rng.normal(0, scale * Math.sqrt(c + 1))));
  const total = noisy.reduce((a, b) => a + b, 0);
  const dims = fp.projMean.length;
  const se = (std: number, count: number) => (count > 0 ? (scale * std) / Math.sqrt(count) : 0);
  const projMean = fp.projMean.map((m, k) => m + rng.normal(0, se(fp.projStd[k] ?? 0, n)));
  const projStd = fp.projStd.map((s) => s * Math.exp(rng.normal(0, n > 0 ? scale / Math.sqrt(2 * n) : 0)));
  const classMeans = fp.classMeans.map((row, c) =>
    row.length === 0
      ? []
      : row.map((m, k) => m + rng.normal(0, se(fp.projStd[k % dims] ?? 0, counts[c] ?? 0))),
  );
  const logStdNoise = (): number => rng.normal(0, n > 0 ? scale / Math.sqrt(2 * n) : 0);
  const featureMean = fp.featureMean.map((m, j) =>
    Math.fround(m + rng.normal(0, se(fp.featureStd[j] ?? 0, n))),
  );
  const featureStd = fp.featureStd.map((sd) => Math.fround(sd * Math.exp(logStdNoise())));
  return {
    sampleCount: Math.round(total / (1 + scale * scale)),
    featureMean,
    featureStd,
    inputShape: [...fp.inputShape],
    numClasses: fp.numClasses,
    labelHist: noisy.map((c) => (total > 0 ? c / total : 0)),
    projMean,
    projStd,
    classMeans,
  };
}
