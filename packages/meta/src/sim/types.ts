import type { BackendName, Dataset, ModelSpec, PpfmConfig } from './core.js';

/** The federation methods the simulator compares. */
export type MethodName =
  'local' | 'fedavg' | 'fedavg-ft' | 'ifca' | 'oracle' | 'ppfm' | 'ppfm+zda-member' | 'ppfm+zda-head';

/** Every method, in the order the report prints them. */
export const ALL_METHODS: readonly MethodName[] = [
  'local',
  'fedavg',
  'fedavg-ft',
  'ifca',
  'oracle',
  'ppfm',
  'ppfm+zda-member',
  'ppfm+zda-head',
];

/** What `simulate` runs without a method list: the zero-shot augmentation methods need a batch-norm model. */
export const DEFAULT_METHODS: readonly MethodName[] = [
  'local',
  'fedavg',
  'fedavg-ft',
  'ifca',
  'oracle',
  'ppfm',
];

/** Mean, worst peer and standard deviation (population, across peers) of per-peer accuracies. */
export interface FairnessStats {
  mean: number;
  min: number;
  std: number;
}

/** Accuracy across peers on their own held-out splits and on class-balanced test sets, and synthesis cost. */
export interface FairnessReport {
  own: FairnessStats;
  balanced: FairnessStats;
  /** Per-peer accuracy on the balanced test set. */
  balancedAcc: number[];
  /** The cluster models before personalisation, on the balanced test sets. */
  published: FairnessStats;
  /** Zero-shot augmentation methods: samples synthesised in all, and the seconds it took. */
  synthesis?: { made: number; seconds: number };
}

/** Settings of the `ppfm+zda-*` methods (defaults: ZDA_SIM_DEFAULTS). */
export interface ZdaSimOptions {
  /** member: a class is topped up when below this share of the member's samples. */
  threshold: number;
  /** head: synthetic samples per class. */
  perClass: number;
  /** Synthesis steps and Adam learning rate. */
  steps: number;
  lr: number;
  /** Wall-time bound of one synthesis, ms (none when undefined). */
  timeBudgetMs?: number;
  /** Synthetic raw values this close (share of the range) to the low end are set to it (snapToLow). */
  snapLow: number;
  /** head: fine-tuning steps and learning rate on the synthetic set. */
  fineTuneSteps: number;
  fineTuneLr: number;
  /** member: personalise on the augmented split too (the peer's final model then keeps every class). */
  augmentPersonalisation: boolean;
  /** member: the share rare classes are topped up to before personalisation (default: threshold). */
  personalThreshold?: number;
  /**
   * head: the head also hands its synthetic set to its members, who add it to their local steps and
   * personalisation (one synthesis per cluster instead of one per member).
   */
  headShares: boolean;
  /**
   * Classes a cluster has below `threshold` are synthesised from the cluster model with the largest share
   * of them (heads hold every cluster's model after the global level), not from the own model.
   */
  teachers: boolean;
}

/** Progress of one method, reported after each of its rounds (round 0 = setup, e.g. clustering). */
export interface SimulationProgress {
  method: MethodName;
  round: number;
  rounds: number;
  meanAcc?: number;
  clusters?: number[];
  note?: string;
}

