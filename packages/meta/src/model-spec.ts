/** Activation functions a layer may use. */
export type Activation = 'relu' | 'softmax' | 'linear' | 'tanh' | 'sigmoid';

/** One layer of a model spec (JSON-serialisable). */
export type LayerSpec =
  | { type: 'dense'; units: number; activation?: Activation }
  | { type: 'flatten' }
  | { type: 'conv2d'; filters: number; kernelSize: number; activation?: Activation }
  | { type: 'maxPool2d'; poolSize: number }
  | { type: 'dropout'; rate: number }
  | { type: 'batchNorm'; momentum?: number; epsilon?: number }
  | { type: 'activation'; activation: Activation };

/**
 * A model as an ordered list of layers. The output layer is a dense layer with `numClasses` units: if the
 * last spec layer is not already such a dense layer, one is appended. The output always produces logits
 * (a softmax activation on it is implied by the cross-entropy loss).
 */
export interface ModelSpec {
  layers: LayerSpec[];
}

/** A tensor a model spec produces: its stable name and shape. */
export interface TensorSignature {
  name: string;
  shape: number[];
}

const ACTIVATIONS: readonly string[] = ['relu', 'softmax', 'linear', 'tanh', 'sigmoid'];

/** The default model: an MLP (flatten, dense 128 relu, dense numClasses). */
export function defaultModelSpec(_inputShape: number[], numClasses: number): ModelSpec {
  return {
    layers: [
      { type: 'flatten' },
      { type: 'dense', units: 128, activation: 'relu' },
      { type: 'dense', units: numClasses },
    ],
  };
}

/** The spec's layers with the output layer appended when the spec does not end in one. */
export function resolveLayers(spec: ModelSpec, numClasses: number): LayerSpec[] {
  const last = spec.layers[spec.layers.length - 1];
  if (last && last.type === 'dense' && last.units === numClasses) return spec.layers;
  return [...spec.layers, { type: 'dense', units: numClasses }];
}

/**
 * The model for zero-shot augmentation runs: flatten, dense 128 (linear), batchNorm, relu, dense numClasses.
 * Batch norm sits between the linear map and the activation, so its running statistics describe the
 * roughly Gaussian pre-activations the synthesiser matches. Momentum 0.9, not tfjs's 0.99: a member takes
 * only ~16 steps per round, and at 0.99 the running statistics would lag the weights by several rounds
 * (evaluation and synthesis both read them).
 */
export function defaultAugmentSpec(_inputShape: number[], numClasses: number): ModelSpec {
  return {
    layers: [
      { type: 'flatten' },
      { type: 'dense', units: 128 },
      { type: 'batchNorm', momentum: BN_AUGMENT_MOMENTUM },
      { type: 'activation', activation: 'relu' },
      { type: 'dense', units: numClasses },
    ],
  };
}

/** Batch-norm momentum of defaultAugmentSpec (see there). */
export const BN_AUGMENT_MOMENTUM = 0.9;
/** tfjs's (and Keras's) defaults for a batchNorm layer that does not set them. */
export const BN_DEFAULT_MOMENTUM = 0.99;
export const BN_DEFAULT_EPSILON = 1e-3;

/**
 * True for a batch-norm running statistic (`.../moving_mean`, `.../moving_variance`): state that travels
 * with the model but is not trained by gradients and must stay out of the globally shared part.
 */
export function isRunningStat(name: string): boolean {
  return name.endsWith('/moving_mean') || name.endsWith('/moving_variance');
}

/** True when the spec contains batch-norm layers (what the synthesiser needs). */
export function specHasBatchNorm(spec: ModelSpec): boolean {
  return spec.layers.some((l) => l.type === 'batchNorm');
}

/** True when the spec contains convolution layers (whose gradients the wasm backend lacks). */
export function specHasConv(spec: ModelSpec): boolean {
  return spec.layers.some((l) => l.type === 'conv2d');
}

function isPosInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

