// Secure-aggregation arithmetic: parameters and fixed-point encoding in the ring Z_2^32, ring
// operations on Uint32Array, and mask expansion (HKDF-SHA256 -> AES-128-CTR keystream).
//
// Why Z_2^32 is enough: a member encodes q = round(2^f * (w / M) * clip(x, B)) with weight w capped at
// M, so |q| <= ceil(B * 2^f) and the sum of n members stays below 2^31 when n * ceil(B * 2^f) < 2^31;
// secAggParams picks the largest such f. For n = 16, B = 4 that is f = 24: the weighted mean is off by
// at most ~2^-25 (1 + B) when every weight is at its cap (see meanErrorBound), far below float32's own
// resolution of typical updates, so Z_2^64 would double the bytes for nothing.
import { createCipheriv, hkdfSync } from 'node:crypto';
import type { SecAggConfig, SecAggParams } from './types.js';

/** Default per-coordinate clip B: model differences of a round are far below it. */
export const DEFAULT_SECAGG_CLIP = 4;
/** Most members a round may have (the Shamir library works in GF(2^8): at most 255 shares). */
export const MAX_SECAGG_MEMBERS = 255;
/** Most update coordinates a round may carry (same as DEFAULT_LIMITS.maxTotalElements). */
export const MAX_SECAGG_LENGTH = 16 * 1024 * 1024;
/** Fewest fraction bits accepted; below this the encoding is too coarse to be useful. */
export const MIN_FRAC_BITS = 8;
const RING_MAX_SUM = 2 ** 31 - 1;

/**
 * Default Shamir threshold t = floor(2n/3) + 1. An honest member answers one unmask request, for a
 * survivor list of >= t members, revealing per peer a seed share or a mask-key share, never both; a
 * head with c colluders then can rebuild neither a member's seed and mask key (2(t - c) > n - c) nor
 * all the other mask keys when c < 2t - n, i.e. c < (n + 2)/3 here (Bonawitz et al. 2017's
 * active-adversary threshold t > 2n/3). It also tolerates about n/3 dropouts. See docs/privacy.md.
 */
export function defaultThreshold(n: number): number {
  return Math.floor((2 * n) / 3) + 1;
}

/** Largest f in [0, 30] with n * ceil(max(B, 1) * 2^f) <= 2^31 - 1, or -1 when none fits. */
export function chooseFracBits(n: number, clip: number): number {
  const b = Math.max(clip, 1); // the weight coordinate itself reaches 2^f
  for (let f = 30; f >= 0; f--) {
    if (n * Math.ceil(b * 2 ** f) <= RING_MAX_SUM) return f;
  }
  return -1;
}

/** Resolves a round's parameters for n members; throws RangeError naming the bad setting. */
export function secAggParams(n: number, config: SecAggConfig): SecAggParams {
  if (!Number.isInteger(n) || n < 2 || n > MAX_SECAGG_MEMBERS)
    throw new RangeError(`secure aggregation needs 2..${MAX_SECAGG_MEMBERS} members, got ${n}`);
  const { length } = config;
  if (!Number.isInteger(length) || length < 1 || length > MAX_SECAGG_LENGTH)
    throw new RangeError(`secagg length must be an integer in 1..${MAX_SECAGG_LENGTH}, got ${length}`);
  const clip = config.clip ?? DEFAULT_SECAGG_CLIP;
  if (!Number.isFinite(clip) || clip <= 0) throw new RangeError(`secagg clip must be > 0, got ${clip}`);
  const maxWeight = config.maxWeight ?? 1;
  if (!Number.isFinite(maxWeight) || maxWeight <= 0)
    throw new RangeError(`secagg maxWeight must be > 0, got ${maxWeight}`);
  const threshold = config.threshold ?? defaultThreshold(n);
  if (!Number.isInteger(threshold) || threshold < 2 || threshold > n)
    throw new RangeError(`secagg threshold must be an integer in 2..${n}, got ${threshold}`);
  const fracBits = chooseFracBits(n, clip);
  if (fracBits < MIN_FRAC_BITS)
    throw new RangeError(`secagg clip ${clip} with ${n} members leaves ${fracBits} fraction bits (< 8)`);
  return { n, threshold, length, clip, maxWeight, fracBits };
}

/**
 * Encodes clip(update, B) scaled by min(weight, M) / M as signed fixed point with 2^fracBits in
 * Z_2^32, plus the scaled weight as a last element. Throws RangeError on NaN or a bad weight.
 */
