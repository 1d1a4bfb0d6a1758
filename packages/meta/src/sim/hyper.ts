import type { Aggregator, PpfmConfig } from './core.js';

/** The hyper-parameters the simulator reads from the shared PPFM config. */
export interface SimHyper {
  innerEpochs: number;
  innerSteps?: number;
  batchSize: number;
  lr: number;
  momentum: number;
  reptileEps: number;
  globalEps: number;
  blendBeta: number;
  adaptSteps: number;
  adaptLr: number;
  aggregator: Aggregator;
  trim: number;
  fingerprintDims: number;
  initSeed: number;
}

/** Reads the simulator's hyper-parameters from the shared PPFM config. */
export function hyperFrom(c: PpfmConfig): SimHyper {
  return {
    innerEpochs: c.innerEpochs,
    ...(c.innerSteps !== undefined ? { innerSteps: c.innerSteps } : {}),
    batchSize: c.batchSize,
    lr: c.lr,
    momentum: c.momentum,
    reptileEps: c.eps,
    globalEps: c.globalEps,
    blendBeta: c.blendBeta,
    adaptSteps: c.adaptSteps,
    adaptLr: c.adaptLr,
    aggregator: c.aggregator,
    trim: c.trim,
    fingerprintDims: c.fingerprintDims,
    initSeed: c.initSeed,
  };
}
