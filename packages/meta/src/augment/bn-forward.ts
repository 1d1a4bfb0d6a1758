import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { BuiltModel } from '../model.js';
import { resolveLayers, type Activation } from '../model-spec.js';
import type { TaskModel } from './types.js';

/** A batch-norm layer's input on a batch, with the layer's running statistics. */
export interface BnTap {
  input: tf.Tensor;
  runningMean: tf.Tensor1D;
  runningVar: tf.Tensor1D;
  epsilon: number;
}

/** The model as a function of its input only, recording every batch-norm layer's input. */
export interface TappedForward {
  run(x: tf.Tensor): { logits: tf.Tensor; taps: BnTap[] };
  dispose(): void;
}

type Stage =
  | { kind: 'dense'; kernel: tf.Tensor2D; kernelT: tf.Tensor2D; bias: tf.Tensor1D; activation: Activation }
  | { kind: 'conv2d'; kernel: tf.Tensor4D; bias: tf.Tensor1D; activation: Activation }
  | { kind: 'batchNorm'; scale: tf.Tensor1D; shift: tf.Tensor1D; tap: Omit<BnTap, 'input'> }
  | { kind: 'activation'; activation: Activation }
  | { kind: 'flatten' }
  | { kind: 'identity' }
  | { kind: 'layer'; layer: tfl.layers.Layer };

function activate(h: tf.Tensor, a: Activation): tf.Tensor {
  switch (a) {
    case 'relu':
      return tf.relu(h);
    case 'tanh':
      return tf.tanh(h);
    case 'sigmoid':
      return tf.sigmoid(h);
    case 'softmax':
      return tf.softmax(h);
    case 'linear':
      return h;
  }
}

// Gradients with respect to the input only. tfjs's own backward pass of a layer also computes the weights'
// gradients (unused here), and on wasm those transposed matrix products cost ~5x the forward pass.
function dense(x: tf.Tensor, s: Extract<Stage, { kind: 'dense' }>): tf.Tensor {
  const op = tf.customGrad((input: tf.Tensor | tf.GradSaveFunc) => ({
    value: tf.add(tf.matMul(input as tf.Tensor2D, s.kernel), s.bias),
    gradFunc: (dy: tf.Tensor) => [tf.matMul(dy as tf.Tensor2D, s.kernelT)],
  }));
  return activate(op(x), s.activation);
}

// tfjs's conv backward also computes the filter's gradient, whose kernel wasm lacks; the input's needs only
// Conv2DBackpropInput, which wasm has: synthesis works on conv models there, training does not.
function conv2d(x: tf.Tensor, s: Extract<Stage, { kind: 'conv2d' }>): tf.Tensor {
  const op = tf.customGrad((input: tf.Tensor | tf.GradSaveFunc) => {
    const x4 = input as tf.Tensor4D;
    return {
      value: tf.add(tf.conv2d(x4, s.kernel, 1, 'valid'), s.bias),
      gradFunc: (dy: tf.Tensor) => [tf.conv2dTranspose(dy as tf.Tensor4D, s.kernel, x4.shape, 1, 'valid')],
    };
  });
  return activate(op(x), s.activation);
}

function affine(x: tf.Tensor, s: Extract<Stage, { kind: 'batchNorm' }>): tf.Tensor {
  const op = tf.customGrad((input: tf.Tensor | tf.GradSaveFunc) => ({
    value: tf.add(tf.mul(input as tf.Tensor, s.scale), s.shift),
    gradFunc: (dy: tf.Tensor) => [tf.mul(dy, s.scale)],
  }));
  return op(x);
}

/**
 * Compiles the loaded model (weights as they are now) into an inference-mode forward pass: running
 * statistics normalise, dropout is off, and the pre-normalisation activations are tapped. Dense, conv and
 * batch-norm stages are written out so that backpropagation computes only the input's gradient; pooling
 * runs through tfjs.
 */
