// What a model or update of this peer's spec can legitimately weigh on the wire: direct streams
// are capped at that (the protocol's frame bounds for the exact tensor names and shapes, in the
// widest codec), so a hostile peer cannot make us read, or allocate, more.
import type { WeightSet } from '@ppfm/meta';
import { directFrameBounds, maxFrameBytes, modelSignature, type FrameBounds } from '@ppfm/protocol';

/** Upper bound of any model or update frame of `like`'s tensors (float32, the widest codec). */
export function maxEnvelopeBytes(like: WeightSet): number {
  const sig = modelSignature(like, 'float32');
  return Math.max(maxFrameBytes('update_push', sig), maxFrameBytes('model_fetch', sig));
}

/** Request and reply caps of the model-fetch and update-push protocols for `like`'s spec. */
export function directCaps(like: WeightSet): { fetch: FrameBounds; push: FrameBounds } {
  const sig = modelSignature(like, 'float32');
  return { fetch: directFrameBounds('model_fetch', sig), push: directFrameBounds('update_push', sig) };
}
