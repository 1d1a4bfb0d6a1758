// Ack: the positive reply to an update push.
import { ok, type Result } from '../errors.js';
import { checkClusterId } from '../ids.js';
import type { Limits } from '../limits.js';
import type * as pb from '../pb/messages.pb.js';
import { checkCounter, isFail } from '../wire/checks.js';
import { idBytes, type FieldSpecs } from '../wire/frame.js';

/** Positive reply on a direct stream. */
export interface AckMsg {
  kind: 'ack';
  cluster: string;
  round: number;
}

/** Wire layout of an Ack body. */
export function ackFields(lim: Limits): FieldSpecs {
  return {
    1: { name: 'cluster', wire: 2, maxBytes: idBytes(lim) },
    2: { name: 'round', wire: 0 },
  };
}

/** Validates a decoded Ack body. */
export function ackFromPb(m: pb.Ack, lim: Limits): Result<AckMsg> {
  const cluster = checkClusterId(m.cluster, lim.maxStringLength);
  if (isFail(cluster)) return cluster;
  const r = checkCounter(m.round, 'round');
  if (isFail(r)) return r;
  return ok({ kind: 'ack', cluster: cluster.value, round: m.round });
}

/** Builds the protobuf body. */
export function ackToPb(m: AckMsg): pb.Ack {
  return { cluster: m.cluster, round: m.round };
}
