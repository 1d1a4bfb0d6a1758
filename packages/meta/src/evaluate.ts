import * as tf from '@tensorflow/tfjs-core';
import { EventLoopPacer, featureSize } from './batches.js';
import { setModelWeights, withModel } from './model.js';
import type { ModelSpec } from './model-spec.js';
import type { Dataset, WeightSet } from './types.js';

/** Accuracy, mean cross-entropy loss and balanced accuracy (mean recall over classes present). */
export interface EvalResult {
  acc: number;
  loss: number;
  balancedAcc: number;
}

const EVAL_BATCH = 1024;

/** Computes the logits of every sample in `data` with the given weights (rows of numClasses). */
export async function predictLogits(
  spec: ModelSpec,
  inputShape: number[],
  numClasses: number,
  weights: WeightSet,
  data: Dataset,
): Promise<Float32Array> {
  const n = data.y.length;
  const d = featureSize(data);
  return withModel(spec, inputShape, numClasses, async (built) => {
    setModelWeights(built, weights);
    const out = new Float32Array(n * numClasses);
    const pacer = new EventLoopPacer();
    for (let from = 0; from < n; from += EVAL_BATCH) {
      await pacer.pace();
      const to = Math.min(from + EVAL_BATCH, n);
      const logits = tf.tidy(() => {
        const xs = tf.tensor(data.x.subarray(from * d, to * d), [to - from, ...inputShape]);
        return built.model.predict(xs) as tf.Tensor;
      });
      try {
        out.set((await logits.data()) as Float32Array, from * numClasses);
      } finally {
        logits.dispose();
      }
    }
    return out;
  });
}

/** Scores logits against labels (softmax cross-entropy computed stably in float64). */
export function scoreLogits(logits: Float32Array, y: Int32Array, numClasses: number): EvalResult {
  const n = y.length;
  let correct = 0;
  let loss = 0;
  const hits = new Float64Array(numClasses);
  const counts = new Float64Array(numClasses);
  for (let i = 0; i < n; i++) {
    const o = i * numClasses;
    let best = 0;
    let max = -Infinity;
    for (let c = 0; c < numClasses; c++) {
      const v = logits[o + c]!;
      if (v > max) {
        max = v;
        best = c;
      }
    }
    let sum = 0;
    for (let c = 0; c < numClasses; c++) sum += Math.exp(logits[o + c]! - max);
    const label = y[i]!;
    loss += Math.log(sum) + max - logits[o + label]!;
    counts[label]! += 1;
    if (best === label) {
      correct++;
      hits[label]! += 1;
    }
  }
  let recall = 0;
  let present = 0;
  for (let c = 0; c < numClasses; c++) {
    if (counts[c]! > 0) {
      recall += hits[c]! / counts[c]!;
      present++;
    }
  }
  return {
    acc: n > 0 ? correct / n : 0,
    loss: n > 0 ? loss / n : 0,
    balancedAcc: present > 0 ? recall / present : 0,
  };
}

/** Evaluates weights on a dataset: accuracy, mean loss, balanced accuracy. */
export async function evaluate(
  spec: ModelSpec,
  inputShape: number[],
  numClasses: number,
  weights: WeightSet,
  data: Dataset,
): Promise<EvalResult> {
  if (data.y.length === 0) return { acc: 0, loss: 0, balancedAcc: 0 };
  const logits = await predictLogits(spec, inputShape, numClasses, weights, data);
  return scoreLogits(logits, data.y, numClasses);
}
