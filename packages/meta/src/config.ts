import type { Aggregator } from './aggregate.js';
import type { OptimizerName } from './train.js';

/** Hyper-parameters shared by the simulator and the networked peer (so their results are comparable). */
export interface PpfmConfig {
  /** Local epochs per round (inner loop), used unless innerSteps is set. */
  innerEpochs: number;
  /** Fixed number of local steps per round instead of epochs (undefined: use innerEpochs). */
  innerSteps?: number;
  batchSize: number;
  /** Inner-loop optimiser (fresh state every round). */
  optimizer: OptimizerName;
  /** Inner-loop learning rate. */
  lr: number;
  /** Momentum for optimizer 'momentum' (ignored otherwise). */
  momentum: number;
  /** Clip every inner step's gradient to this global L2 norm (0: off). */
  clipNorm: number;
  /**
   * How inputs are scaled: 'pooled' standardises them with the moments pooled over the cluster
   * (ppfm/scaler.ts); 'none' feeds raw values (the scaler tensors are the identity).
   */
  inputScaling: 'pooled' | 'none';
  /** poolScaler's relative std floor (PoolScalerOptions.relFloor). */
  scalerFloor: number;
  /** Cluster Reptile step size (1 with 'mean' = FedAvg inside the cluster). */
  eps: number;
  /** Global Reptile step size toward the cluster models' mean on shared tensors. */
  globalEps: number;
  /** Blend-back fraction of the global model into each cluster model. */
  blendBeta: number;
  /** Personalisation: most steps on the peer's train split before evaluation (0: none). */
  adaptSteps: number;
  /** Personalisation learning rate (same optimiser as the inner loop). */
  adaptLr: number;
  /**
   * Fraction of the train split personalisation holds back to pick how far to adapt (the step count
   * with the lowest loss there, 0 included, stopping early); 0 adapts for adaptSteps blindly.
   */
  adaptHoldout: number;
  /** Fraction of each peer's data held out for validation. */
  valFraction: number;
  aggregator: Aggregator;
  /** Fraction trimmed from each end by the trimmed-mean aggregator. */
  trim: number;
  /** clip-mean clips every update to this multiple of the round's median update norm. */
  clipMultiple: number;
  /** The head discards an update whose norm exceeds this multiple of the round's median norm (>= 3 updates). */
  maxNormRatio: number;
  /**
   * ... or this multiple of the cluster model's norm (the scaler excluded). Honest updates measured
   * 0.15-0.57x the model's norm (mnist MLP, 300-4000 samples, first rounds): 5 leaves room for large
   * peers and still catches a x-50 update when a round has too few updates for the median bound.
   */
  maxNormToModel: number;
  /** A member's sample count counts at most this multiple of the round's median count. */
  sampleCapRatio: number;
  /** Fingerprint projection dimensions. */
  fingerprintDims: number;
  /** Seed of the model initialisation (all peers start from the same weights). */
  initSeed: number;
}

/**
 * Defaults, measured (packages/meta/bench/learning.ts, figures in the README): with inputs
 * standardised by the cluster's pooled scaler, Adam at lr 3e-3 with gradients clipped to norm 5 is
 * the best or within 0.005 of the best setting on mnist in [0, 1], mnist in raw 0-255, FedProx
 * synthetic x1000 and a raw 13-feature tabular set (SGD at 0.3 is as good once scaled but diverges
 * unscaled; Adam at 1e-3 is too slow for peers with a few hundred samples). The global level is
 * restricted to the part clusters share (the body for label swaps, the output layer for rotations;
 * see chooseSharedPart). Personalisation picks its step count on a held-back part of the train split.
 */
export const DEFAULT_PPFM_CONFIG: PpfmConfig = {
  innerEpochs: 1,
  batchSize: 32,
  optimizer: 'adam',
  lr: 0.003,
  momentum: 0,
  clipNorm: 5,
  inputScaling: 'pooled',
  scalerFloor: 0.01,
  eps: 1,
  globalEps: 1,
  blendBeta: 1,
  adaptSteps: 200,
  adaptLr: 0.003,
  adaptHoldout: 0.25,
  valFraction: 0.2,
  aggregator: 'auto',
  trim: 0.2,
  clipMultiple: 1,
  maxNormRatio: 4,
  maxNormToModel: 5,
  sampleCapRatio: 4,
  fingerprintDims: 16,
  initSeed: 1,
};
