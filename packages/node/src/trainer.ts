// Learning calls of a peer, serialised process-wide: meta caches one tfjs model per spec and
// sets its weights before training, so two peers of one process (tests, simulator) must not
// interleave their training steps on the shared model.
import {
  innerOptions,
  personaliseModel,
  trainLocal,
  type Dataset,
  type ModelSpec,
  type PersonaliseResult,
  type PpfmConfig,
  type WeightSet,
} from '@ppfm/meta';

let chain: Promise<unknown> = Promise.resolve();

/** Runs `fn` after every previously queued learning call of this process. */
export function exclusive<T>(fn: () => Promise<T>): Promise<T> {
  const run = chain.then(fn, fn);
  chain = run.catch(() => undefined);
  return run;
}

/** The model a peer trains: spec plus the task shape it is built for. */
export interface TaskModel {
  spec: ModelSpec;
  inputShape: number[];
  numClasses: number;
}

/** Inner loop: local SGD from `theta` on the peer's training split. */
export function trainInner(
  m: TaskModel,
  theta: WeightSet,
  train: Dataset,
  cfg: PpfmConfig,
  seed: number,
): Promise<WeightSet> {
  return exclusive(() =>
    trainLocal(m.spec, m.inputShape, m.numClasses, theta, train, innerOptions(cfg, seed)),
  );
}

/** Personalises `theta` on the train split and evaluates before/after on the val split. */
export function personaliseOn(
  m: TaskModel,
  theta: WeightSet,
  train: Dataset,
  val: Dataset,
  cfg: PpfmConfig,
  seed: number,
): Promise<PersonaliseResult> {
  return exclusive(() => personaliseModel(m, theta, train, val, cfg, seed));
}
