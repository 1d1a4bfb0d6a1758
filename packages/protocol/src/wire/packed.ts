// Packed float32 arrays. protons 7 writes `repeated float` one tag per value (5 bytes each);
// proto3 packs them (one tag and length, then 4 bytes per value). We declare such fields as
// `bytes` and fill them here: the bytes on the wire are exactly those of a packed repeated float.
import { fail, ok, type Result } from '../errors.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Encodes numbers as little-endian float32, back to back (the body of a packed repeated float). */
export function packFloats(values: readonly number[]): Uint8Array {
  const f = Float32Array.from(values);
  if (LITTLE_ENDIAN) return new Uint8Array(f.buffer);
  const out = new Uint8Array(4 * f.length);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < f.length; i++) dv.setFloat32(4 * i, f[i] as number, true);
  return out;
}

/**
 * Decodes a packed float32 field into numbers, checking its size before allocating anything:
 * at most `max` values, a whole number of them, every one finite (and >= 0 with `nonNegative`).
 */
export function unpackFloats(b: unknown, field: string, max: number, nonNegative = false): Result<number[]> {
  if (!(b instanceof Uint8Array)) return fail('malformed', 'not bytes', field);
  if (b.length % 4 !== 0) return fail('malformed', 'packed float32 length is not a multiple of 4', field);
  const n = b.length / 4;
  if (n > max) return fail('too_large', `more than ${max} values`, field);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const x = dv.getFloat32(4 * i, true);
    if (!Number.isFinite(x)) return fail('non_finite', 'NaN or Infinity', field);
    if (nonNegative && x < 0) return fail('bad_value', 'negative value', field);
    out[i] = x;
  }
  return ok(out);
}