export function compileForward(built: BuiltModel, task: TaskModel): TappedForward {
  const specLayers = resolveLayers(task.spec, task.numClasses);
  const owned: tf.Tensor[] = [];
  const own = <T extends tf.Tensor>(t: T): T => {
    owned.push(t);
    return t;
  };
  const stages: Stage[] = built.model.layers.map((layer): Stage => {
    const i = Number(/^layer_(\d+)_/.exec(layer.name)?.[1]);
    const l = specLayers[i];
    const vars = layer.weights.map((w) => w.read());
    switch (l?.type) {
      case 'dense': {
        const [kernel, bias] = vars as [tf.Tensor2D, tf.Tensor1D];
        const isOutput = i === specLayers.length - 1;
        return {
          kind: 'dense',
          kernel,
          kernelT: own(tf.transpose(kernel)),
          bias,
          activation: isOutput ? 'linear' : (l.activation ?? 'linear'),
        };
      }
      case 'conv2d': {
        const [kernel, bias] = vars as [tf.Tensor4D, tf.Tensor1D];
        return { kind: 'conv2d', kernel, bias, activation: l.activation ?? 'linear' };
      }
      case 'batchNorm': {
        const [gamma, beta, mean, variance] = vars as tf.Tensor1D[];
        const epsilon = layer.getConfig().epsilon as number;
        const scale = own(tf.tidy(() => tf.div(gamma!, tf.sqrt(tf.add(variance!, epsilon))) as tf.Tensor1D));
        const shift = own(tf.tidy(() => tf.sub(beta!, tf.mul(mean!, scale)) as tf.Tensor1D));
        return {
          kind: 'batchNorm',
          scale,
          shift,
          tap: { runningMean: mean!, runningVar: variance!, epsilon },
        };
      }
      case 'activation':
        return { kind: 'activation', activation: l.activation };
      case 'flatten':
        return { kind: 'flatten' };
      case 'dropout':
        return { kind: 'identity' };
      default:
        return { kind: 'layer', layer };
    }
  });
  return {
    run(x) {
      const taps: BnTap[] = [];
      let h = x;
      for (const s of stages) {
        switch (s.kind) {
          case 'dense':
            h = dense(h, s);
            break;
          case 'conv2d':
            h = conv2d(h, s);
            break;
          case 'batchNorm':
            taps.push({ input: h, ...s.tap });
            h = affine(h, s);
            break;
          case 'activation':
            h = activate(h, s.activation);
            break;
          case 'flatten':
            h = tf.reshape(h, [h.shape[0]!, -1]);
            break;
          case 'identity':
            break;
          case 'layer':
            h = s.layer.apply(h, { training: false }) as tf.Tensor;
            break;
        }
      }
      return { logits: h, taps };
    },
    dispose() {
      tf.dispose(owned);
    },
  };
}

/** The batch mean and (biased) variance of a tap's input per feature of the last axis. */
function batchMoments(tap: BnTap): { mean: tf.Tensor; variance: tf.Tensor } {
  const axes = tap.input.shape.slice(0, -1).map((_, i) => i);
  return tf.moments(tap.input, axes);
}

/** Per tap: mean over features of the squared mean gap in running-std units, and of the squared log variance ratio. */
function gapTerms(tap: BnTap): [tf.Scalar, tf.Scalar] {
  const { mean, variance } = batchMoments(tap);
  const rv = tf.add(tap.runningVar, tap.epsilon);
  return [
    tf.mean(tf.div(tf.squaredDifference(mean, tap.runningMean), rv)),
    tf.mean(tf.square(tf.sub(tf.log(tf.add(variance, tap.epsilon)), tf.log(rv)))),
  ];
}

/**
 * The statistics term of the loss, summed over layers. Both parts are free of the activations' scale, so
 * layers (and raw-unit inputs) weigh alike.
 */
export function bnStatsLoss(taps: BnTap[]): tf.Scalar {
  return tf.tidy(() => {
    let total: tf.Scalar = tf.scalar(0);
    for (const tap of taps) {
      const [m, v] = gapTerms(tap);
      total = tf.add(total, tf.add(m, v));
    }
    return total;
  });
}

/** The worst layer's RMS gaps (see SynthesisDiagnostics), read back to numbers. */
export function bnGaps(taps: BnTap[]): { meanGap: number; varGap: number } {
  let meanGap = 0;
  let varGap = 0;
  for (const tap of taps) {
    const [m, v] = tf.tidy(() => gapTerms(tap).map((t) => tf.sqrt(t)));
    meanGap = Math.max(meanGap, m!.dataSync()[0]!);
    varGap = Math.max(varGap, v!.dataSync()[0]!);
    tf.dispose([m!, v!]);
  }
  return { meanGap, varGap };
}
