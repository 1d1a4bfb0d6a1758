import { evaluate, type EvalResult } from './evaluate.js';
import type { ModelSpec } from './model-spec.js';
import { trainLocal } from './train.js';
import type { Dataset, WeightSet } from './types.js';

/** Adaptation options: `steps` mini-batch SGD steps (0 = evaluate only). */
export interface PersonaliseOptions {
  steps: number;
  batchSize: number;
  lr: number;
  momentum?: number;
  seed: number;
}

/** Before/after evaluation of a personalised model and its weights. */
export interface PersonaliseResult {
  before: EvalResult;
  after: EvalResult;
  weights: WeightSet;
}

/** Adapts a copy of `weights` on the peer's train split, evaluating on its val split before and after. */
export async function personalise(
  spec: ModelSpec,
  inputShape: number[],
  numClasses: number,
  weights: WeightSet,
  train: Dataset,
  val: Dataset,
  opts: PersonaliseOptions,
): Promise<PersonaliseResult> {
  const before = await evaluate(spec, inputShape, numClasses, weights, val);
  if (opts.steps <= 0 || train.y.length === 0) return { before, after: before, weights };
  const adapted = await trainLocal(spec, inputShape, numClasses, weights, train, {
    steps: opts.steps,
    batchSize: opts.batchSize,
    lr: opts.lr,
    momentum: opts.momentum,
    seed: opts.seed,
  });
  const after = await evaluate(spec, inputShape, numClasses, adapted, val);
  return { before, after, weights: adapted };
}
