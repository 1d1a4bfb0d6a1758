/**
 * Seeded pseudo-random numbers. Every random choice in @ppfm/meta goes through an `Rng` so that a run
 * is reproducible from its seed. The generator is sfc32 (small fast counter, 128-bit state, passes
 * PractRand), seeded through a splitmix32 expansion of a 32-bit seed.
 */

/** A seeded random stream. */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Normal sample (Box-Muller), default mean 0 and std 1. */
  normal(mean?: number, std?: number): number;
  /** Fisher-Yates shuffle in place; returns the same array. */
  shuffle<A extends { length: number; [i: number]: unknown }>(arr: A): A;
  /** Gamma(shape, 1) sample (Marsaglia-Tsang), shape > 0. */
  gamma(shape: number): number;
}

/** Reduces any finite number (or bigint-sized integer) to a well-mixed uint32 seed. */
export function normaliseSeed(seed: number): number {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  // Split into two 32-bit halves so that seeds above 2^32 (and fractional ones) do not collide trivially.
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 4294967296) >>> 0;
  const frac = Math.floor((seed - Math.floor(seed)) * 4294967296) >>> 0;
  return mix32(mix32(lo ^ 0x9e3779b9) ^ mix32(hi + 0x85ebca6b) ^ mix32(frac + 0xc2b2ae35));
}

function mix32(x: number): number {
  // murmur3 fmix32 finaliser.
  x = x >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Derives an independent sub-stream seed from a seed and labels, e.g. `deriveSeed(seed, 'peer', 3)`. */
export function deriveSeed(seed: number, ...labels: (string | number)[]): number {
  let h = normaliseSeed(seed);
  for (const label of labels) {
    const s = typeof label === 'number' ? `#${label}` : `$${label}`;
    for (let i = 0; i < s.length; i++) {
      h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0; // FNV-1a step
    }
    h = mix32(h ^ 0x27d4eb2f);
  }
  return h >>> 0;
}

/** Creates a seeded random stream (sfc32). Same seed => same sequence on every platform. */
export function createRng(seed: number): Rng {
  // splitmix32 expands one 32-bit seed into the 4 words of sfc32 state.
  let sm = normaliseSeed(seed);
  const splitmix = (): number => {
    sm = (sm + 0x9e3779b9) | 0;
    let z = sm;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const nextU32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Discard a few outputs: sfc32 recommends warming up the state.
  for (let i = 0; i < 12; i++) nextU32();

  let spare: number | undefined;
  const next = (): number => nextU32() / 4294967296;
  const int = (n: number): number => {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`int(n) needs a positive integer, got ${n}`);
    return Math.floor(next() * n);
  };
  const normal = (mean = 0, std = 1): number => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return mean + std * s;
    }
    const u = 1 - next(); // (0, 1]: log(u) is finite
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  };
  const gamma = (shape: number): number => {
    if (!(shape > 0)) throw new RangeError(`gamma shape must be > 0, got ${shape}`);
    if (shape < 1) {
      // Boost: Gamma(a) = Gamma(a + 1) * U^(1/a).
      return gamma(shape + 1) * Math.pow(1 - next(), 1 / shape);
    }
    const dd = shape - 1 / 3;
    const cc = 1 / Math.sqrt(9 * dd);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = normal();
        v = 1 + cc * x;
      } while (v <= 0);
      v = v * v * v;
      const u = 1 - next();
      if (u < 1 - 0.0331 * x * x * x * x) return dd * v;
      if (Math.log(u) < 0.5 * x * x + dd * (1 - v + Math.log(v))) return dd * v;
    }
  };
  const shuffle = <A extends { length: number; [i: number]: unknown }>(arr: A): A => {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      const t = arr[i];
      arr[i] = arr[j];
      arr[j] = t;
    }
    return arr;
  };
  return { next, int, normal, shuffle, gamma };
}
