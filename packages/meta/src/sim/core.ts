// The learning-core and data-layer API the simulator uses, gathered in one place so that the
// simulator depends on a single, explicit surface.
export type { Dataset } from '../data/index.js';
export { datasetSize, loadBuiltin, partitionDataset, splitDataset } from '../data/index.js';
export { loadDataset } from '../data/load.js';
export { createRng } from '../rng.js';
export type { Rng } from '../rng.js';
export type { WeightSet } from '../types.js';
export type { BackendName } from '../backend.js';
export { selectBackend } from '../backend.js';
export type { ModelSpec } from '../model-spec.js';
export { defaultModelSpec } from '../model-spec.js';
export { initWeights } from '../model.js';
export { trainLocal } from '../train.js';
export { evaluate } from '../evaluate.js';
export { aggregate } from '../aggregate.js';
export type { Aggregator } from '../aggregate.js';
export { subtract } from '../weights.js';
export { reptileStep, globalStep, blendBack } from '../reptile.js';
export type { PpfmConfig } from '../config.js';
export { DEFAULT_PPFM_CONFIG } from '../config.js';
export { personalise } from '../personalise.js';
export { computeFingerprint, fingerprintDistanceParts } from '../fingerprint.js';
export type { Fingerprint } from '../fingerprint.js';
export { clusterFingerprints } from '../clustering.js';
export { ifcaAssign } from '../ifca.js';
export { adjustedRandIndex } from '../ari.js';
