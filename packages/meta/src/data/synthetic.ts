/** The FedProx Synthetic(alpha, beta) generator: one dataset per device, each with its own model. */
import { createRng, deriveSeed } from '../rng.js';
import type { Dataset } from './dataset.js';

/** Options of the Synthetic(alpha, beta) generator. */
export interface SyntheticOptions {
  /** Spread of the per-device model means u_k (std, as in FedProx's reference code). */
  alpha: number;
  /** Spread of the per-device input means B_k (std, as in FedProx's reference code). */
  beta: number;
  devices: number;
  seed: number;
  /** Median samples per device (log-normal, sigma 0.6), default 300; sizes are clamped to [min, max]. */
  medianSamples?: number;
  minSamples?: number;
  maxSamples?: number;
}

export const SYNTHETIC_FEATURES = 60;
export const SYNTHETIC_CLASSES = 10;

/**
 * Generates `devices` datasets following FedProx Synthetic(alpha, beta): per device k,
 * u_k ~ N(0, alpha), B_k ~ N(0, beta), W_k (60x10) and b_k ~ N(u_k, 1), v_k ~ N(B_k, 1) per feature,
 * x ~ N(v_k, diag(j^-1.2)) for j = 1..60, y = argmax(W_k^T x + b_k) (softmax is monotone).
 * Device k draws from its own sub-stream, so device k is the same whatever `devices` is.
 */
export function generateSynthetic(opts: SyntheticOptions): Dataset[] {
  const { alpha, beta, devices, seed } = opts;
  if (!(alpha >= 0) || !(beta >= 0))
    throw new RangeError(`synthetic alpha/beta must be >= 0, got ${alpha}, ${beta}`);
  if (!Number.isInteger(devices) || devices <= 0) throw new RangeError(`devices must be a positive integer`);
  const median = opts.medianSamples ?? 300;
  const minN = opts.minSamples ?? 100;
  const maxN = opts.maxSamples ?? 2000;
  const F = SYNTHETIC_FEATURES;
  const C = SYNTHETIC_CLASSES;
  const xStd = new Float64Array(F);
  for (let j = 0; j < F; j++) xStd[j] = Math.sqrt(Math.pow(j + 1, -1.2));
  const out: Dataset[] = [];
  for (let k = 0; k < devices; k++) {
    const rng = createRng(deriveSeed(seed, 'synthetic', alpha, beta, k));
    const n = Math.max(minN, Math.min(maxN, Math.round(Math.exp(rng.normal(Math.log(median), 0.6)))));
    const u = rng.normal(0, alpha);
    const B = rng.normal(0, beta);
    const W = new Float64Array(F * C); // row-major [feature][class]
    for (let i = 0; i < W.length; i++) W[i] = rng.normal(u, 1);
    const b = new Float64Array(C);
    for (let c = 0; c < C; c++) b[c] = rng.normal(u, 1);
    const v = new Float64Array(F);
    for (let j = 0; j < F; j++) v[j] = rng.normal(B, 1);
    const x = new Float32Array(n * F);
    const y = new Int32Array(n);
    const logits = new Float64Array(C);
    for (let i = 0; i < n; i++) {
      logits.set(b);
      for (let j = 0; j < F; j++) {
        const xj = rng.normal(v[j] as number, xStd[j] as number);
        x[i * F + j] = xj;
        for (let c = 0; c < C; c++) logits[c] = (logits[c] as number) + xj * (W[j * C + c] as number);
      }
      let best = 0;
      for (let c = 1; c < C; c++) if ((logits[c] as number) > (logits[best] as number)) best = c;
      y[i] = best;
    }
    out.push({ name: `synthetic(${alpha},${beta})/device-${k}`, inputShape: [F], numClasses: C, x, y });
  }
  return out;
}
