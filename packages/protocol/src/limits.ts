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
});

/** Merges caller overrides into the defaults. */
export function resolveLimits(limits?: Partial<Limits>): Limits {
  return limits === undefined ? { ...DEFAULT_LIMITS } : { ...DEFAULT_LIMITS, ...limits };
}
