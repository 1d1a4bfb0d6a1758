// The head's whole end of a round as both the simulator and the networked peer run it: the pure
// head step, then the sanity check of the candidate on the head's own training data. A refused
// candidate leaves the cluster (and global) model as it was.
import type { EvalResult } from '../evaluate.js';
import type { Dataset, WeightSet } from '../types.js';
import { acceptCandidate } from './accept.js';
import { headStep, type HeadStepInput, type HeadStepResult } from './head-step.js';
import { evaluateModel } from './local.js';
import type { TaskModel } from './task.js';

/** What the head adopts, and what it left out or refused. */
export interface HeadRoundResult {
  theta: WeightSet;
  global: WeightSet | undefined;
  discarded: HeadStepResult['discarded'];
  aggregator: HeadStepResult['aggregator'];
  /** The candidate's check on the head's data: refused keeps theta (and the old global model). */
  verdict: { ok: true } | { ok: false; reason: string };
  before: EvalResult;
  after: EvalResult;
}

/** headStep over the updates, then acceptCandidate on `headTrain` (the head's own raw train split). */
export async function headRound(
  task: TaskModel,
  inp: HeadStepInput,
  headTrain: Dataset,
): Promise<HeadRoundResult> {
  const r = headStep(inp);
  const before = await evaluateModel(task, inp.theta, headTrain);
  const after = await evaluateModel(task, r.theta, headTrain);
  const verdict = acceptCandidate(before, after, task.numClasses);
  return {
    theta: verdict.ok ? r.theta : inp.theta,
    global: verdict.ok ? r.global : inp.global,
    discarded: r.discarded,
    aggregator: r.aggregator,
    verdict,
    before,
    after,
  };
}
