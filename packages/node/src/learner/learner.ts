// What a peer asks of its learning engine. The engine owns the peer's data and tfjs; the peer's
// event loop only orchestrates. Two implementations: a worker thread (the default, so gossip,
// heartbeats and leases never wait for a training step) and inline (same thread, for tests).
import type {
  BackendPreference,
  Dataset,
  EvalResult,
  Fingerprint,
  HeadRoundResult,
  ModelSpec,
  PpfmConfig,
  SemanticTable,
  SemanticVariant,
  TaskModel,
  WeightSet,
  ZsConfig,
  ZsMethod,
  ZsScores,
} from '@ppfm/meta';
import { MAX_SNAP_LOW, ZDA_SNAP_LOW } from '@ppfm/meta/light';

/** How the engine is set up: data (a path it loads itself, or an in-memory dataset), backend, model. */
export interface LearnerInit {
  data: string | Dataset;
  backend: BackendPreference;
  /** Model spec; default meta's defaultModelSpec for the data. */
  model?: ModelSpec;
  cfg: PpfmConfig;
  /** The peer's seed (train/val split, training order, personalisation). */
  seed: number;
  /** Zero-shot task mode (issue 15): meta's zero-shot rule instead of the classification rule. */
  zeroShot?: ZsLearnerOptions;
  /** Zero-shot augmentation (FedZDA); off when undefined. */
  augment?: AugmentSettings;
}

/** Where and how much a peer synthesises (`ppfm start --augment member|head`). */
export interface AugmentSettings {
  /** member: top up rare classes before local training; head: fine-tune the aggregate before publishing. */
  mode: 'member' | 'head';
  /** member: a class below this share of the train split is topped up to it. */
  threshold: number;
  /** head: synthetic samples per class. */
  perClass: number;
  /** Synthesis optimisation steps. */
  steps: number;
  /** Wall-time bound of one synthesis (ms): no step starts after it. */
  timeBudgetMs: number;
  /** Synthetic raw values within this share of the range above its low end snap to it (meta's snapLow). */
  snapLow: number;
}

/** Defaults of --augment-threshold, --augment-per-class, --augment-steps, --augment-time (ms), --augment-snap. */
export const AUGMENT_SETTINGS_DEFAULTS: Omit<AugmentSettings, 'mode'> = {
  threshold: 0.05,
  perClass: 20,
  steps: 50,
  timeBudgetMs: 10_000,
  // The simulator's rule (ZDA_SIM_DEFAULTS.snapLow), so that peer and simulator synthesise alike.
  snapLow: ZDA_SNAP_LOW,
};

/** The allowed --augment-threshold share (the CLI parser and checkAugmentSettings both use it). */
export const augmentThresholdOk = (v: number): boolean => v >= 0 && v < 1;
/** The allowed --augment-snap share (meta's MAX_SNAP_LOW bounds it). */
export const augmentSnapOk = (v: number): boolean => v >= 0 && v <= MAX_SNAP_LOW;

/**
 * Throws a RangeError naming the first augmentation setting out of range (the CLI checks its
 * flags; this guards PeerOptions given in code).
 */
export function checkAugmentSettings(a: AugmentSettings): void {
  const bad = (field: string, want: string, v: unknown): never => {
    throw new RangeError(`augment.${field}: expected ${want}, got ${String(v)}`);
  };
  if (a.mode !== 'member' && a.mode !== 'head') bad('mode', "'member' or 'head'", a.mode);
  if (!augmentThresholdOk(a.threshold)) bad('threshold', 'a share in [0, 1)', a.threshold);
  if (!(Number.isInteger(a.perClass) && a.perClass >= 1)) bad('perClass', 'an integer >= 1', a.perClass);
  if (!(Number.isInteger(a.steps) && a.steps >= 1)) bad('steps', 'an integer >= 1', a.steps);
  if (!(a.timeBudgetMs > 0 && Number.isFinite(a.timeBudgetMs)))
    bad('timeBudgetMs', 'a finite number of ms > 0', a.timeBudgetMs);
  if (!augmentSnapOk(a.snapLow)) bad('snapLow', `a share in [0, ${MAX_SNAP_LOW}]`, a.snapLow);
}

/** Another cluster's model that synthesises the classes this peer's cluster lacks (FedZDA teacher). */
export interface TeacherModel {
  cluster: string;
  /** Checked by the peer: its spec's names and shapes, finite values, non-negative running variances. */
  weights: WeightSet;
  classes: number[];
}

/** One synthesis: from the cluster model `theta`, by a member (top-up) or a head (fine-tune). */
export interface AugmentArgs {
  role: 'member' | 'head';
  theta: WeightSet;
  seed: number;
  /** Other clusters' models for the classes this cluster lacks (none: everything from theta). */
  teachers?: TeacherModel[];
  /** Wall-time bound of this synthesis (ms) when less than the settings' (teacher fetches used some). */
  timeBudgetMs?: number;
}

