/**
 * Small functional networks on tfjs-core for the zero-shot models. Weights live in WeightSets; each call
 * makes its own tf.Variables from them and disposes them, so concurrent calls share no model and need no
 * lock (model.ts needs ModelLock because it caches one tfjs model per spec). Initialisation is seeded
 * and independent of tfjs's RNG, as in model.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
// For its side effect: tfjs-layers' bundle registers tfjs-core's gradient functions, which these models
// (tfjs-core ops only) need to train. Importing core's dist file directly would load a second core.
import '@tensorflow/tfjs-layers';
import type { Rng } from '../rng.js';
import type { NamedTensor, WeightSet } from '../types.js';

/** Named variables of one call. */
export type VarMap = Map<string, tf.Variable>;

/** Glorot-uniform kernel [inDim, outDim] and zero bias named `<prefix>/kernel`, `<prefix>/bias`. */
export function initDense(prefix: string, inDim: number, outDim: number, rng: Rng): NamedTensor[] {
  const limit = Math.sqrt(6 / (inDim + outDim));
  const kernel = new Float32Array(inDim * outDim);
  for (let i = 0; i < kernel.length; i++) kernel[i] = (rng.next() * 2 - 1) * limit;
  return [
    { name: `${prefix}/kernel`, shape: [inDim, outDim], values: kernel },
    { name: `${prefix}/bias`, shape: [outDim], values: new Float32Array(outDim) },
  ];
}

/** An MLP's weights: layers `<prefix>/<i>` of sizes dims[i] -> dims[i + 1]. */
export function initMlp(prefix: string, dims: number[], rng: Rng): WeightSet {
  const out: WeightSet = [];
  for (let i = 0; i + 1 < dims.length; i++)
    out.push(...initDense(`${prefix}/${i}`, dims[i]!, dims[i + 1]!, rng));
  return out;
}

/** Number of dense layers of an MLP in a VarMap or WeightSet. */
export function mlpDepth(names: Iterable<string>, prefix: string): number {
  let n = 0;
  for (const name of names) if (name.startsWith(`${prefix}/`) && name.endsWith('/kernel')) n++;
  return n;
}

/** Hidden-layer activation of the zero-shot MLPs. */
export type Act = 'relu' | 'leaky' | 'linear';

function activate(x: tf.Tensor2D, act: Act): tf.Tensor2D {
  if (act === 'relu') return tf.relu(x);
  if (act === 'leaky') return tf.leakyRelu(x, 0.2);
  return x;
}

/** Applies the MLP `<prefix>/0..depth-1`: `hidden` activation between layers, `last` after the last one. */
export function mlp(
  vars: ReadonlyMap<string, tf.Tensor>,
  prefix: string,
  x: tf.Tensor2D,
  hidden: Act,
  last: Act,
): tf.Tensor2D {
  const depth = mlpDepth(vars.keys(), prefix);
  let h = x;
  for (let i = 0; i < depth; i++) {
    const k = vars.get(`${prefix}/${i}/kernel`) as tf.Tensor2D | undefined;
    const b = vars.get(`${prefix}/${i}/bias`) as tf.Tensor1D | undefined;
    if (!k || !b) throw new Error(`zero-shot model: missing ${prefix}/${i}`);
    h = activate(tf.add(tf.matMul(h, k), b), i === depth - 1 ? last : hidden);
  }
  return h;
}

/** Constant tensors (no gradient) of a WeightSet; the caller disposes them. */
export function constants(ws: WeightSet): Map<string, tf.Tensor> {
  return new Map(ws.map((t) => [t.name, tf.tensor(t.values, t.shape, 'float32')]));
}

/** Variables made from a WeightSet; the caller disposes them (see disposeAll). */
export function variables(ws: WeightSet): VarMap {
  return new Map(
    ws.map((t) => {
      // tf.variable keeps its own handle on the data: the initial tensor must be disposed separately.
      const init = tf.tensor(t.values, t.shape, 'float32');
      const v = tf.variable(init, true);
      init.dispose();
      return [t.name, v];
    }),
  );
}

/** Reads variables back in the order of `like`. */
export function readBack(vars: VarMap, like: WeightSet): WeightSet {
  return like.map((t) => {
    const v = vars.get(t.name);
    if (!v) throw new Error(`zero-shot model: no variable ${t.name}`);
    return { name: t.name, shape: [...t.shape], values: new Float32Array(v.dataSync() as Float32Array) };
  });
}

/** Disposes every tensor of the maps. */
export function disposeAll(...maps: ReadonlyMap<string, tf.Tensor>[]): void {
  for (const m of maps) for (const t of m.values()) t.dispose();
}

/** The tensors of `ws` whose name starts with one of `prefixes`, in order. */
export function pick(ws: WeightSet, prefixes: readonly string[]): WeightSet {
  return ws.filter((t) => prefixes.some((p) => t.name.startsWith(`${p}/`)));
}

/** Runs `fn` with an Adam optimizer it may use, disposing the optimizer afterwards. */
export async function withAdam<T>(lr: number, fn: (opt: tf.Optimizer) => Promise<T>): Promise<T> {
  const opt = tf.train.adam(lr, 0.5, 0.999);
  try {
    return await fn(opt);
  } finally {
    opt.dispose();
  }
}
