import { createRng } from './rng.js';
import type { Dataset } from './types.js';

/** Summary statistics of a peer's local data, published to the network for clustering. */
export interface Fingerprint {
  sampleCount: number;
  inputShape: number[];
  numClasses: number;
  /** Fraction of samples per class (sums to 1). */
  labelHist: number[];
  /** Per-dimension mean of the fixed random projection of the inputs. */
  projMean: number[];
  /** Per-dimension standard deviation of the projection. */
  projStd: number[];
  /** Per class: mean projection of that class's samples ([] when the class is absent). */
  classMeans: number[][];
  /**
   * Per input feature: mean and (population) standard deviation, float32-rounded as on the wire; the
   * cluster's input scaler pools them (ppfm/scaler.ts). Above MAX_FEATURE_MOMENTS features both hold
   * one value, the mean/std over all features; [] when unknown (an older peer).
   */
  featureMean: number[];
  featureStd: number[];
}

/** Largest input size with per-feature moments in the fingerprint (the wire's limit). */
export const MAX_FEATURE_MOMENTS = 65_536;

/** Options of computeFingerprint; every peer must use the same ones for fingerprints to be comparable. */
export interface FingerprintOptions {
  /** Projection dimensions (default 16). */
  dims?: number;
  /** Seed of the projection matrix (default PROJECTION_SEED). */
  seed?: number;
}

/** The fixed seed of the shared projection, so that every peer projects onto the same directions. */
export const PROJECTION_SEED = 0x5eed;
/** Default number of projection dimensions. */
export const DEFAULT_PROJECTION_DIMS = 16;

const projections = new Map<string, Float32Array>();

/** The dims x inputDim Gaussian projection matrix (entries N(0, 1/inputDim)), cached. */
function projectionMatrix(inputDim: number, dims: number, seed: number): Float32Array {
  const key = `${inputDim}:${dims}:${seed}`;
  let m = projections.get(key);
  if (!m) {
    const rng = createRng(seed);
    m = new Float32Array(inputDim * dims);
    const s = 1 / Math.sqrt(inputDim);
    for (let i = 0; i < m.length; i++) m[i] = rng.normal() * s;
    projections.set(key, m);
  }
  return m;
}

/**
 * Per-feature mean and std of the inputs (two passes, float64), or one global pair above
 * MAX_FEATURE_MOMENTS features; rounded to float32 so that a peer's own copy equals what others decode.
 */
export function featureMoments(ds: Dataset): { featureMean: number[]; featureStd: number[] } {
  const full = ds.inputShape.reduce((a, b) => a * b, 1);
  const n = ds.y.length;
  if (n === 0) return { featureMean: [], featureStd: [] };
  const d = full > MAX_FEATURE_MOMENTS ? 1 : full;
  const mean = new Float64Array(d);
  for (let i = 0; i < ds.x.length; i += full)
    for (let j = 0; j < full; j++) mean[d === 1 ? 0 : j]! += ds.x[i + j]!;
  const per = d === 1 ? n * full : n;
  for (let j = 0; j < d; j++) mean[j]! /= per;
  const ss = new Float64Array(d);
  for (let i = 0; i < ds.x.length; i += full)
    for (let j = 0; j < full; j++) {
      const k = d === 1 ? 0 : j;
      const dev = ds.x[i + j]! - mean[k]!;
      ss[k]! += dev * dev;
    }
  return {
    featureMean: Array.from(mean, (m) => Math.fround(m)),
    featureStd: Array.from(ss, (s) => Math.fround(Math.sqrt(s / per))),
  };
}

