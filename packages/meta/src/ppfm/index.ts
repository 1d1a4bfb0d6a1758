/**
 * THE PPFM learning rule, called by both the offline simulator and the networked peer: input
 * scaling, task-level training, the head's cluster + global step, the shared-part choice,
 * loss-based refinement, evaluation and personalisation.
 */
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
} from './scaler.js';
export { scaleDataset } from './scaled-data.js';
export { clusterInit, clusterScaler, featureCount, initModel, ppfmSeeds, type TaskModel } from './task.js';
export {
  divergence,
  evaluateModel,
  innerOptions,
  memberUpdate,
  personaliseModel,
  warmupModel,
  type MemberResult,
} from './local.js';
export {
  headStep,
  type DiscardReason,
  type HeadStepInput,
  type HeadStepResult,
  type HeadUpdate,
} from './head-step.js';
export { acceptCandidate } from './accept.js';
export { headRound, type HeadRoundResult } from './head-round.js';
export { chooseSharedPart, sharedTensors, type SharedPart } from './shared-part.js';
export { agglomerate } from './linkage.js';
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
} from './refine.js';
export { momentsOf } from './moments.js';
