// The peer's learning engine and its model store: the engine loads the data (in a worker unless
// --learner inline), and every model of the task is shaped after the engine's initial network.
import { featureCount, identityScaler, withScaler, type PpfmConfig, type WeightSet } from '@ppfm/meta/light';
import { specHash } from '@ppfm/protocol';
import type { Learner, LearnerInfo } from '../learner/learner.js';
import { startWorkerLearner } from '../learner/worker-learner.js';
import type { PeerOptions } from '../options.js';
import { ModelStore } from '../services/model-store.js';

/** Closers run in reverse order when the peer stops or fails to start. */
export type Cleanup = (() => Promise<void>)[];

/** What the rest of the peer gets from its learning engine. */
export interface Learning {
  learner: Learner;
  info: LearnerInfo;
  /** Every model of this task: the input scaler's two tensors, then the network's. */
  template: WeightSet;
  store: ModelStore;
  /** Spec hash of the template (names and shapes of its tensors). */
  spec: string;
}

/** Starts the learning engine (its closer joins `cleanup` at once) and builds the model store. */
export async function startLearning(
  opts: PeerOptions,
  cfg: PpfmConfig,
  seed: number,
  cleanup: Cleanup,
): Promise<Learning> {
  const learnerInit = {
    data: opts.data,
    backend: opts.backend ?? 'auto',
    cfg,
    seed,
    ...(opts.model ? { model: opts.model } : {}),
    ...(opts.augment ? { augment: opts.augment } : {}),
    ...(opts.zeroShot ? { zeroShot: opts.zeroShot } : {}),
  };
  const learner: Learner =
    opts.learner === 'inline'
      ? // Loaded on demand: the inline engine brings tfjs into this thread.
        await (await import('../learner/inline-learner.js')).startInlineLearner(learnerInit)
      : await startWorkerLearner(learnerInit);
  cleanup.push(() => learner.close());
  const info = learner.info;
  const template = withScaler(info.netInit, identityScaler(featureCount(info.task)));
  const store = new ModelStore(template);
  const spec = specHash(template);
  return { learner, info, template, store, spec };
}
