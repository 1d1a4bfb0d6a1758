// UpdateEnvelope: a member's weight difference pushed to its head over /ppfm/1/update/push.
import { ok, type Result } from '../errors.js';
import { checkClusterId, checkSpecHash } from '../ids.js';
import type { Limits } from '../limits.js';
import type * as pb from '../pb/messages.pb.js';
import { checkAll, checkCounter, checkUint, isFail } from '../wire/checks.js';
import { idBytes, type FieldSpecs } from '../wire/frame.js';
import { encodeWeights, type Codec } from '../weights-codec.js';
import type { WeightSet } from '../weights.js';
import { assertSpecHash, checkTensors, type Expect } from './tensors.js';

/** A member's weight difference (phi_i - theta_c) for a round. specHash must equal specHash(weights). */
export interface UpdateEnvelopeMsg {
  kind: 'update';
  cluster: string;
  baseRound: number;
  term: number;
  sampleCount: number;
  specHash: string;
  codec: Codec;
  weights: WeightSet;
}

/** Wire layout of an UpdateEnvelope body: the weights blob comes last. */
export function updateFields(lim: Limits): FieldSpecs {
  return {
    1: { name: 'cluster', wire: 2, maxBytes: idBytes(lim) },
    2: { name: 'baseRound', wire: 0 },
    3: { name: 'term', wire: 0 },
    4: { name: 'sampleCount', wire: 0 },
    5: { name: 'specHash', wire: 2, maxBytes: idBytes(lim) },
    6: { name: 'weights', wire: 2, maxBytes: lim.maxBytes, last: true },
  };
}

/** Header checks of an update envelope, without its weights. */
export function updateHeaderFromPb(
  m: Omit<pb.UpdateEnvelope, 'weights'>,
  lim: Limits,
): Result<Omit<UpdateEnvelopeMsg, 'codec' | 'weights'>> {
  const cluster = checkClusterId(m.cluster, lim.maxStringLength);
  if (isFail(cluster)) return cluster;
  const hash = checkSpecHash(m.specHash);
  if (isFail(hash)) return hash;
  const counters = checkAll([
    [checkCounter, m.baseRound, 'baseRound'],
    [checkCounter, m.term, 'term'],
    [checkUint, m.sampleCount, 'sampleCount'],
  ]);
  if (isFail(counters)) return counters;
  return ok({
    kind: 'update',
    cluster: cluster.value,
    baseRound: m.baseRound,
    term: m.term,
    sampleCount: m.sampleCount,
    specHash: hash.value,
  });
}

/** Validates a decoded UpdateEnvelope body, tensors included. */
export function updateFromPb(m: pb.UpdateEnvelope, lim: Limits, expect?: Expect): Result<UpdateEnvelopeMsg> {
  const header = updateHeaderFromPb(m, lim);
  if (isFail(header)) return header;
  const t = checkTensors(m.specHash, m.weights, lim, expect, 'update');
  if (isFail(t)) return t;
  return ok({ ...header.value, ...t.value });
}

/** Builds the protobuf body (encodes the weights); throws ProtocolEncodeError if invalid. */
export function updateToPb(m: UpdateEnvelopeMsg): pb.UpdateEnvelope {
  assertSpecHash(m);
  return {
    cluster: m.cluster,
    baseRound: m.baseRound,
    term: m.term,
    sampleCount: m.sampleCount,
    specHash: m.specHash,
    weights: encodeWeights(m.weights, m.codec),
  };
}
