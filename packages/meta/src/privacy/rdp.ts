// Rényi differential privacy of the Gaussian mechanism and its conversion to (epsilon, delta).
//
// - Gaussian mechanism, L2 sensitivity C, noise N(0, sigma^2 C^2): RDP eps(alpha) = alpha / (2 sigma^2)
//   (Mironov 2017, Prop. 7); composition over rounds adds RDP at each order.
// - Poisson-subsampled Gaussian (rate q), integer orders only: eps(alpha) = log(A_alpha) / (alpha - 1),
//   A_alpha = sum_k C(alpha, k) (1-q)^(alpha-k) q^k exp((k^2 - k) / (2 sigma^2)) (Mironov, Talwar & Zhang
//   2019, Sec. 3.3; the same sum as TensorFlow Privacy / dp_accounting's _compute_log_a_int).
// - Conversion to (epsilon, delta): eps = rdp + log(1 - 1/alpha) - (log delta + log alpha) / (alpha - 1),
//   minimised over alpha: Canonne, Kamath & Steinke 2020, Prop. 12 (the same bound is Balle et al. 2020,
//   Thm. 21; dp_accounting and Opacus use it). It is never worse than Mironov's eps = rdp + log(1/delta)/(alpha-1).

/** RDP of one Gaussian release with noise multiplier sigma at order alpha > 1. */
export function gaussianRdp(sigma: number, alpha: number): number {
  if (!(sigma > 0)) return Infinity;
  return alpha / (2 * sigma * sigma);
}

function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  return m + Math.log1p(Math.exp(-Math.abs(a - b)));
}

/** RDP of one Poisson-subsampled Gaussian release (rate q) at an integer order alpha >= 2. */
export function sampledGaussianRdp(q: number, sigma: number, alpha: number): number {
  if (!Number.isInteger(alpha) || alpha < 2)
    throw new RangeError(`subsampled RDP needs an integer order >= 2, got ${alpha}`);
  if (!(q >= 0 && q <= 1)) throw new RangeError(`sample rate must be in [0, 1], got ${q}`);
  if (q === 0) return 0;
  if (!(sigma > 0)) return Infinity;
  if (q === 1) return gaussianRdp(sigma, alpha);
  const lq = Math.log(q);
  const l1q = Math.log1p(-q);
  let logBinom = 0; // log C(alpha, k), updated incrementally
  let logA = -Infinity;
  for (let k = 0; k <= alpha; k++) {
    if (k > 0) logBinom += Math.log(alpha - k + 1) - Math.log(k);
    logA = logAdd(logA, logBinom + k * lq + (alpha - k) * l1q + (k * k - k) / (2 * sigma * sigma));
  }
  return logA / (alpha - 1);
}

/** (epsilon, delta) of an RDP guarantee eps(alpha) = rdp at one order alpha > 1 (CKS 2020, Prop. 12). */
export function rdpOrderToEpsilon(alpha: number, rdp: number, delta: number): number {
  if (!(delta > 0 && delta < 1)) throw new RangeError(`delta must be in (0, 1), got ${delta}`);
  if (rdp < 0 || Number.isNaN(rdp)) throw new RangeError(`RDP must be >= 0, got ${rdp}`);
  if (rdp === Infinity) return Infinity;
  // Small RDP bounds the KL divergence, hence delta <= sqrt(1 - exp(-KL)): epsilon 0 suffices.
  if (delta * delta + Math.expm1(-rdp) > 0) return 0;
  if (!(alpha > 1.01)) return Infinity; // the bound is unstable as alpha -> 1 and useless there
  const eps = rdp + Math.log1p(-1 / alpha) - (Math.log(delta) + Math.log(alpha)) / (alpha - 1);
  return Math.max(0, eps);
}

/** Best (epsilon, order) over a set of orders and their RDP values (like dp_accounting's compute_epsilon). */
export function rdpToEpsilon(
  orders: readonly number[],
  rdp: readonly number[],
  delta: number,
): { epsilon: number; order: number } {
  if (orders.length !== rdp.length || orders.length === 0)
    throw new RangeError('orders and rdp must be non-empty and of equal length');
  let best = { epsilon: Infinity, order: orders[0] as number };
  orders.forEach((a, i) => {
    const e = rdpOrderToEpsilon(a, rdp[i] as number, delta);
    if (e < best.epsilon) best = { epsilon: e, order: a };
  });
  return best;
}

/**
 * Epsilon at delta of an RDP curve rho * alpha (composed Gaussian releases, rho = sum 1/(2 sigma_i^2)),
 * minimised over every real order alpha > 1: a log-spaced scan, then golden-section refinement.
 */
export function linearRdpToEpsilon(rho: number, delta: number): { epsilon: number; order: number } {
  if (rho === 0) return { epsilon: 0, order: Infinity };
  if (!(rho > 0) || rho === Infinity) return { epsilon: Infinity, order: 1 };
  const f = (x: number): number => {
    const a = 1 + Math.exp(x);
    return rdpOrderToEpsilon(a, rho * a, delta);
  };
  // x = log(alpha - 1) from alpha = 1.01 to 1 + e^14; f is unimodal in x.
  const lo = Math.log(0.0100001);
  const step = 0.05;
  let bestX = lo;
  let bestF = f(lo);
  for (let x = lo + step; x <= 14; x += step) {
    const v = f(x);
    if (v < bestF) [bestX, bestF] = [x, v];
  }
  let a = Math.max(lo, bestX - step);
  let b = bestX + step;
  const g = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 80; i++) {
    const c = b - g * (b - a);
    const d = a + g * (b - a);
    if (f(c) <= f(d)) b = d;
    else a = c;
  }
  const x = (a + b) / 2;
  const fx = f(x);
  return fx <= bestF
    ? { epsilon: fx, order: 1 + Math.exp(x) }
    : { epsilon: bestF, order: 1 + Math.exp(bestX) };
}

/** Integer orders used when any release is subsampled (2..256, then powers of two to 4096). */
export const INTEGER_ORDERS: readonly number[] = Object.freeze([
  ...Array.from({ length: 255 }, (_, i) => i + 2),
  512,
  1024,
  2048,
  4096,
]);
