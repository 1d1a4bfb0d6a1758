/** Hard caps every decoder enforces before allocating; configurable per call. */
export interface Limits {
  /** Maximum encoded size of any message or weights blob, in bytes. */
  maxBytes: number;
  /** Maximum encoded size of a gossip message that carries no weights (fingerprint, heartbeat...). */
  maxControlBytes: number;
  /** Maximum number of tensors in a WeightSet. */
  maxTensors: number;
  /** Maximum elements (product of the shape) of one tensor. */
  maxElementsPerTensor: number;
  /** Maximum elements summed over all tensors of a WeightSet. */
  maxTotalElements: number;
  /** Maximum tensor rank. */
  maxRank: number;
  /** Maximum tensor-name length in bytes. */
  maxNameLength: number;
  /** Maximum length of an id or short string (peer id, cluster id, model id, error code). */
  maxStringLength: number;
  /** Maximum length of a free-text error message. */
  maxMessageLength: number;
  /** Maximum number of classes (label histogram length). */
  maxClasses: number;
  /** Maximum projection dimensions of the input-moment sketch. */
  maxSketchDims: number;
  /** Maximum length of the flattened class-conditional sketch (classes x dims). */
  maxClassSketch: number;
  /** Maximum rank of a fingerprint's input shape. */
  maxInputRank: number;
  /** Maximum number of candidate models scored in one loss report. */
  maxLossCandidates: number;
  /** Maximum length of a fingerprint's featureMean (and featureStd): input features of the scaler. */
  maxFeatureMoments: number;
  /** Maximum number of members a round-open may list. */
  maxMembers: number;
  /** Maximum number of peers in one peer-exchange list (and in a request's `max`). */
  maxPeers: number;
  /** Maximum number of addresses per peer in a peer-exchange list. */
  maxPeerAddrs: number;
  /** Maximum length of one binary multiaddr, in bytes. */
  maxAddrBytes: number;
}

/** Defaults sized for PPFM's models (1M parameters is 4 MiB in float32) with headroom. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxBytes: 64 * 1024 * 1024,
  maxControlBytes: 1024 * 1024,
  maxTensors: 1024,
  maxElementsPerTensor: 16 * 1024 * 1024,
  maxTotalElements: 16 * 1024 * 1024,
  maxRank: 8,
  maxNameLength: 128,
  maxStringLength: 128,
  maxMessageLength: 1024,
  maxClasses: 4096,
  maxSketchDims: 1024,
  maxClassSketch: 65536,
  maxInputRank: 8,
  maxLossCandidates: 1024,
  maxFeatureMoments: 65536,
  maxMembers: 1024,
  maxPeers: 256,
  maxPeerAddrs: 8,
  maxAddrBytes: 256,
});

/** Largest term or round on the wire (2^31 - 1): uint32 fields, but `term + 1` must still fit. */
export const MAX_COUNTER = 0x7fffffff;
/** Longest head lease a receiver accepts, in ms: a longer one would let a dead head block failover. */
export const MAX_LEASE_MS = 60_000;
/** Largest capacity score in a fingerprint (capacities are small, comparable scores). */
export const MAX_CAPACITY = 16;

/** Merges caller overrides into the defaults (the frozen defaults themselves when there are none). */
export function resolveLimits(limits?: Partial<Limits>): Readonly<Limits> {
  return limits === undefined ? DEFAULT_LIMITS : { ...DEFAULT_LIMITS, ...limits };
}
