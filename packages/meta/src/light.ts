// @ppfm/meta/light: the part of the learning core that needs no tfjs (seeds, weight arithmetic,
// aggregation, Reptile steps, fingerprints, clustering, input scaling, acceptance and refinement
// rules). A process that only orchestrates (the networked peer's main thread; training runs in
// its worker) imports this and never loads tfjs: about 40 MB of RSS and 1.3 s of start-up CPU
// per peer. Same functions as the main entry, not copies.
export * from './rng.js';
export type { NamedTensor, WeightSet, Dataset } from './types.js';
export type { EvalResult } from './evaluate.js';
export type { BackendPreference } from './backend.js';
export {
  defaultModelSpec,
  parseModelSpec,
  resolveLayers,
  specHasConv,
  weightSignature,
  type Activation,
  type LayerSpec,
  type ModelSpec,
  type TensorSignature,
} from './model-spec.js';
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
export { adjustedRandIndex } from './ari.js';
export { DEFAULT_PPFM_CONFIG, type PpfmConfig } from './config.js';
export {
  DEFAULT_ABS_FLOOR,
  DEFAULT_REL_FLOOR,
  DEFAULT_WEIGHT_CAP,
  SCALED_CLIP,
  SCALER_SCALE,
  SCALER_SHIFT,
  identityScaler,
  isIdentityScaler,
  isScalerTensor,
  poolScaler,
  splitModel,
  withScaler,
  type FeatureMoments,
  type PoolScalerOptions,
  type Scaler,
} from './ppfm/scaler.js';
export { clusterScaler, featureCount, ppfmSeeds, type TaskModel } from './ppfm/task-shape.js';
export {
  headStep,
  type DiscardReason,
  type HeadStepInput,
  type HeadStepResult,
  type HeadUpdate,
} from './ppfm/head-step.js';
export { acceptCandidate } from './ppfm/accept.js';
export { chooseSharedPart, sharedTensors, type SharedPart } from './ppfm/shared-part.js';
export { agglomerate } from './ppfm/linkage.js';
export {
  DEFAULT_REFINE_OPTIONS,
  DEFAULT_REFINEMENT_CONFIG,
  LossMatrix,
  lowestLoss,
  makeLossReport,
  refineByLoss,
  shouldRefine,
  type AddResult,
  type LossReport,
  type RefineOptions,
  type Refinement,
  type RefinementConfig,
} from './ppfm/refine.js';
export { momentsOf } from './ppfm/moments.js';
export * from './privacy/index.js';
export { clusterLabelCounts, teacherClusters, MAX_SNAP_LOW, ZDA_SNAP_LOW } from './augment/teachers.js';