/** Computes a dataset's fingerprint (deterministic: same data and options => same fingerprint). */
export function computeFingerprint(ds: Dataset, opts: FingerprintOptions = {}): Fingerprint {
  const dims = opts.dims ?? DEFAULT_PROJECTION_DIMS;
  const inputDim = ds.inputShape.reduce((a, b) => a * b, 1);
  const proj = projectionMatrix(inputDim, dims, opts.seed ?? PROJECTION_SEED);
  const n = ds.y.length;
  const C = ds.numClasses;
  const sum = new Float64Array(dims);
  const sumSq = new Float64Array(dims);
  const classSum = new Float64Array(C * dims);
  const counts = new Float64Array(C);
  const p = new Float64Array(dims);
  for (let i = 0; i < n; i++) {
    const off = i * inputDim;
    for (let k = 0; k < dims; k++) {
      const row = k * inputDim;
      let s = 0;
      for (let j = 0; j < inputDim; j++) s += proj[row + j]! * ds.x[off + j]!;
      p[k] = s;
    }
    const c = ds.y[i]!;
    counts[c]! += 1;
    for (let k = 0; k < dims; k++) {
      sum[k]! += p[k]!;
      sumSq[k]! += p[k]! * p[k]!;
      classSum[c * dims + k]! += p[k]!;
    }
  }
  const projMean = Array.from(sum, (s) => (n > 0 ? s / n : 0));
  const projStd = Array.from(sumSq, (s, k) =>
    n > 0 ? Math.sqrt(Math.max(0, s / n - projMean[k]! ** 2)) : 0,
  );
  const classMeans: number[][] = [];
  for (let c = 0; c < C; c++) {
    const cnt = counts[c]!;
    classMeans.push(cnt > 0 ? Array.from(classSum.subarray(c * dims, (c + 1) * dims), (s) => s / cnt) : []);
  }
  return {
    sampleCount: n,
    inputShape: [...ds.inputShape],
    numClasses: C,
    labelHist: Array.from(counts, (c) => (n > 0 ? c / n : 0)),
    projMean,
    projStd,
    classMeans,
    ...featureMoments(ds),
  };
}

/** Relative weights of the distance terms. */
export interface DistanceWeights {
  /** Class-conditional means (sees label permutations and input transformations; blind to label skew). */
  classWeight: number;
  /** Marginal mean and spread of the projection. */
  marginalWeight: number;
  /** Total-variation distance of the label histograms (label skew). */
  histWeight: number;
}

/** Default weights: class-conditional structure dominates so that label skew alone does not split a task. */
export const DEFAULT_DISTANCE_WEIGHTS: DistanceWeights = {
  classWeight: 1,
  marginalWeight: 0.25,
  histWeight: 0,
};

/** Distance between fingerprints of incompatible tasks (different input shape or class count). */
export const INCOMPATIBLE_DISTANCE = 1e3;

/** Squared distance and the part of it expected from finite-sample noise alone. */
export interface DistanceParts {
  d2: number;
  noise2: number;
}

/** True when a fingerprint's arrays have consistent lengths and hold only finite numbers. */
export function isWellFormedFingerprint(fp: Fingerprint): boolean {
  const dims = fp.projMean.length;
  const finite = (xs: number[]): boolean => xs.every((v) => Number.isFinite(v));
  return (
    Number.isFinite(fp.sampleCount) &&
    fp.sampleCount >= 0 &&
    fp.labelHist.length === fp.numClasses &&
    fp.classMeans.length === fp.numClasses &&
    fp.projStd.length === dims &&
    finite(fp.labelHist) &&
    finite(fp.projMean) &&
    finite(fp.projStd) &&
    fp.classMeans.every((m) => (m.length === 0 || m.length === dims) && finite(m)) &&
    wellFormedMoments(fp)
  );
}

/** Moments are absent ([]), global (1) or per feature, equal in length, finite, std >= 0. */
function wellFormedMoments(fp: Fingerprint): boolean {
  const mean = fp.featureMean ?? [];
  const std = fp.featureStd ?? [];
  const features = fp.inputShape.reduce((a, b) => a * b, 1);
  const len = mean.length;
  return (
    len === std.length &&
    (len === 0 || len === 1 || len === features) &&
    mean.every((v) => Number.isFinite(v)) &&
    std.every((v) => Number.isFinite(v) && v >= 0)
  );
}

