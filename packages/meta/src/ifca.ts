import { evaluate, type EvalResult } from './evaluate.js';
import type { ModelSpec } from './model-spec.js';
import type { Dataset, WeightSet } from './types.js';

/** A candidate cluster model for loss-based assignment. */
export interface IfcaCandidate<Id extends number | string = number | string> {
  id: Id;
  weights: WeightSet;
}

/** Result of loss-based assignment: the best candidate and every candidate's score. */
export interface IfcaResult<Id extends number | string = number | string> {
  best: Id;
  losses: { id: Id; loss: number; acc: number }[];
}

/**
 * IFCA rule: evaluates every candidate model on the peer's data and picks the lowest loss (ties: the first
 * candidate in the given order).
 */
export async function ifcaAssign<Id extends number | string>(
  spec: ModelSpec,
  inputShape: number[],
  numClasses: number,
  candidates: IfcaCandidate<Id>[],
  data: Dataset,
): Promise<IfcaResult<Id>> {
  const first = candidates[0];
  if (!first) throw new Error('ifcaAssign: no candidates');
  const losses: IfcaResult<Id>['losses'] = [];
  let best = first.id;
  let bestLoss = Infinity;
  for (const c of candidates) {
    const r: EvalResult = await evaluate(spec, inputShape, numClasses, c.weights, data);
    losses.push({ id: c.id, loss: r.loss, acc: r.acc });
    if (r.loss < bestLoss) {
      bestLoss = r.loss;
      best = c.id;
    }
  }
  return { best, losses };
}
