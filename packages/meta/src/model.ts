import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createRng } from './rng.js';
import {
  BN_DEFAULT_EPSILON,
  BN_DEFAULT_MOMENTUM,
  resolveLayers,
  weightSignature,
  type LayerSpec,
  type ModelSpec,
} from './model-spec.js';
import type { WeightSet } from './types.js';

/** A compiled tfjs model for one (spec, inputShape, numClasses, backend), reused across calls. */
export interface BuiltModel {
  model: tfl.LayersModel;
  /** Per weight-carrying layer: the stable tensor-name prefix and the tfjs layer, in spec order. */
  weighted: { prefix: string; layer: tfl.layers.Layer }[];
  /** The trainable variables in WeightSet order (for optimizers): running statistics are not among them. */
  variables: tf.Variable[];
  /** Every tensor of the WeightSet, in its order: the trainable variables and batch-norm running statistics. */
  tensors: tf.Variable[];
  names: string[];
  /** Serialises users of this shared model: each loads its own weights, runs, and reads them back. */
  lock: ModelLock;
}

/**
 * A FIFO async mutex. Training and evaluation yield to the event loop mid-run, so without it a concurrent
 * call in the same process could overwrite the shared model's weights between two batches.
 */
export class ModelLock {
  private tail: Promise<void> = Promise.resolve();

  /** Runs `fn` once every previously queued holder has finished (successfully or not). */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

const cache = new Map<string, BuiltModel>();

function cacheKey(spec: ModelSpec, inputShape: number[], numClasses: number): string {
  return JSON.stringify([tf.getBackend(), spec.layers, inputShape, numClasses]);
}

function toTfLayer(
  l: LayerSpec,
  i: number,
  isOutput: boolean,
  inputShape: number[] | undefined,
): tfl.layers.Layer {
  // Zero initialisers: weights are always set from a WeightSet, so tfjs's own (unseeded) RNG is never used.
  const base = { name: `layer_${i}_${l.type}`, ...(inputShape ? { inputShape } : {}) };
  switch (l.type) {
    case 'dense':
      return tfl.layers.dense({
        ...base,
        units: l.units,
        // The output layer emits logits; softmax is part of the loss and of evaluation.
        activation: isOutput ? 'linear' : (l.activation ?? 'linear'),
        kernelInitializer: 'zeros',
        biasInitializer: 'zeros',
      });
    case 'flatten':
      return tfl.layers.flatten(base);
    case 'conv2d':
      return tfl.layers.conv2d({
        ...base,
        filters: l.filters,
        kernelSize: l.kernelSize,
        activation: l.activation ?? 'linear',
        kernelInitializer: 'zeros',
        biasInitializer: 'zeros',
      });
    case 'maxPool2d':
      return tfl.layers.maxPooling2d({ ...base, poolSize: l.poolSize });
    case 'dropout':
      return tfl.layers.dropout({ ...base, rate: l.rate });
    case 'batchNorm':
      // Normalises the last axis (features, or channels after a conv). With training: true (trainLocal,
      // personalise) the layer also moves its running statistics toward the batch's: tfjs does it in place.
      return tfl.layers.batchNormalization({
        ...base,
        axis: -1,
        momentum: l.momentum ?? BN_DEFAULT_MOMENTUM,
        epsilon: l.epsilon ?? BN_DEFAULT_EPSILON,
      });
    case 'activation':
      return tfl.layers.activation({ ...base, activation: l.activation });
  }
}

/** Weight-carrying layer types, whose tensors appear in the WeightSet. */
const WEIGHTED: ReadonlySet<LayerSpec['type']> = new Set(['dense', 'conv2d', 'batchNorm']);

/** Returns the cached tfjs model for a spec on the current backend, building it on first use. */
export function getModel(spec: ModelSpec, inputShape: number[], numClasses: number): BuiltModel {
  const key = cacheKey(spec, inputShape, numClasses);
  const hit = cache.get(key);
  if (hit) return hit;
  const names = weightSignature(spec, inputShape, numClasses).map((s) => s.name); // validates the spec
  const layers = resolveLayers(spec, numClasses);
  const model = tfl.sequential();
  const weighted: BuiltModel['weighted'] = [];
  let rank = inputShape.length;
  layers.forEach((l, i) => {
    // tfjs's flatten rejects already-flat input; it is a no-op there, so leave it out.
    if (l.type === 'flatten' && rank === 1) return;
    rank = l.type === 'flatten' || l.type === 'dense' ? 1 : rank;
    const layer = toTfLayer(
      l,
      i,
      i === layers.length - 1,
      model.layers.length === 0 ? inputShape : undefined,
    );
    model.add(layer);
    if (WEIGHTED.has(l.type)) weighted.push({ prefix: `layer_${i}_${l.type}`, layer });
  });
  const variables = weighted.flatMap((w) => w.layer.trainableWeights.map((v) => v.read() as tf.Variable));
  // tfjs builds kernel, bias / gamma, beta, moving_mean, moving_variance: the signature's order.
  const tensors = weighted.flatMap((w) => w.layer.weights.map((v) => v.read() as tf.Variable));
  if (tensors.length !== names.length)
    throw new Error(
      `model has ${tensors.length} tensors, its spec names ${names.length} (${names.join(', ')})`,
    );
  const built: BuiltModel = { model, weighted, variables, tensors, names, lock: new ModelLock() };
  cache.set(key, built);
  return built;
}

/**
 * Runs `fn` with exclusive use of the cached model for (spec, inputShape, numClasses) on the current
 * backend; `fn` must load the weights it needs itself, as the previous holder leaves its own behind.
 */
export function withModel<T>(
  spec: ModelSpec,
  inputShape: number[],
  numClasses: number,
  fn: (built: BuiltModel) => Promise<T>,
): Promise<T> {
  // Resolve (and build) the model now, so the backend active at call time decides which model is used.
  const built = getModel(spec, inputShape, numClasses);
  return built.lock.run(() => fn(built));
}

/** Disposes every cached model (e.g. before switching backends or at shutdown). */
export function clearModelCache(): void {
  for (const m of cache.values()) m.model.dispose();
  cache.clear();
}

/**
 * Glorot-uniform kernels and zero biases from a seeded RNG: reproducible and independent of tfjs. Batch
 * norm starts at gamma 1, beta 0, running mean 0, running variance 1.
 */
export function initWeights(
  spec: ModelSpec,
  inputShape: number[],
  numClasses: number,
  seed: number,
): WeightSet {
  const rng = createRng(seed);
  return weightSignature(spec, inputShape, numClasses).map(({ name, shape }) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (name.endsWith('/gamma') || name.endsWith('/moving_variance')) {
      values.fill(1); // batch norm starts as the identity on standardised inputs
    } else if (name.endsWith('/kernel')) {
      // Dense [in, out]; conv [k, k, cin, cout]: fan = receptive field * channels.
      const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
      const fanIn = receptive * shape[shape.length - 2]!;
      const fanOut = receptive * shape[shape.length - 1]!;
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      for (let j = 0; j < size; j++) values[j] = (rng.next() * 2 - 1) * limit;
    }
    return { name, shape: [...shape], values };
  });
}

