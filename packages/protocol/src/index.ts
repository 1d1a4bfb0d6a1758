// @ppfm/protocol: the PPFM wire format. Pure TypeScript; no libp2p runtime, no tfjs.
export * from './errors.js';
export * from './limits.js';
export * from './ids.js';
export * from './weights.js';
export * from './weights-codec.js';
export * from './topics.js';
export { crc32 } from './crc32.js';
export { FLOAT16_MAX, toFloat16Bits, float16BitsToNumber } from './float16.js';

// Messages: gossip and direct streams.
export { PROTOCOL_VERSION } from './wire/frame.js';
export type { Scope } from './wire/scope.js';
export {
  encodeGossip,
  decodeGossip,
  type GossipMessage,
  type FingerprintMsg,
  type HeartbeatMsg,
  type Role,
  type HeadLeaseMsg,
  type RoundOpenMsg,
  type ModelAnnounceMsg,
  type LossReportMsg,
} from './gossip/index.js';
export {
  encodeDirect,
  decodeDirect,
  encodeFetchRequest,
  decodeFetchRequest,
  encodeModelEnvelope,
  decodeModelEnvelope,
  encodeUpdateEnvelope,
  decodeUpdateEnvelope,
  encodeAck,
  decodeAck,
  encodeError,
  decodeError,
  encodePeerListRequest,
  decodePeerListRequest,
  encodePeerList,
  decodePeerList,
  encodeViewSyncRequest,
  decodeViewSyncRequest,
  encodeViewSync,
  decodeViewSync,
  encodeSyntheticSet,
  decodeSyntheticSet,
  type DirectMessage,
} from './direct/index.js';
export { MAX_SYNTHETIC_SAMPLES, MAX_SYNTHETIC_DIMS, type SyntheticSetMsg } from './direct/synthetic.js';
export type { Expect } from './direct/tensors.js';
export type { FetchRequestMsg } from './direct/fetch.js';
export type { ModelEnvelopeMsg } from './direct/model.js';
export type { UpdateEnvelopeMsg } from './direct/update.js';
export type { AckMsg } from './direct/ack.js';
export { DIRECT_ERROR_CODES, type DirectErrorCode, type ErrorMsg } from './direct/error.js';
export type { PeerListRequestMsg, PeerListMsg, PeerAddrs } from './direct/peers.js';
export type {
  ViewSyncRequestMsg,
  ViewSyncMsg,
  ViewSyncEntry,
  SignedFingerprint,
} from './direct/view-sync.js';

// Bounded direct streams: frame caps and header peeking.
export {
  directFrameBounds,
  syntheticSetBytes,
  maxEnvelopeBytes,
  maxFrameBytes,
  maxWeightsBytes,
  modelSignature,
  type FrameBounds,
  type ModelSignature,
} from './direct/bounds.js';
export {
  maxEnvelopeHeaderBytes,
  peekDirectHeader,
  type ControlKind,
  type DirectPeek,
  type ModelHeader,
  type UpdateHeader,
  type WeightsInfo,
} from './direct/peek.js';

// Validation outcomes, freshness, anti-entropy.
export * from './validation.js';
export { checkFreshness, type Freshness } from './freshness.js';
export { viewDigest, type ViewEntry } from './view-digest.js';
export * from './secagg/index.js';
