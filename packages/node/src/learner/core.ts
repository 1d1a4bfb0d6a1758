// The learning operations themselves, run wherever the engine lives (worker or inline). All
// learning is @ppfm/meta's PPFM rule (src/ppfm): this module only holds the peer's data and
// wires calls, with the seeds the simulator uses (ppfmSeeds), so a peer reproduces it.
import {
  augmentMember,
  concatDatasets,
  computeFingerprint,
  headFineTune,
  scalerInputStats,
  specHasBatchNorm,
  splitModel,
  valueRange,
  type AugmentReport,
  type InputStats,
  type Teacher,
  allFinite,
  defaultAugmentSpec,
  defaultModelSpec,
  evaluateModel,
  headRound,
  initWeights,
  loadDataset,
  memberUpdate,
  personaliseModel,
  ppfmSeeds,
  selectBackend,
  splitDataset,
  warmupModel,
  assertTrainable,
  type Dataset,
  type EvalResult,
  type HeadRoundResult,
  type TaskModel,
  type WeightSet,
} from '@ppfm/meta';
import type {
  AugmentArgs,
  AugmentOutcome,
  HeadRoundArgs,
  LearnerInfo,
  LearnerInit,
  PersonalResult,
  SharedSet,
  TrainResult,
} from './learner.js';
import { ZsLearnerCore } from './zs-core.js';

/** What the worker and the inline engine call: the classification core or the zero-shot one. */
export type EngineCore = Pick<
  LearnerCore,
  'info' | 'trainFrom' | 'warmup' | 'evaluate' | 'headRound' | 'personalise' | 'augment' | 'share'
>;

/** The engine for `init`'s task mode. */
export function createCore(init: LearnerInit): Promise<EngineCore> {
  return init.zeroShot !== undefined ? ZsLearnerCore.create(init, init.zeroShot) : LearnerCore.create(init);
}

/** The engine state: the peer's splits and task. */
export class LearnerCore {
  /** member augmentation: the train split with the last top-up (real samples first). */
  private augmented: Dataset | undefined;
  /** head-shared augmentation: the head's last synthetic set, added to every training set. */
  private shared: Dataset | undefined;

  private constructor(
    readonly info: LearnerInfo,
    private readonly init: LearnerInit,
    private readonly train: Dataset,
    private readonly val: Dataset,
  ) {}

  private get task(): TaskModel {
    return this.info.task;
  }

  /** Selects the backend, loads and splits the data, computes the fingerprint and the shared init. */
  static async create(init: LearnerInit): Promise<LearnerCore> {
    const backend = await selectBackend(init.backend).catch((err: unknown) => {
      throw Object.assign(new Error((err as Error).message), { name: 'BackendError' });
    });
    const ds = typeof init.data === 'string' ? await loadDataset(init.data) : init.data;
    const { train, val } = splitDataset(ds, {
      valFraction: init.cfg.valFraction,
      seed: ppfmSeeds.split(init.seed),
    });
    // Augmentation synthesises from batch-norm statistics: its default model has batch norm.
    const spec =
      init.model ?? (init.augment ? defaultAugmentSpec : defaultModelSpec)(ds.inputShape, ds.numClasses);
    if (init.augment && !specHasBatchNorm(spec))
      throw new Error('--augment needs a model with batchNorm layers (--model), e.g. the default one');
    // Fail at start, not at the first round: a backend without the model's gradient kernels.
    try {
      assertTrainable(spec);
    } catch (err) {
      throw Object.assign(new Error((err as Error).message), { name: 'UnsupportedModelError' });
    }
    const task: TaskModel = { spec, inputShape: [...ds.inputShape], numClasses: ds.numClasses };
    const info: LearnerInfo = {
      backend,
      dataName: ds.name,
      samples: ds.y.length,
      trainSamples: train.y.length,
      task,
      fingerprint: computeFingerprint(train, { dims: init.cfg.fingerprintDims }),
      netInit: initWeights(spec, task.inputShape, task.numClasses, init.cfg.initSeed),
    };
    return new LearnerCore(info, init, train, val);
  }

