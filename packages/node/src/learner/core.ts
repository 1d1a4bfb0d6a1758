// The learning operations themselves, run wherever the engine lives (worker or inline). All
// learning goes through @ppfm/meta: this module only holds the peer's data and wires calls.
import {
  computeFingerprint,
  defaultModelSpec,
  deriveSeed,
  evaluate,
  initWeights,
  loadDataset,
  personalise,
  selectBackend,
  splitDataset,
  subtract,
  trainLocal,
  allFinite,
  assertTrainable,
  type Dataset,
  type EvalResult,
  type PpfmConfig,
  type WeightSet,
} from '@ppfm/meta';
import { headStep } from '../global.js';
import { divergence, refuseCandidate } from './checks.js';
import type {
  HeadStepArgs,
  HeadStepOutcome,
  LearnerInfo,
  LearnerInit,
  PersonalResult,
  TrainResult,
} from './learner.js';

/** The engine state: the peer's splits and task. */
export class LearnerCore {
  private constructor(
    readonly info: LearnerInfo,
    private readonly init: LearnerInit,
    private readonly train: Dataset,
    private readonly val: Dataset,
  ) {}

  /** Selects the backend, loads and splits the data, computes the fingerprint and the shared init. */
  static async create(init: LearnerInit): Promise<LearnerCore> {
    const backend = await selectBackend(init.backend).catch((err: unknown) => {
      throw Object.assign(new Error((err as Error).message), { name: 'BackendError' });
    });
    const ds = typeof init.data === 'string' ? await loadDataset(init.data) : init.data;
    const { train, val } = splitDataset(ds, {
      valFraction: init.cfg.valFraction,
      seed: deriveSeed(init.seed, 'split'),
    });
    const spec = init.model ?? defaultModelSpec(ds.inputShape, ds.numClasses);
    // Fail at start, not at the first round: a backend without the model's gradient kernels.
    try {
      assertTrainable(spec);
    } catch (err) {
      throw Object.assign(new Error((err as Error).message), { name: 'UnsupportedModelError' });
    }
    const weights = initWeights(spec, [...ds.inputShape], ds.numClasses, init.cfg.initSeed);
    const info: LearnerInfo = {
      backend,
      dataName: ds.name,
      samples: ds.y.length,
      trainSamples: train.y.length,
      inputShape: [...ds.inputShape],
      numClasses: ds.numClasses,
      spec,
      fingerprint: computeFingerprint(train, { dims: init.cfg.fingerprintDims }),
      init: weights,
    };
    return new LearnerCore(info, init, train, val);
  }

  /** Task-level training: local steps from theta, the difference as the update. */
  async trainFrom(theta: WeightSet, seed: number): Promise<TrainResult> {
    const t0 = performance.now();
    const { spec, inputShape, numClasses } = this.info;
    const cfg = this.init.cfg;
    const before = await evaluate(spec, inputShape, numClasses, theta, this.train);
    const phi = await trainLocal(spec, inputShape, numClasses, theta, this.train, {
      ...(cfg.innerSteps !== undefined ? { steps: cfg.innerSteps } : { epochs: cfg.innerEpochs }),
      batchSize: cfg.batchSize,
      lr: cfg.lr,
      momentum: cfg.momentum,
      seed,
    });
    const after = await evaluate(spec, inputShape, numClasses, phi, this.train);
    const ms = performance.now() - t0;
    const bad = divergence(before.loss, after.loss, numClasses, allFinite(phi));
    if (bad !== undefined)
      return { kind: 'diverged', reason: bad, lossBefore: before.loss, lossAfter: after.loss, ms };
    return {
      kind: 'update',
      delta: subtract(phi, theta),
      samples: this.train.y.length,
      lossBefore: before.loss,
      lossAfter: after.loss,
      ms,
    };
  }

  /** One local training from the shared init (loss-based clustering). */
  async warmup(seed: number): Promise<WeightSet> {
    const { spec, inputShape, numClasses } = this.info;
    const cfg = this.init.cfg;
    return trainLocal(spec, inputShape, numClasses, this.info.init, this.train, {
      ...(cfg.innerSteps !== undefined ? { steps: cfg.innerSteps } : { epochs: cfg.innerEpochs }),
      batchSize: cfg.batchSize,
      lr: cfg.lr,
      momentum: cfg.momentum,
      seed,
    });
  }

  /** Loss and accuracy on one split. */
  evaluate(weights: WeightSet, split: 'train' | 'val'): Promise<EvalResult> {
    const { spec, inputShape, numClasses } = this.info;
    return evaluate(spec, inputShape, numClasses, weights, split === 'train' ? this.train : this.val);
  }

  /**
   * The head's step: aggregate + Reptile + global step, then a sanity check on the head's own
   * held-out data. A refused aggregate is retried with the coordinate-wise median (robust to a
   * minority of poisoned updates); if that fails too the cluster model stays as it was.
   */
  async headStep(a: HeadStepArgs): Promise<HeadStepOutcome> {
    const cfg = this.init.cfg;
    const { numClasses } = this.info;
    const finite = a.updates.filter((u) => allFinite(u.delta));
    const discarded = a.updates
      .filter((u) => !allFinite(u.delta))
      .map((u) => ({ from: u.from, reason: 'non_finite' }));
    const before = await this.evaluate(a.theta, 'val');
    const step = (aggregator: PpfmConfig['aggregator']): { theta: WeightSet; global: WeightSet } =>
      headStep({
        theta: a.theta,
        updates: finite.map((u) => ({ delta: u.delta, samples: u.samples })),
        others: a.others,
        global: a.global,
        sharedPart: a.sharedPart,
        cfg: { ...cfg, aggregator },
      });
    if (finite.length === 0)
      return {
        theta: a.theta,
        global: a.global ?? a.theta,
        discarded,
        aggregator: 'none',
        before,
        after: before,
        refused: 'no usable update',
      };
    let out = step(cfg.aggregator);
    let after = await this.evaluate(out.theta, 'val');
    let refused = refuseCandidate(before, after, numClasses);
    if (refused === undefined) return { ...out, discarded, aggregator: cfg.aggregator, before, after };
    const first = refused;
    if (finite.length >= 3 && cfg.aggregator !== 'median') {
      out = step('median');
      after = await this.evaluate(out.theta, 'val');
      refused = refuseCandidate(before, after, numClasses);
      if (refused === undefined)
        return {
          ...out,
          discarded,
          aggregator: 'median',
          before,
          after,
          refused: `${cfg.aggregator}: ${first}; used the median`,
        };
    }
    return {
      theta: a.theta,
      global: a.global ?? out.global,
      discarded,
      aggregator: 'none',
      before,
      after: before,
      refused: `${first}; kept the model`,
    };
  }

  /** Personalisation: adapt on train, evaluate before/after on val. */
  async personalise(theta: WeightSet, seed: number): Promise<PersonalResult> {
    const { spec, inputShape, numClasses } = this.info;
    const cfg = this.init.cfg;
    const r = await personalise(spec, inputShape, numClasses, theta, this.train, this.val, {
      steps: cfg.adaptSteps,
      batchSize: cfg.batchSize,
      lr: cfg.adaptLr,
      momentum: cfg.momentum,
      seed,
    });
    return { before: r.before, after: r.after, weights: r.weights };
  }
}
