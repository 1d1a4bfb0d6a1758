// Loss-based cluster refinement is part of the learning rule in @ppfm/meta (src/ppfm/refine.ts),
// shared with the simulator; re-exported here under the names the peer still uses.
export {
  DEFAULT_REFINE_OPTIONS,
  DEFAULT_REFINEMENT_CONFIG,
  LossMatrix,
  lowestLoss,
  makeLossReport,
  refineByLoss,
  refineByLoss as refineClusters,
  shouldRefine,
  type AddResult,
  type LossReport,
  type RefineOptions,
  type Refinement,
  type RefinementConfig,
} from '@ppfm/meta';