/** Writes a WeightSet into a built model (names and shapes must match the spec's signature). */
export function setModelWeights(built: BuiltModel, weights: WeightSet): void {
  if (weights.length !== built.names.length) {
    throw new Error(
      `weights have ${weights.length} tensors, model expects ${built.names.length} (${built.names.join(', ')})`,
    );
  }
  built.tensors.forEach((v, i) => {
    const w = weights[i]!;
    if (
      w.name !== built.names[i] ||
      w.shape.length !== v.shape.length ||
      w.shape.some((d, k) => d !== v.shape[k])
    ) {
      throw new Error(`weight ${i}: got ${w.name}[${w.shape}], model expects ${built.names[i]}[${v.shape}]`);
    }
    const t = tf.tensor(w.values, w.shape, 'float32');
    v.assign(t);
    t.dispose();
  });
}

/** Reads a built model's weights as a WeightSet with stable names. */
export function getModelWeights(built: BuiltModel): WeightSet {
  return built.tensors.map((v, i) => ({
    name: built.names[i]!,
    shape: [...v.shape],
    values: new Float32Array(v.dataSync() as Float32Array),
  }));
}

// Gradient kernels a backend must provide to train each layer type.
const GRAD_KERNELS: Partial<Record<LayerSpec['type'], string[]>> = {
  conv2d: ['Conv2DBackpropFilter', 'Conv2DBackpropInput'],
  maxPool2d: ['MaxPoolGrad'],
};

/** Throws a clear error when the current backend lacks a gradient kernel the spec needs for training. */
export function assertTrainable(spec: ModelSpec): void {
  const backend = tf.getBackend();
  for (const l of spec.layers) {
    for (const k of GRAD_KERNELS[l.type] ?? []) {
      if (!tf.getKernel(k, backend)) {
        throw new Error(
          `the '${backend}' backend cannot train a ${l.type} layer (missing kernel ${k}); ` +
            `use --backend cpu (or node) for convolutional models`,
        );
      }
    }
  }
}