function compatible(a: Fingerprint, b: Fingerprint): boolean {
  return (
    isWellFormedFingerprint(a) &&
    isWellFormedFingerprint(b) &&
    a.numClasses === b.numClasses &&
    a.inputShape.length === b.inputShape.length &&
    a.inputShape.every((d, i) => d === b.inputShape[i]) &&
    a.projMean.length === b.projMean.length
  );
}

/**
 * Squared, scale-free distance between fingerprints (differences in units of the pooled projection std)
 * together with its expected value under "same distribution" from the sample counts: the clustering only
 * trusts separations well above that noise. Malformed or incompatible fingerprints are INCOMPATIBLE_DISTANCE
 * apart.
 */
export function fingerprintDistanceParts(
  a: Fingerprint,
  b: Fingerprint,
  w: DistanceWeights = DEFAULT_DISTANCE_WEIGHTS,
): DistanceParts {
  if (!compatible(a, b)) return { d2: INCOMPATIBLE_DISTANCE ** 2, noise2: 0 };
  const dims = a.projMean.length;
  const inv = new Float64Array(dims);
  for (let k = 0; k < dims; k++) {
    const v = (a.projStd[k]! ** 2 + b.projStd[k]! ** 2) / 2;
    inv[k] = v > 1e-12 ? 1 / v : 0;
  }
  const na = Math.max(1, a.sampleCount);
  const nb = Math.max(1, b.sampleCount);
  let d2 = 0;
  let noise2 = 0;
  let wsum = 0;
  // Marginal term: standardised mean difference plus log-ratio of spreads.
  let marg = 0;
  for (let k = 0; k < dims; k++) {
    marg += (a.projMean[k]! - b.projMean[k]!) ** 2 * inv[k]!;
    const sa = a.projStd[k]!;
    const sb = b.projStd[k]!;
    if (sa > 1e-9 && sb > 1e-9) marg += Math.log(sa / sb) ** 2;
  }
  const margNoise = 1.5 * (1 / na + 1 / nb); // mean term ~ 1/n, log-std term ~ 1/(2n)
  // Class term: inverse-variance weighted over classes present on both sides.
  let cls = 0;
  let clsW = 0;
  let shared = 0;
  for (let c = 0; c < a.numClasses; c++) {
    const ma = a.classMeans[c];
    const mb = b.classMeans[c];
    if (!ma || !mb || ma.length !== dims || mb.length !== dims) continue;
    const nac = a.labelHist[c]! * na;
    const nbc = b.labelHist[c]! * nb;
    if (nac < 1 || nbc < 1) continue;
    const wc = 1 / (1 / nac + 1 / nbc);
    let s = 0;
    for (let k = 0; k < dims; k++) s += (ma[k]! - mb[k]!) ** 2 * inv[k]!;
    cls += wc * (s / dims);
    clsW += wc;
    shared++;
  }
  if (shared > 0) {
    d2 += w.classWeight * (cls / clsW);
    noise2 += w.classWeight * (shared / clsW);
    wsum += w.classWeight;
  }
  d2 += w.marginalWeight * (marg / dims);
  noise2 += w.marginalWeight * margNoise;
  wsum += w.marginalWeight;
  if (w.histWeight > 0) {
    let tv = 0;
    for (let c = 0; c < a.numClasses; c++) tv += Math.abs(a.labelHist[c]! - b.labelHist[c]!);
    d2 += w.histWeight * (tv / 2) ** 2;
    noise2 += w.histWeight * (a.numClasses / 4) * (1 / na + 1 / nb);
    wsum += w.histWeight;
  }
  if (wsum === 0) return { d2: 0, noise2: 0 };
  // No class in common: different tasks, as far as fingerprints can tell.
  const disjoint = shared === 0 && w.classWeight > 0 ? 1 : 0;
  return { d2: d2 / wsum + disjoint, noise2: noise2 / wsum };
}

/** Scale-free distance between two fingerprints (0 for identical statistics). */
export function fingerprintDistance(a: Fingerprint, b: Fingerprint, w?: DistanceWeights): number {
  return Math.sqrt(fingerprintDistanceParts(a, b, w).d2);
}