export function encodeFixedPoint(update: Float32Array, weight: number, p: SecAggParams): Uint32Array {
  if (update.length !== p.length)
    throw new RangeError(`update has ${update.length} values, the round expects ${p.length}`);
  if (!Number.isFinite(weight) || weight < 0) throw new RangeError(`weight must be >= 0, got ${weight}`);
  const rel = Math.min(weight, p.maxWeight) / p.maxWeight;
  const scale = 2 ** p.fracBits;
  const k = rel * scale;
  const out = new Uint32Array(p.length + 1);
  const b = p.clip;
  for (let i = 0; i < update.length; i++) {
    const x = update[i] as number;
    if (x !== x) throw new RangeError(`update[${i}] is NaN`);
    // Uint32Array stores ToUint32(v): negative integers land on their two's complement.
    out[i] = Math.round((x > b ? b : x < -b ? -b : x) * k);
  }
  out[p.length] = Math.round(k);
  return out;
}

/** Decodes a ring sum (two's complement) back to float units: sum of w x, and sum of w. */
export function decodeFixedPoint(
  sum: Uint32Array,
  p: SecAggParams,
): { weightedSum: Float32Array; weightSum: number } {
  const unit = p.maxWeight / 2 ** p.fracBits;
  const weightedSum = new Float32Array(p.length);
  for (let i = 0; i < p.length; i++) weightedSum[i] = ((sum[i] as number) | 0) * unit;
  return { weightedSum, weightSum: ((sum[p.length] as number) | 0) * unit };
}

/** Bound on |decoded - exact| per coordinate of the weighted sum, and of the weight sum, for k contributors. */
export function sumErrorBound(p: SecAggParams, contributors: number): number {
  return (contributors * p.maxWeight) / 2 ** (p.fracBits + 1);
}

/**
 * Bound on |decoded mean - exact weighted mean| per coordinate for k contributors whose weights sum to
 * weightSum (exact mean of the clipped updates): e (1 + B) / (weightSum - e), e = sumErrorBound. The
 * float32 rounding of the result (relative 2^-24) comes on top.
 */
export function meanErrorBound(p: SecAggParams, contributors: number, weightSum: number): number {
  const e = sumErrorBound(p, contributors);
  return weightSum > e ? (e * (1 + p.clip)) / (weightSum - e) : Infinity;
}

/** acc += v in Z_2^32, in place. */
export function ringAddInto(acc: Uint32Array, v: Uint32Array): void {
  for (let i = 0; i < acc.length; i++) acc[i] = (acc[i] as number) + (v[i] as number);
}

/** acc -= v in Z_2^32, in place. */
export function ringSubInto(acc: Uint32Array, v: Uint32Array): void {
  for (let i = 0; i < acc.length; i++) acc[i] = (acc[i] as number) - (v[i] as number);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Copies bytes (little-endian u32s, length a multiple of 4) into a fresh Uint32Array. */
export function u32FromBytesLE(bytes: Uint8Array): Uint32Array {
  const out = new Uint32Array(bytes.length >>> 2);
  new Uint8Array(out.buffer).set(bytes.subarray(0, out.length * 4));
  if (!LITTLE_ENDIAN) swap32(out);
  return out;
}

/** Serialises u32s as little-endian bytes (a copy). */
export function u32ToBytesLE(v: Uint32Array): Uint8Array {
  const copy = v.slice();
  if (!LITTLE_ENDIAN) swap32(copy);
  return new Uint8Array(copy.buffer);
}

function swap32(v: Uint32Array): void {
  for (let i = 0; i < v.length; i++) {
    const x = v[i] as number;
    v[i] = ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
  }
}

/**
 * The PRG: `count` uniform u32s from a 32-byte seed. HKDF-SHA256(seed, salt, info) gives an AES-128
 * key and a 16-byte initial counter; the output is the AES-128-CTR keystream, read little-endian.
 * `salt` is the round context and `info` names the use (pair or self mask), so no keystream repeats.
 */
export function expandMask(seed: Uint8Array, salt: Uint8Array, info: Uint8Array, count: number): Uint32Array {
  const okm = new Uint8Array(hkdfSync('sha256', seed, salt, info, 32));
  const cipher = createCipheriv('aes-128-ctr', okm.subarray(0, 16), okm.subarray(16, 32));
  const stream = cipher.update(new Uint8Array(count * 4));
  return u32FromBytesLE(stream);
}

/** acc += sign * PRG(seed, salt, info) in Z_2^32, in place. */
export function applyMask(
  acc: Uint32Array,
  seed: Uint8Array,
  salt: Uint8Array,
  info: Uint8Array,
  sign: 1 | -1,
): void {
  const mask = expandMask(seed, salt, info, acc.length);
  if (sign === 1) ringAddInto(acc, mask);
  else ringSubInto(acc, mask);
}