/** What `simulate` runs. */
export interface SimulationOptions {
  /** `mnist`, `synthetic` or a dataset path `loadDataset` understands. */
  dataset: string;
  /** Partition spec, e.g. `rotate:4`, `labelswap:4`, `iid`, `dirichlet:0.5`, `synthetic:1,1`. */
  partition: string;
  peers: number;
  rounds: number;
  seed: number;
  methods?: MethodName[];
  backend?: 'auto' | BackendName;
  /** Overrides of DEFAULT_PPFM_CONFIG. */
  config?: Partial<PpfmConfig>;
  /** Cluster count for `ifca` (default: the true group count). */
  k?: number;
  /** Use only the first N samples of the dataset (after a seeded shuffle): small, fast runs. */
  maxSamples?: number;
  /** Model to train (default: defaultModelSpec for the dataset). */
  model?: ModelSpec;
  /**
   * How ppfm finds its clusters: `auto` (fingerprints, loss-based refinement when they do not
   * separate) or `loss` (loss-based only: what a federation whose statistics say nothing gets).
   */
  ppfmClustering?: 'auto' | 'loss';
  /** Evaluate every peer after each round to report a progress meanAcc (costs a forward pass per round). */
  evalEachRound?: boolean;
  /**
   * Peers' data and true groups given directly (measurements on data no partitioner makes, e.g.
   * raw units): `dataset` and `partition` are then only labels and maxSamples is ignored.
   */
  partitioned?: { peers: Dataset[]; truth: number[] };
  /** Hostile members: their updates are transformed before they reach the head (all federated methods). */
  byzantine?: ByzantineOptions;
  /** Overrides of the `ppfm+zda-*` settings. */
  augment?: Partial<ZdaSimOptions>;
  /** Differential privacy of the ppfm method's updates, as `ppfm start --dp-*` applies it. */
  privacy?: SimPrivacyOptions;
  /** Noise on every peer's fingerprint, in sampling standard errors (`ppfm start --fingerprint-noise`). */
  fingerprintNoise?: number;
  onProgress?: (event: SimulationProgress) => void;
}

/**
 * Byzantine members, a seeded choice of round(fraction x peers) peers: 'scale' sends factor x delta
 * (e.g. -50), 'sign-flip' sends -factor x delta (factor default 1).
 */
export interface ByzantineOptions {
  fraction: number;
  attack: 'scale' | 'sign-flip';
  factor?: number;
}

/**
 * DP of the members' updates (ppfm method): clip to L2 norm `clip`, noise multiplier `sigma` on the
 * round's release; with `secureAgg` each member adds sigma / sqrt(t) and the head sees only the mean.
 */
export interface SimPrivacyOptions {
  clip: number;
  sigma: number;
  /** delta of the reported epsilon. */
  delta: number;
  secureAgg: boolean;
}

/** What the rule's guards did during a method's run. */
export interface RuleEvents {
  /** Member updates not sent because memberUpdate reported divergence. */
  diverged: number;
  /** Updates the head left out (non-finite, wrong shape, norm). */
  discarded: number;
  /** Candidate cluster models the head refused (acceptCandidate). */
  rejected: number;
}

/** The outcome of one method. Scores are over honest peers only when `byzantine` was set. */
export interface MethodResult {
  /** Mean over peers of accuracy on each peer's own held-out split. */
  meanAcc: number;
  /** Worst peer's accuracy. */
  minAcc: number;
  /** Standard deviation of accuracy across peers. */
  stdAcc: number;
  /** Mean over peers of balanced accuracy (mean per-class recall). */
  balancedAcc: number;
  /** Adjusted Rand index of the method's clusters against the true groups. */
  ari?: number;
  rounds: number;
  /** Wall-clock seconds the method took (shared work, e.g. fedavg's run inside fedavg-ft, included). */
  seconds: number;
  /** Final cluster of each peer (methods with clusters). */
  clusters?: number[];
  /** Accuracy of each peer (every peer, hostile ones included). */
  peerAcc: number[];
  events?: RuleEvents;
  /** Spread across peers on their own splits and on class-balanced test sets (`ppfm+zda-*` and fairness runs). */
  fairness?: FairnessReport;
  /** With `privacy`: the epsilon each member spent (at privacy.delta) over the run's releases. */
  epsilon?: number;
}

/** The outcome of `simulate`. */
export interface SimulationResult {
  dataset: string;
  partition: string;
  peers: number;
  rounds: number;
  seed: number;
  backend: BackendName;
  /** True group of each peer. */
  truth: number[];
  methods: Partial<Record<MethodName, MethodResult>>;
}
