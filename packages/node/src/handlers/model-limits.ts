// What a model or update of this peer's spec can legitimately weigh on the wire: direct streams
// are capped at that, so a hostile peer cannot make us read (and allocate) more.
import type { WeightSet } from '@ppfm/meta';

/** Upper bound of an encoded model/update envelope of `like`'s tensors in the widest codec (float32). */
export function maxEnvelopeBytes(like: WeightSet): number {
  let bytes = 4096; // frame, ids, spec hash, codec header, CRC
  for (const t of like) bytes += t.values.length * 4 + t.name.length + 16 + 8 * t.shape.length;
  return bytes;
}
