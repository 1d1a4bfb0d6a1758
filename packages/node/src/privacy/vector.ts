// Secure aggregation works on one flat vector: a WeightSet is laid out tensor after tensor in the
// order (names and shapes) of the model spec every member of the cluster shares.
import { weightSetsCompatible, type WeightSet } from '@ppfm/meta';

/** Concatenates `ws` in the order of `like`; throws when the names or shapes differ. */
export function flattenWeights(ws: WeightSet, like: WeightSet): Float32Array {
  if (!weightSetsCompatible(ws, like)) throw new Error('update tensors differ from the model spec');
  const out = new Float32Array(like.reduce((n, t) => n + t.values.length, 0));
  let at = 0;
  for (const t of ws) {
    out.set(t.values, at);
    at += t.values.length;
  }
  return out;
}

/** Splits a flat vector back into tensors named and shaped like `like`. */
export function unflattenWeights(values: Float32Array, like: WeightSet): WeightSet {
  const total = like.reduce((n, t) => n + t.values.length, 0);
  if (values.length !== total) throw new Error(`vector has ${values.length} values, the model ${total}`);
  let at = 0;
  return like.map((t) => {
    const v = values.slice(at, at + t.values.length);
    at += t.values.length;
    return { name: t.name, shape: [...t.shape], values: v };
  });
}

/** Number of coordinates of a flattened WeightSet. */
export function vectorLength(like: WeightSet): number {
  return like.reduce((n, t) => n + t.values.length, 0);
}
