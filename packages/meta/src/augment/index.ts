/** Zero-shot data augmentation from batch-norm statistics (FedZDA): synthesiser, member and head steps. */
export { synthesise, SYNTH_BATCH } from './synthesise.js';
export { inputStatsOf, poolInputStats } from './input-stats.js';
export type {
  InputStats,
  SynthesisDiagnostics,
  SynthesiseOptions,
  SynthesisProgress,
  SynthesisResult,
  TaskModel,
} from './types.js';
export { augmentMember, topUpCounts, type MemberAugmentOptions } from './member.js';
export {
  synthesiseFrom,
  AUGMENT_DEFAULTS,
  type AugmentReport,
  type SynthesisSettings,
  type Teacher,
} from './sources.js';
export { headFineTune, HEAD_DEFAULTS, type HeadFineTuneOptions } from './head.js';
export {
  atScalerFloor,
  scalerInputStats,
  snapToLow,
  statsThroughScaler,
  toRawUnits,
  valueRange,
} from './units.js';
export { clusterLabelCounts, teacherClusters, MAX_SNAP_LOW, ZDA_SNAP_LOW } from './teachers.js';