  /** Task-level training (meta's memberUpdate, with its divergence guard). */
  async trainFrom(theta: WeightSet, seed: number): Promise<TrainResult> {
    const t0 = performance.now();
    const r = await memberUpdate(this.task, theta, this.trainSet(), this.init.cfg, seed);
    // The update weighs by real samples: synthetic ones add no information about the data.
    if (r.kind === 'update') r.samples = this.train.y.length;
    return { ...r, ms: performance.now() - t0 };
  }

  /** The warm-up model of loss-based clustering: one local training from `from`. */
  warmup(from: WeightSet, seed: number): Promise<WeightSet> {
    return warmupModel(this.task, from, this.train, this.init.cfg, seed);
  }

  /** Loss and accuracy on one split (raw data; the model's scaler applied inside). */
  evaluate(weights: WeightSet, split: 'train' | 'val'): Promise<EvalResult> {
    return evaluateModel(this.task, weights, split === 'train' ? this.train : this.val);
  }

  /** The head's end of a round, checked on the head's own train split (as the simulator does). */
  headRound(a: HeadRoundArgs): Promise<HeadRoundResult> {
    return headRound(this.task, { ...a, cfg: this.init.cfg }, this.train);
  }

  /** Personalisation: adapt on train, evaluate before/after on val. */
  async personalise(theta: WeightSet, seed: number): Promise<PersonalResult> {
    const train = this.trainSet();
    const r = await personaliseModel(this.task, theta, train, this.val, this.init.cfg, seed);
    return { before: r.before, after: r.after, weights: r.weights };
  }

  /** The training data: the own split with the member top-up, plus the head's set (the simulator's trainOf). */
  private trainSet(): Dataset {
    const own = this.augmented ?? this.train;
    return this.shared ? concatDatasets([own, this.shared], `${own.name}+zda`) : own;
  }

  /** Keeps the head's synthetic set (already checked by the receiving handler) for train and personalise. */
  share(set: SharedSet): Promise<void> {
    this.shared = { ...this.train, x: set.x, y: set.y, name: `${this.train.name}/head-set` };
    return Promise.resolve();
  }

  /**
   * Raw-unit input statistics for synthesis: the model's scaler (pooled moments), the own value range.
   * For a teacher too: its scaler holds its own cluster's moments (the simulator's statsOf).
   */
  private inputStats(theta: WeightSet): InputStats | undefined {
    const { scaler } = splitModel(theta);
    if (scaler === undefined) return undefined;
    const { lo, hi } = valueRange(this.train.x);
    return scalerInputStats(scaler, lo, hi);
  }

  /** Zero-shot augmentation (meta's augmentMember or headFineTune), bounded by the settings' time. */
  async augment(a: AugmentArgs): Promise<AugmentOutcome> {
    const s = this.init.augment;
    if (s === undefined) throw new Error('augmentation is off (start the peer with --augment member|head)');
    const teachers: Teacher[] = (a.teachers ?? []).map((t) => {
      const inputStats = this.inputStats(t.weights);
      return { weights: t.weights, classes: t.classes, ...(inputStats ? { inputStats } : {}) };
    });
    const common = {
      steps: s.steps,
      seed: a.seed,
      timeBudgetMs: Math.min(s.timeBudgetMs, a.timeBudgetMs ?? Infinity),
      snapLow: s.snapLow,
      inputStats: this.inputStats(a.theta),
      teachers,
    };
    const outcome = (r: AugmentReport): AugmentOutcome => ({
      made: r.made,
      classes: r.classes,
      ms: r.ms,
      stopped: r.diagnostics?.stopped ?? 'none',
    });
    if (a.role === 'member') {
      const r = await augmentMember(this.task, a.theta, this.train, { ...common, threshold: s.threshold });
      // A teacher's values are checked, but an extreme finite model could still synthesise overflow.
      if (!r.data.x.every((v) => Number.isFinite(v)))
        throw new Error('synthesis made non-finite samples; not kept');
      this.augmented = r.report.made > 0 ? (r.data as Dataset) : undefined;
      return outcome(r.report);
    }
    const r = await headFineTune(this.task, a.theta, { ...common, perClass: s.perClass });
    if (!allFinite(r.weights) || !r.samples.x.every((v) => Number.isFinite(v)))
      throw new Error('synthesis made non-finite samples or weights; not kept');
    const samples = r.samples.y.length > 0 ? { samples: { x: r.samples.x, y: r.samples.y } } : {};
    return { ...outcome(r.report), weights: r.weights, ...samples };
  }
}