/** Validates an untrusted value (e.g. parsed JSON) as a ModelSpec; throws a message naming the bad layer. */
export function parseModelSpec(value: unknown): ModelSpec {
  const raw = Array.isArray(value) ? value : (value as { layers?: unknown } | null)?.layers;
  if (!Array.isArray(raw)) throw new Error('model spec: expected {"layers": [...]} or a list of layers');
  const layers: LayerSpec[] = raw.map((l: unknown, i: number): LayerSpec => {
    const o = (l ?? {}) as Record<string, unknown>;
    const bad = (msg: string): Error => new Error(`model spec: layer ${i} (${String(o.type)}): ${msg}`);
    const act = (): Activation | undefined => {
      if (o.activation === undefined) return undefined;
      if (typeof o.activation !== 'string' || !ACTIVATIONS.includes(o.activation))
        throw bad(`unknown activation ${JSON.stringify(o.activation)}`);
      return o.activation as Activation;
    };
    switch (o.type) {
      case 'dense':
        if (!isPosInt(o.units)) throw bad('units must be a positive integer');
        return { type: 'dense', units: o.units, activation: act() };
      case 'flatten':
        return { type: 'flatten' };
      case 'conv2d':
        if (!isPosInt(o.filters)) throw bad('filters must be a positive integer');
        if (!isPosInt(o.kernelSize)) throw bad('kernelSize must be a positive integer');
        return { type: 'conv2d', filters: o.filters, kernelSize: o.kernelSize, activation: act() };
      case 'maxPool2d':
        if (!isPosInt(o.poolSize)) throw bad('poolSize must be a positive integer');
        return { type: 'maxPool2d', poolSize: o.poolSize };
      case 'dropout':
        if (typeof o.rate !== 'number' || !(o.rate >= 0 && o.rate < 1)) throw bad('rate must be in [0, 1)');
        return { type: 'dropout', rate: o.rate };
      case 'batchNorm': {
        const out: Extract<LayerSpec, { type: 'batchNorm' }> = { type: 'batchNorm' };
        if (o.momentum !== undefined) {
          if (typeof o.momentum !== 'number' || !(o.momentum >= 0 && o.momentum < 1))
            throw bad('momentum must be in [0, 1)');
          out.momentum = o.momentum;
        }
        if (o.epsilon !== undefined) {
          if (typeof o.epsilon !== 'number' || !(o.epsilon > 0 && Number.isFinite(o.epsilon)))
            throw bad('epsilon must be a positive number');
          out.epsilon = o.epsilon;
        }
        return out;
      }
      case 'activation': {
        const a = act();
        if (a === undefined) throw bad('activation is required');
        return { type: 'activation', activation: a };
      }
      default:
        throw bad('unknown layer type');
    }
  });
  if (layers.length === 0) throw new Error('model spec: no layers');
  return { layers };
}

/**
 * The names and shapes of a model's weights, computed without tfjs: `layer_<i>_<type>/kernel|bias` in
 * layer order; a batchNorm layer adds `gamma`, `beta` (trained) and `moving_mean`, `moving_variance`
 * (running statistics), each one value per feature of the last axis. Throws when the spec does not fit
 * the input shape.
 */
export function weightSignature(
  spec: ModelSpec,
  inputShape: number[],
  numClasses: number,
): TensorSignature[] {
  const out: TensorSignature[] = [];
  let shape = [...inputShape];
  resolveLayers(spec, numClasses).forEach((l, i) => {
    const prefix = `layer_${i}_${l.type}`;
    switch (l.type) {
      case 'flatten':
        shape = [shape.reduce((a, b) => a * b, 1)];
        break;
      case 'dense': {
        if (shape.length !== 1)
          throw new Error(
            `model spec: layer ${i} (dense) needs a flat input, got [${shape}]; add a flatten layer`,
          );
        out.push({ name: `${prefix}/kernel`, shape: [shape[0]!, l.units] });
        out.push({ name: `${prefix}/bias`, shape: [l.units] });
        shape = [l.units];
        break;
      }
      case 'conv2d': {
        if (shape.length !== 3)
          throw new Error(`model spec: layer ${i} (conv2d) needs [h, w, c] input, got [${shape}]`);
        const [h, w, c] = shape as [number, number, number];
        if (h < l.kernelSize || w < l.kernelSize)
          throw new Error(`model spec: layer ${i} (conv2d) kernel larger than input`);
        out.push({ name: `${prefix}/kernel`, shape: [l.kernelSize, l.kernelSize, c, l.filters] });
        out.push({ name: `${prefix}/bias`, shape: [l.filters] });
        shape = [h - l.kernelSize + 1, w - l.kernelSize + 1, l.filters];
        break;
      }
      case 'maxPool2d': {
        if (shape.length !== 3)
          throw new Error(`model spec: layer ${i} (maxPool2d) needs [h, w, c] input, got [${shape}]`);
        const [h, w, c] = shape as [number, number, number];
        shape = [Math.floor(h / l.poolSize), Math.floor(w / l.poolSize), c];
        break;
      }
      case 'batchNorm': {
        const features = shape[shape.length - 1]!;
        for (const part of ['gamma', 'beta', 'moving_mean', 'moving_variance'])
          out.push({ name: `${prefix}/${part}`, shape: [features] });
        break;
      }
      case 'dropout':
      case 'activation':
        break;
    }
  });
  return out;
}
