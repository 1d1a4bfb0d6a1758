// Public API of @ppfm/meta. Data loaders and the RNG are owned by their modules; the rest is the learning core.
export * from './data/index.js';
export * from './rng.js';

export type { NamedTensor, WeightSet } from './types.js';
export { selectBackend, currentBackend, type BackendName, type BackendPreference } from './backend.js';
export {
  BN_AUGMENT_MOMENTUM,
  BN_DEFAULT_EPSILON,
  BN_DEFAULT_MOMENTUM,
  defaultAugmentSpec,
  defaultModelSpec,
  isRunningStat,
  specHasBatchNorm,
  parseModelSpec,
  resolveLayers,
  specHasConv,
  weightSignature,
  type Activation,
  type LayerSpec,
  type ModelSpec,
  type TensorSignature,
} from './model-spec.js';
export { initWeights, clearModelCache, assertTrainable } from './model.js';
export { trainLocal, type OptimizerName, type TrainOptions } from './train.js';
export { evaluate, predictLogits, scoreLogits, type EvalResult } from './evaluate.js';
export {
  add,
  addScaled,
  allFinite,
  cloneWeights,
  norm,
  parameterCount,
  scale,
  sharedTensorNames,
  subtract,
  tensorsCompatible,
  weightSetsCompatible,
  zerosLike,
} from './weights.js';
export {
  aggregate,
  AGGREGATOR_NAMES,
  AUTO_MEDIAN_MIN_UPDATES,
  AUTO_ROBUST_MIN_UPDATES,
  DEFAULT_TRIM,
  medianOf,
  norm64,
  normaliseAggregator,
  resolveAggregator,
  type AggregateOptions,
  type Aggregator,
  type AggregatorName,
  type ConcreteAggregator,
  type WeightedDelta,
} from './aggregate.js';
export { reptileStep, clusterStep, globalStep, initGlobal, blendBack, type MemberUpdate } from './reptile.js';
export {
  computeFingerprint,
  fingerprintDistance,
  fingerprintDistanceParts,
  DEFAULT_DISTANCE_WEIGHTS,
  DEFAULT_PROJECTION_DIMS,
  featureMoments,
  INCOMPATIBLE_DISTANCE,
  MAX_FEATURE_MOMENTS,
  isWellFormedFingerprint,
  PROJECTION_SEED,
  type DistanceParts,
  type DistanceWeights,
  type Fingerprint,
  type FingerprintOptions,
} from './fingerprint.js';
export { clusterFingerprints, type ClusterOptions, type ClusterResult } from './clustering.js';
export { ifcaAssign, type IfcaCandidate, type IfcaResult } from './ifca.js';
export { personalise, type PersonaliseOptions, type PersonaliseResult } from './personalise.js';
export { adjustedRandIndex } from './ari.js';
export { DEFAULT_PPFM_CONFIG, type PpfmConfig } from './config.js';
export * from './ppfm/index.js';
export * from './sim/index.js';
export * from './zeroshot/index.js';
export * from './privacy/index.js';
export * from './augment/index.js';
