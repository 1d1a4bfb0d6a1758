// Crafting invalid wire bytes for rejection tests: valid encodings with one float patched to
// NaN (weights blobs get their CRC fixed, so the only fault is the non-finite value).
import { crc32 } from '@ppfm/protocol';

/** The float32 every crafted message carries in place of the value to corrupt. */
export const SENTINEL = 1234.5;

function indexOf(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i <= hay.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** Replaces the little-endian float32 SENTINEL in `bytes` by NaN and re-checksums any weights blob. */
export function poison(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  const pat = new Uint8Array(new Float32Array([SENTINEL]).buffer);
  const at = indexOf(out, pat);
  if (at < 0) throw new Error('sentinel not found');
  new DataView(out.buffer).setFloat32(at, NaN, true);
  const magic = Uint8Array.of(0x50, 0x50, 0x46, 0x57);
  const blob = indexOf(out, magic);
  if (blob >= 0 && blob < at) {
    // The weights blob runs to the end of the frame (it is the last field of every envelope).
    const b = out.subarray(blob);
    new DataView(b.buffer, b.byteOffset).setUint32(12, crc32(b.subarray(16)), true);
  }
  return out;
}
