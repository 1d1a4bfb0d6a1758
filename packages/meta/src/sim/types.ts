import type { BackendName, Dataset, ModelSpec, PpfmConfig } from './core.js';

/** The federation methods the simulator compares. */
export type MethodName = 'local' | 'fedavg' | 'fedavg-ft' | 'ifca' | 'oracle' | 'ppfm';

/** Every method, in the order the report prints them. */
export const ALL_METHODS: readonly MethodName[] = ['local', 'fedavg', 'fedavg-ft', 'ifca', 'oracle', 'ppfm'];

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
