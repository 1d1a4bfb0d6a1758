/** The model a peer trains: the learning rule's task (spec plus input/output shape). */
export type { TaskModel } from '../ppfm/task.js';

/**
 * Per-feature statistics of the inputs in the model's input units, which the synthesiser uses to start
 * and to step in standardised units: x = mean + std * z. Without them it assumes the model sees
 * standardised inputs (mean 0, std 1) and leaves x unbounded.
 */
export interface InputStats {
  mean: Float32Array;
  /** A feature with std 0 (e.g. an always-black border pixel) stays at its mean. */
  std: Float32Array;
  /** Optional per-feature bounds (e.g. the pixel range seen in the data): x is projected into them. */
  min?: Float32Array;
  max?: Float32Array;
}

/** Progress of a synthesis, reported every few steps and at the end. */
export interface SynthesisProgress {
  step: number;
  steps: number;
  /** Total loss and its parts, on the last step. */
  loss: number;
  bnLoss: number;
  ceLoss: number;
  ms: number;
}

/** Options of synthesise. */
export interface SynthesiseOptions {
  /** The classes to make (each 0..numClasses-1; a class may repeat to get more of it). */
  classes: number[];
  /** Samples per listed class. */
  perClass: number;
  /** Upper bound on optimisation steps. */
  steps: number;
  /** Adam learning rate, in standardised input units. */
  lr: number;
  seed: number;
  /** Upper bound on wall time: no step starts after it (so the overrun is at most one step). */
  timeBudgetMs?: number;
  onProgress?: (p: SynthesisProgress) => void;
  inputStats?: InputStats;
  /** Weight of the batch-norm statistics term (default 1). */
  bnWeight?: number;
  /** Weight of the cross-entropy to the wanted class (default 1). */
  ceWeight?: number;
  /** Weight of the L2 prior on the standardised input (default 1e-3). */
  l2Weight?: number;
  /**
   * Weight of the total-variation prior for image inputs [h, w] or [h, w, c] (default 0: measured no gain
   * on MNIST, and on wasm it doubles a step's cost; ignored for flat inputs).
   */
  tvWeight?: number;
  /** Cancels the synthesis between steps (the samples made so far are returned). */
  signal?: AbortSignal;
}

/** How close the synthetic batch is to what the model expects. */
export interface SynthesisDiagnostics {
  /**
   * Worst batch-norm layer's RMS over features of (batch mean - running mean) / running std: 0.1 means the
   * batch means sit a tenth of a running standard deviation away from the running means.
   */
  bnMeanGap: number;
  /** Worst layer's RMS over features of |log(batch var / running var)| (0.2: about 20 % off). */
  bnVarGap: number;
  /** Fraction of the samples the model classifies as their wanted class. */
  hitRate: number;
  steps: number;
  /** Why the optimisation stopped. */
  stopped: 'steps' | 'time' | 'aborted';
  ms: number;
  /** The slowest single step (ms): the bound on how far a time budget can be overrun. */
  maxStepMs: number;
}

/** Synthetic samples (row-major, in the model's input units), their labels and diagnostics. */
export interface SynthesisResult {
  x: Float32Array;
  y: Int32Array;
  inputShape: number[];
  diagnostics: SynthesisDiagnostics;
}
