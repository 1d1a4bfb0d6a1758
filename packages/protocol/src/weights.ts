import { createHash } from 'node:crypto';

/** One named tensor, row-major. */
export interface NamedTensor {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** An ordered set of named tensors: a model's weights or a weight difference. */
export type WeightSet = NamedTensor[];

/** Names and shapes only: what a spec hash covers. */
export interface TensorSpec {
  name: string;
  shape: number[];
}

// Tensor names as produced by @ppfm/meta: "dense_0/kernel", "conv2d_1/bias"...
const TENSOR_NAME_RE = /^[A-Za-z0-9_.:/-]+$/;

/** True when `name` is a valid tensor name (ASCII [A-Za-z0-9_.:/-], 1..maxLength). */
export function isTensorName(name: string, maxLength = 128): boolean {
  return name.length > 0 && name.length <= maxLength && TENSOR_NAME_RE.test(name);
}

/**
 * Stable sha256 hex digest of the tensors' names and shapes, in order. Two WeightSets with the
 * same hash can be added element-wise; values do not enter the hash.
 */
export function specHash(ws: readonly TensorSpec[]): string {
  const canonical = JSON.stringify(ws.map((t) => [t.name, t.shape]));
  return createHash('sha256').update(canonical).digest('hex');
}
