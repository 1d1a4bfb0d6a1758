// The Gaussian mechanism on a member's model difference: clip to L2 norm C (so one member's
// contribution to a sum has sensitivity C) and add N(0, sigma^2 C^2) to every coordinate. Under
// secure aggregation each member adds only its share of the noise (noiseShare), so that the sum
// the head decodes carries the full amount while no single update is noised enough on its own.
import type { Rng } from '../rng.js';
import type { WeightSet } from '../types.js';

/** Anything that draws standard normals: a seeded Rng in tests, secureNormals() in a deployment. */
export type NormalSource = Pick<Rng, 'normal'>;

/** Options of clipAndNoise. */
export interface ClipNoiseOptions {
  /** L2 clipping norm C (> 0). */
  clip: number;
  /** Noise multiplier: per-coordinate noise std is sigma * clip (>= 0; 0 clips only). */
  sigma: number;
  rng: NormalSource;
}

/** Result of clipAndNoise. */
export interface ClipNoiseResult {
  /** The clipped and noised difference (a new WeightSet; the input is not modified). */
  delta: WeightSet;
  /** L2 norm of the input before clipping (for logs: how often clipping bites). */
  norm: number;
  /** True when the input was scaled down to norm C. */
  clipped: boolean;
}

/** Clips `delta` to L2 norm `clip` and adds N(0, (sigma clip)^2) to every coordinate. */
export function clipAndNoise(delta: WeightSet, opts: ClipNoiseOptions): ClipNoiseResult {
  const { clip, sigma, rng } = opts;
  if (!(clip > 0) || !Number.isFinite(clip))
    throw new RangeError(`clip must be a finite number > 0, got ${clip}`);
  if (!(sigma >= 0) || !Number.isFinite(sigma))
    throw new RangeError(`sigma must be finite and >= 0, got ${sigma}`);
  let sq = 0;
  for (const t of delta) {
    for (let i = 0; i < t.values.length; i++) {
      const v = t.values[i] as number;
      if (!Number.isFinite(v)) throw new RangeError(`delta ${t.name}[${i}] is not finite`);
      sq += v * v;
    }
  }
  const norm = Math.sqrt(sq);
  const factor = norm > clip ? clip / norm : 1;
  const std = sigma * clip;
  const out = delta.map((t) => {
    const values = new Float32Array(t.values.length);
    for (let i = 0; i < values.length; i++) {
      values[i] = (t.values[i] as number) * factor + (std > 0 ? rng.normal(0, std) : 0);
    }
    return { name: t.name, shape: [...t.shape], values };
  });
  return { delta: out, norm, clipped: factor < 1 };
}

/**
 * Per-member noise multiplier factor when n members' noise is summed: each adds sigma / sqrt(n), so
 * the sum has noise std sigma C. Use n = the secure-aggregation threshold t (the fewest members a
 * completed round can have) so that any completed round carries at least the full noise.
 */
export function noiseShare(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`noiseShare needs an integer n >= 1, got ${n}`);
  return 1 / Math.sqrt(n);
}

/**
 * Standard normals from the platform CSPRNG (crypto.getRandomValues, 53-bit uniforms, Box-Muller).
 * A seeded PRNG must not feed DP noise in deployment: whoever guesses its seed removes the noise.
 */
export function secureNormals(): NormalSource {
  const buf = new Uint32Array(1024);
  let at = buf.length;
  const u32 = (): number => {
    if (at === buf.length) {
      globalThis.crypto.getRandomValues(buf);
      at = 0;
    }
    return buf[at++] as number;
  };
  // Uniform in (0, 1]: log() stays finite.
  const uniform = (): number => ((u32() >>> 5) * 67108864 + (u32() >>> 6) + 1) / 9007199254740992;
  let spare: number | undefined;
  return {
    normal(mean = 0, std = 1): number {
      if (spare !== undefined) {
        const s = spare;
        spare = undefined;
        return mean + std * s;
      }
      const r = Math.sqrt(-2 * Math.log(uniform()));
      const th = 2 * Math.PI * uniform();
      spare = r * Math.sin(th);
      return mean + std * r * Math.cos(th);
    },
  };
}
