// IEEE 754 binary16 conversion. Encoding rounds to nearest, ties to even, produces
// subnormals below 2^-14 and clamps overflow to +-65504 (max finite): Inf/NaN are invalid
// on the PPFM wire, so a huge weight degrades to the largest representable one instead.
// Relative error for |x| in the normal range [2^-14, 65504] is at most 2^-11; below it the
// absolute error is at most 2^-25 (half a subnormal step).

/** Largest finite float16 value. */
export const FLOAT16_MAX = 65504;

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** float32 bits (as uint32) -> float16 bits, RNE, overflow clamped to max finite. Input must be finite. */
export function f32BitsToF16(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const abs = x & 0x7fffffff;
  let h: number;
  if (abs >= 0x47800000) {
    // >= 65536 (or Inf/NaN, which callers have already rejected): clamp.
    h = 0x7bff;
  } else if (abs < 0x38800000) {
    // Result is subnormal or zero: value = m * 2^(e-150); half subnormal = k * 2^-24.
    const e = abs >>> 23;
    const m = e === 0 ? abs & 0x7fffff : (abs & 0x7fffff) | 0x800000;
    const shift = e === 0 ? 125 : 126 - e;
    if (shift > 24) {
      h = 0;
    } else {
      const k = m >>> shift;
      const rem = m & ((1 << shift) - 1);
      const half = 1 << (shift - 1);
      h = rem > half || (rem === half && (k & 1) === 1) ? k + 1 : k;
    }
  } else {
    // Normal: rebias exponent, add rounding bias (0xfff + lsb for ties-to-even), drop 13 bits.
    const odd = (abs >>> 13) & 1;
    h = (abs - 0x38000000 + 0xfff + odd) >>> 13;
    if (h >= 0x7c00) h = 0x7bff;
  }
  return sign | h;
}

/** Converts one JS number (rounded to float32 first) to float16 bits. */
export function toFloat16Bits(v: number): number {
  F32[0] = v;
  return f32BitsToF16(U32[0] as number);
}

let decodeTable: Float32Array | undefined;

/** 65536-entry float16 -> float32 table (256 KiB), built on first use; Inf/NaN patterns map to NaN. */
export function float16Table(): Float32Array {
  if (decodeTable !== undefined) return decodeTable;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) t[h] = float16BitsToNumber(h);
  decodeTable = t;
  return t;
}

/** Converts float16 bits to a number (exact); exponent 31 (Inf/NaN) yields NaN so callers reject it. */
export function float16BitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
