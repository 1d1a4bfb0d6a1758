// The largest frame each direct protocol can legitimately carry, from the model's signature. A
// peer caps a stream at this before reading it, so a 64 MiB push of random bytes is refused at
// its length prefix, not read whole. The bounds follow the encoders byte for byte (tested
// against real encodings): the only slack is in ids shorter than their maximum and padding.
import { resolveLimits, type Limits } from '../limits.js';
import { idBytes, lenField, textBytes, VARINT_FIELD_BYTES } from '../wire/frame.js';
import { DEFAULT_SECAGG_LIMITS } from '../secagg/messages.js';
import { MAX_SYNTHETIC_DIMS, MAX_SYNTHETIC_SAMPLES } from './synthetic.js';
import type { ProtocolId } from '../topics.js';
import type { Codec } from '../weights-codec.js';
import type { TensorSpec } from '../weights.js';

/** What a receiver knows of the model a stream should carry. */
export interface ModelSignature {
  /** Number of tensors. */
  tensors: number;
  /** Total elements over all tensors. */
  elements: number;
  /** The codec the frame may use (pass the widest one accepted). */
  codec: Codec;
  /** Total bytes of the tensor names; default: maxNameLength per tensor. */
  nameBytes?: number;
  /** Total dimensions over all shapes (sum of ranks); default: maxRank per tensor. */
  dims?: number;
}

/** Largest frame a request and a reply may take on one direct protocol. */
export interface FrameBounds {
  request: number;
  reply: number;
}

const BYTES_PER_ELEMENT: Record<Codec, number> = { float32: 4, float16: 2, int8: 1 };
const WEIGHTS_HEADER = 16;
const SPEC_HASH_FIELD = lenField(64);

/** A frame: version field, body tag, body length, body. */
const frame = (body: number): number => 2 + lenField(body);

/** The exact signature of a model spec (names and shapes), for the tightest bounds. */
export function modelSignature(spec: readonly TensorSpec[], codec: Codec): ModelSignature {
  let elements = 0;
  let nameBytes = 0;
  let dims = 0;
  for (const t of spec) {
    elements += t.shape.reduce((a, b) => a * b, 1);
    nameBytes += t.name.length;
    dims += t.shape.length;
  }
  return { tensors: spec.length, elements, codec, nameBytes, dims };
}

/** Upper bound of a weights blob with this signature (see weights-codec.ts for the layout). */
export function maxWeightsBytes(sig: ModelSignature, limits?: Partial<Limits>): number {
  const lim = resolveLimits(limits);
  const names = sig.nameBytes ?? sig.tensors * lim.maxNameLength;
  const dims = sig.dims ?? sig.tensors * lim.maxRank;
  const int8Params = sig.codec === 'int8' ? 8 : 0;
  // Per tensor: u16 name length, u8 rank, int8 parameters, up to 3 bytes of padding.
  const records = sig.tensors * (2 + 1 + int8Params + 3) + names + 4 * dims;
  return WEIGHTS_HEADER + records + sig.elements * BYTES_PER_ELEMENT[sig.codec];
}

/** Upper bound of a model or update envelope frame carrying weights of this signature. */
export function maxEnvelopeBytes(
  kind: 'model' | 'update',
  sig: ModelSignature,
  limits?: Partial<Limits>,
): number {
  const lim = resolveLimits(limits);
  const id = lenField(idBytes(lim));
  const header =
    kind === 'model'
      ? id /* modelId */ + id /* scope */ + 2 * VARINT_FIELD_BYTES + SPEC_HASH_FIELD
      : id /* cluster */ + 3 * VARINT_FIELD_BYTES + SPEC_HASH_FIELD;
  return frame(header + lenField(maxWeightsBytes(sig, lim)));
}

/** Upper bound of an ErrorReply frame. */
function maxErrorBytes(lim: Limits): number {
  return frame(lenField(textBytes(lim)) + VARINT_FIELD_BYTES);
}

/** Upper bound of a PeerList frame. */
function maxPeerListBytes(lim: Limits): number {
  const entry = lenField(idBytes(lim)) + lim.maxPeerAddrs * lenField(lim.maxAddrBytes);
  return frame(lim.maxPeers * lenField(entry));
}

/**
 * Largest request and reply frames on a direct protocol: model fetch (request; reply a model or
 * an error), update push (the update; reply an ack or an error), peers (request; reply a list or
 * an error), view sync (the asker's entries; reply at most a control frame of fingerprints). Without a signature, the model is bounded by the limits alone.
 */
export function directFrameBounds(
  kind: ProtocolId,
  sig?: ModelSignature,
  limits?: Partial<Limits>,
): FrameBounds {
  const lim = resolveLimits(limits);
  const model: ModelSignature = sig ?? {
    tensors: lim.maxTensors,
    elements: lim.maxTotalElements,
    codec: 'float32',
  };
  const error = maxErrorBytes(lim);
  const cap = (n: number): number => Math.min(n, lim.maxBytes);
  switch (kind) {
    case 'model_fetch': {
      const request = frame(lenField(idBytes(lim)) + VARINT_FIELD_BYTES + 2);
      return { request, reply: cap(Math.max(error, maxEnvelopeBytes('model', model, lim))) };
    }
    case 'update_push': {
      const ack = frame(lenField(idBytes(lim)) + VARINT_FIELD_BYTES);
      return { request: cap(maxEnvelopeBytes('update', model, lim)), reply: Math.max(ack, error) };
    }
    case 'peers':
      return { request: frame(VARINT_FIELD_BYTES), reply: Math.max(error, maxPeerListBytes(lim)) };
    case 'view_sync': {
      // The reply of a view sync is a control frame: the responder fills it up to maxControlBytes.
      const entry = lenField(lenField(idBytes(lim)) + VARINT_FIELD_BYTES);
      return {
        request: cap(frame(lim.maxViewEntries * entry)),
        reply: Math.max(error, lim.maxControlBytes),
      };
    }
    case 'secagg': {
      // Requests are secagg frames, the largest a masked input of `elements` + 1 ring elements (the
      // bound decodeSecAgg enforces); replies a control frame or an error, after a one-byte kind tag.
      const sa = DEFAULT_SECAGG_LIMITS;
      const masked = 4 * (model.elements + 1) + 4 * sa.maxStringLength + 64;
      return {
        request: Math.max(sa.maxControlBytes, masked),
        reply: 1 + Math.max(sa.maxControlBytes, error),
      };
    }
    case 'zda_set': {
      // A head's synthetic set (SyntheticSet) at its largest; receivers cap it tighter with
      // syntheticSetBytes(their bound on the count, their model's input size).
      const ack = frame(lenField(idBytes(lim)) + VARINT_FIELD_BYTES);
      return {
        request: cap(syntheticSetBytes(MAX_SYNTHETIC_SAMPLES, MAX_SYNTHETIC_DIMS, lim)),
        reply: Math.max(ack, error),
      };
    }
  }
}

/** Largest SyntheticSet frame of `count` samples of `dims` features. */
export function syntheticSetBytes(count: number, dims: number, limits?: Partial<Limits>): number {
  const lim = resolveLimits(limits);
  return frame(
    lenField(idBytes(lim)) + 4 * VARINT_FIELD_BYTES + lenField(2 * count) + lenField(4 * count * dims),
  );
}

/** The largest frame either side may legitimately send on a direct protocol (see directFrameBounds). */
export function maxFrameBytes(kind: ProtocolId, sig?: ModelSignature, limits?: Partial<Limits>): number {
  const b = directFrameBounds(kind, sig, limits);
  return Math.max(b.request, b.reply);
}
