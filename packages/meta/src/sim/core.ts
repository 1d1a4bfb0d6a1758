// The learning-core and data-layer API the simulator uses, gathered in one place so that the
// simulator depends on a single, explicit surface: the data layer plus the PPFM rule (../ppfm).
export type { Dataset } from '../data/index.js';
export { datasetSize, loadBuiltin, partitionDataset, splitDataset } from '../data/index.js';
export { loadDataset } from '../data/load.js';
export { createRng, deriveSeed } from '../rng.js';
export type { Rng } from '../rng.js';
export type { WeightSet } from '../types.js';
export type { BackendName } from '../backend.js';
export { selectBackend } from '../backend.js';
export type { ModelSpec } from '../model-spec.js';
export { defaultModelSpec } from '../model-spec.js';
export type { PpfmConfig } from '../config.js';
export { DEFAULT_PPFM_CONFIG } from '../config.js';
export { computeFingerprint } from '../fingerprint.js';
export type { Fingerprint } from '../fingerprint.js';
export { clusterFingerprints } from '../clustering.js';
export { adjustedRandIndex } from '../ari.js';
export { scale } from '../weights.js';
export type { PersonaliseResult } from '../personalise.js';
export * from '../ppfm/index.js';
