// Secure aggregation for one cluster round (Bonawitz et al. 2017 / SecAgg+ style): messages,
// arithmetic and the member and head state machines. See docs/privacy.md.
export * from './types.js';
export {
  applyMask,
  chooseFracBits,
  decodeFixedPoint,
  DEFAULT_SECAGG_CLIP,
  defaultThreshold,
  encodeFixedPoint,
  expandMask,
  MAX_SECAGG_LENGTH,
  MAX_SECAGG_MEMBERS,
  meanErrorBound,
  MIN_FRAC_BITS,
  ringAddInto,
  ringSubInto,
  secAggParams,
  sumErrorBound,
} from './arithmetic.js';
export { advertSigningBytes, type AdvertBody } from './context.js';
export { decodeSecAgg, encodeSecAgg } from './codec.js';
export {
  DEFAULT_SECAGG_LIMITS,
  SECAGG_VERSION,
  type EncryptedShare,
  type KeyAdvertMsg,
  type MaskedInputMsg,
  type RevealedShare,
  type RosterMsg,
  type SecAggLimits,
  type SecAggMessage,
  type ShareDeliveryMsg,
  type ShareKeysMsg,
  type SignedAdvert,
  type UnmaskRequestMsg,
  type UnmaskResponseMsg,
} from './messages.js';
export {
  SecAggMember,
  type SecAggDelivered,
  type SecAggMemberInit,
  type SecAggMemberState,
} from './member.js';
export {
  SecAggHead,
  type SecAggBroadcast,
  type SecAggFinished,
  type SecAggHeadInit,
  type SecAggHeadState,
} from './head.js';
export {
  ed25519Identities,
  simulateSecAgg,
  type PartyCost,
  type SimulatedIdentities,
  type SimulateOptions,
  type SimulateReport,
} from './simulate.js';
