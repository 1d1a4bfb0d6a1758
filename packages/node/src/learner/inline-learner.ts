// The learning engine on the caller's thread: no worker start-up cost, calls serialised per
// process (meta caches one tfjs model per spec, shared by every peer of the process).
import type { EvalResult, WeightSet } from '@ppfm/meta';
import { createCore } from './core.js';
import type {
  AugmentArgs,
  AugmentOutcome,
  SharedSet,
  HeadRoundArgs,
  HeadRoundResult,
  Learner,
  LearnerInfo,
  LearnerInit,
  PersonalResult,
  TrainResult,
} from './learner.js';

let chain: Promise<unknown> = Promise.resolve();

/** Runs `fn` after every previously queued inline learning call of this process. */
function exclusive<T>(fn: () => Promise<T>): Promise<T> {
  const run = chain.then(fn, fn);
  chain = run.catch(() => undefined);
  return run;
}

/** Builds an engine that runs on this thread. */
export async function startInlineLearner(init: LearnerInit): Promise<Learner> {
  const core = await exclusive(() => createCore(init));
  let closed = false;
  const guard = <T>(fn: () => Promise<T>): Promise<T> =>
    closed ? Promise.reject(new Error('learner closed')) : exclusive(fn);
  return {
    info: core.info as LearnerInfo,
    train: (theta: WeightSet, seed: number): Promise<TrainResult> => guard(() => core.trainFrom(theta, seed)),
    warmup: (init: WeightSet, seed: number): Promise<WeightSet> => guard(() => core.warmup(init, seed)),
    evaluate: (w: WeightSet, split: 'train' | 'val'): Promise<EvalResult> =>
      guard(() => core.evaluate(w, split)),
    personalise: (theta: WeightSet, seed: number): Promise<PersonalResult> =>
      guard(() => core.personalise(theta, seed)),
    headRound: (args: HeadRoundArgs): Promise<HeadRoundResult> => guard(() => core.headRound(args)),
    augment: (args: AugmentArgs): Promise<AugmentOutcome> => guard(() => core.augment(args)),
    share: (set: SharedSet): Promise<void> => guard(() => core.share(set)),
    close: async () => {
      closed = true;
    },
  };
}
