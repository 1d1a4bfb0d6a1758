// ModelEnvelope: a model on a direct stream (the reply to a fetch request).
import { ok, type Result } from '../errors.js';
import { checkModelId, checkSpecHash } from '../ids.js';
import type { Limits } from '../limits.js';
import type * as pb from '../pb/messages.pb.js';
import { checkAll, checkCounter, isFail } from '../wire/checks.js';
import { idBytes, type FieldSpecs } from '../wire/frame.js';
import { scopeFromPb, scopeToPb, type Scope } from '../wire/scope.js';
import { encodeWeights, type Codec } from '../weights-codec.js';
import type { WeightSet } from '../weights.js';
import { assertSpecHash, checkTensors, type Expect } from './tensors.js';

/** A cluster, global or warm-up model. specHash must equal specHash(weights). */
export interface ModelEnvelopeMsg {
  kind: 'model';
  modelId: string;
  scope: Scope;
  round: number;
  term: number;
  specHash: string;
  codec: Codec;
  weights: WeightSet;
}

/** Wire layout of a ModelEnvelope body: the weights blob comes last. */
export function modelFields(lim: Limits): FieldSpecs {
  return {
    1: { name: 'modelId', wire: 2, maxBytes: idBytes(lim) },
    2: { name: 'cluster', wire: 2, maxBytes: idBytes(lim), oneof: 'scope' },
    7: { name: 'warmupPeer', wire: 2, maxBytes: idBytes(lim), oneof: 'scope' },
    3: { name: 'round', wire: 0 },
    4: { name: 'term', wire: 0 },
    5: { name: 'specHash', wire: 2, maxBytes: idBytes(lim) },
    6: { name: 'weights', wire: 2, maxBytes: lim.maxBytes, last: true },
  };
}

/** Header checks of a model envelope, without its weights. */
export function modelHeaderFromPb(
  m: Omit<pb.ModelEnvelope, 'weights'>,
  lim: Limits,
): Result<Omit<ModelEnvelopeMsg, 'codec' | 'weights'>> {
  const modelId = checkModelId(m.modelId, lim.maxStringLength);
  if (isFail(modelId)) return modelId;
  const scope = scopeFromPb(m, lim);
  if (isFail(scope)) return scope;
  const hash = checkSpecHash(m.specHash);
  if (isFail(hash)) return hash;
  const counters = checkAll([
    [checkCounter, m.round, 'round'],
    [checkCounter, m.term, 'term'],
  ]);
  if (isFail(counters)) return counters;
  return ok({
    kind: 'model',
    modelId: modelId.value,
    scope: scope.value,
    round: m.round,
    term: m.term,
    specHash: hash.value,
  });
}

/** Validates a decoded ModelEnvelope body, tensors included. */
export function modelFromPb(m: pb.ModelEnvelope, lim: Limits, expect?: Expect): Result<ModelEnvelopeMsg> {
  const header = modelHeaderFromPb(m, lim);
  if (isFail(header)) return header;
  const t = checkTensors(m.specHash, m.weights, lim, expect, 'model');
  if (isFail(t)) return t;
  return ok({ ...header.value, ...t.value });
}

/** Builds the protobuf body (encodes the weights); throws ProtocolEncodeError if invalid. */
export function modelToPb(m: ModelEnvelopeMsg): pb.ModelEnvelope {
  assertSpecHash(m);
  return {
    modelId: m.modelId,
    ...scopeToPb(m.scope),
    round: m.round,
    term: m.term,
    specHash: m.specHash,
    weights: encodeWeights(m.weights, m.codec),
  };
}