/** What a synthesis made; a head also gets its fine-tuned model. */
export interface AugmentOutcome {
  made: number;
  classes: number[];
  ms: number;
  /** Why synthesis stopped ('none': nothing to make). */
  stopped: 'steps' | 'time' | 'aborted' | 'none';
  /** head: the model to publish instead of theta. */
  weights?: WeightSet;
  /** head: the synthetic set it fine-tuned on, for its members (and itself) to train on. */
  samples?: SharedSet;
}

/** A head's synthetic set (FedZDA): samples in the model's raw input units, row-major, and labels. */
export interface SharedSet {
  x: Float32Array;
  y: Int32Array;
}

/** Zero-shot mode: the class table and unseen classes default to the dataset's ppfm.json / built-in table. */
export interface ZsLearnerOptions {
  /** Built-in table variant (default 'name+wordnet'). */
  variant: SemanticVariant;
  model?: ZsMethod;
  /** SGD steps per round of each part (meta's default otherwise). */
  steps?: number;
  /** GZSL calibrated stacking penalty on the seen classes (default 0: raw). */
  seenPenalty?: number;
  /** A class table (else ppfm.json's classEmbeddings, else the built-in table of the class names). */
  table?: SemanticTable;
  /** Classes nobody trains on (else ppfm.json's zeroShot.unseen). */
  unseen?: number[];
  /** Any other setting of meta's zero-shot config (network sizes, learning rates: tests, experiments). */
  config?: Partial<ZsConfig>;
}

/** An evaluation; in zero-shot mode on a split with unseen classes, with its ZSL and GZSL scores. */
export type ZsEvalResult = EvalResult & { zs?: ZsScores };

/** What the engine reports once its data is loaded. */
export interface LearnerInfo {
  backend: string;
  dataName: string;
  samples: number;
  trainSamples: number;
  task: TaskModel;
  /** Fingerprint of the training split (what the peer publishes; its feature moments feed the scaler). */
  fingerprint: Fingerprint;
  /**
   * The shared initial network of this task (cfg.initSeed, without the input scaler): every peer
   * with the same task derives the same; a cluster's first model is it behind the cluster's scaler.
   */
  netInit: WeightSet;
}

/** One local training run from `theta` (meta's memberUpdate): the update, or why it was withheld. */
export type TrainResult =
  | { kind: 'update'; delta: WeightSet; samples: number; lossBefore: number; lossAfter: number; ms: number }
  | { kind: 'diverged'; reason: string; lossBefore: number; lossAfter: number; ms: number };

/** Personalised evaluation of a cluster model on the peer's held-out split. */
export interface PersonalResult {
  before: EvalResult;
  after: EvalResult;
  weights: WeightSet;
}

/** One member's update as the head aggregates it. */
export interface HeadUpdateIn {
  from: string;
  delta: WeightSet;
  samples: number;
}

/** The head's end of a round (meta's headRound): cluster step, global step, the check on its own data. */
export interface HeadRoundArgs {
  theta: WeightSet;
  updates: HeadUpdateIn[];
  /** The newest known models of the other clusters (global level). */
  others: WeightSet[];
  global: WeightSet | undefined;
  sharedPart: 'body' | 'head';
}

export type { HeadRoundResult };

/** The learning operations a peer uses; every call may run concurrently with the network. */
export interface Learner {
  readonly info: LearnerInfo;
  /** Task-level training on the train split (seeded by `seed`). */
  train(theta: WeightSet, seed: number): Promise<TrainResult>;
  /** The warm-up model for loss-based clustering: one local training from `init`. */
  warmup(init: WeightSet, seed: number): Promise<WeightSet>;
  /** Mean loss and accuracy of `weights` on one split. */
  evaluate(weights: WeightSet, split: 'train' | 'val'): Promise<EvalResult>;
  /** Adapt `theta` on the train split, evaluate before/after on the val split. */
  personalise(theta: WeightSet, seed: number): Promise<PersonalResult>;
  /** The head's end-of-round step (aggregation and its check, off the peer's event loop). */
  headRound(args: HeadRoundArgs): Promise<HeadRoundResult>;
  /**
   * Zero-shot augmentation (needs LearnerInit.augment). member: synthesises the rare classes' top-up,
   * which the following train and personalise calls use; head: returns theta fine-tuned on a
   * class-balanced synthetic set.
   */
  augment(args: AugmentArgs): Promise<AugmentOutcome>;
  /**
   * Keeps the head's synthetic set: the following train and personalise calls add it to the real
   * data, as the simulator's ppfm+zda-head members do (headShares). Replaces the previous one.
   */
  share(set: SharedSet): Promise<void>;
  /** Stops the engine (pending calls reject). */
  close(): Promise<void>;
}

/** A failure inside the learning engine, with the operation that failed. */
export class LearnerError extends Error {
  constructor(
    readonly op: string,
    message: string,
    /** The original error's name inside the engine (e.g. meta's DataError), when known. */
    readonly causeName?: string,
  ) {
    super(message);
    this.name = 'LearnerError';
  }
}
