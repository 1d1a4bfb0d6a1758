// The weights of model and update envelopes: one tensor-check path for both.
import { fail, ok, unwrapOrThrow, type Result } from '../errors.js';
import { checkSpecHash } from '../ids.js';
import type { Limits } from '../limits.js';
import { isFail } from '../wire/checks.js';
import { decodeWeightsBlob, type Codec } from '../weights-codec.js';
import { specHash, type WeightSet } from '../weights.js';

/** Extra checks a receiver can ask of a decoded model or update. */
export interface Expect {
  /** Reject (shape_mismatch) a model/update whose spec hash differs, before decoding its tensors. */
  specHash?: string;
}

/** Decodes an envelope's weights blob and checks it against the declared and the expected spec hash. */
export function checkTensors(
  declared: string,
  blob: Uint8Array,
  lim: Limits,
  expect: Expect | undefined,
  what: 'model' | 'update',
): Result<{ specHash: string; codec: Codec; weights: WeightSet }> {
  const pre = checkSpecHash(declared);
  if (isFail(pre)) return pre;
  // Cheap rejection before touching the tensors.
  if (expect?.specHash !== undefined && expect.specHash !== pre.value) {
    return fail('shape_mismatch', `${what} spec differs from the expected one`, 'specHash');
  }
  const w = decodeWeightsBlob(blob, lim);
  if (isFail(w)) return w;
  if (specHash(w.value.weights) !== pre.value) {
    return fail('shape_mismatch', 'declared spec hash does not match the tensors', 'specHash');
  }
  return ok({ specHash: pre.value, codec: w.value.codec, weights: w.value.weights });
}

/** Encoders refuse an envelope whose declared spec hash does not describe its tensors. */
export function assertSpecHash(m: { specHash: string; weights: WeightSet }): void {
  if (m.specHash !== specHash(m.weights)) {
    unwrapOrThrow(fail('shape_mismatch', 'specHash does not match the tensors', 'specHash'));
  }
}
