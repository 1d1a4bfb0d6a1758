// HeadLease: a head's claim on its cluster for leaseMs, on the heads and cluster topics.
import { fail, ok, type Result } from '../errors.js';
import { checkClusterId, checkPeerId } from '../ids.js';
import { MAX_LEASE_MS, type Limits } from '../limits.js';
import type * as pb from '../pb/messages.pb.js';
import { checkAll, checkCounter, checkSentAt, checkUint, isFail } from '../wire/checks.js';
import { idBytes, type FieldSpecs } from '../wire/frame.js';

/** A head's lease on its cluster; valid for leaseMs (<= MAX_LEASE_MS) after receipt. */
export interface HeadLeaseMsg {
  kind: 'head_lease';
  cluster: string;
  head: string;
  /** Election term, <= 2^31 - 1. */
  term: number;
  round: number;
  leaseMs: number;
  /** Send time, ms since the Unix epoch. */
  sentAt: number;
}

/** Wire layout of a HeadLease body. */
export function headLeaseFields(lim: Limits): FieldSpecs {
  return {
    1: { name: 'cluster', wire: 2, maxBytes: idBytes(lim) },
    2: { name: 'head', wire: 2, maxBytes: idBytes(lim) },
    3: { name: 'term', wire: 0 },
    4: { name: 'round', wire: 0 },
    5: { name: 'leaseMs', wire: 0 },
    6: { name: 'sentAt', wire: 0, wide: true },
  };
}

/** Validates a decoded HeadLease body. */
export function headLeaseFromPb(m: pb.HeadLease, lim: Limits): Result<HeadLeaseMsg> {
  const cluster = checkClusterId(m.cluster, lim.maxStringLength);
  if (isFail(cluster)) return cluster;
  const head = checkPeerId(m.head, lim.maxStringLength, 'head');
  if (isFail(head)) return head;
  const counters = checkAll([
    [checkCounter, m.term, 'term'],
    [checkCounter, m.round, 'round'],
    [checkUint, m.leaseMs, 'leaseMs'],
  ]);
  if (isFail(counters)) return counters;
  if (m.leaseMs > MAX_LEASE_MS) return fail('bad_value', `lease above ${MAX_LEASE_MS} ms`, 'leaseMs');
  const sentAt = checkSentAt(m.sentAt);
  if (isFail(sentAt)) return sentAt;
  return ok({
    kind: 'head_lease',
    cluster: cluster.value,
    head: head.value,
    term: m.term,
    round: m.round,
    leaseMs: m.leaseMs,
    sentAt: sentAt.value,
  });
}

/** Builds the protobuf body. */
export function headLeaseToPb(m: HeadLeaseMsg): pb.HeadLease {
  return {
    cluster: m.cluster,
    head: m.head,
    term: m.term,
    round: m.round,
    leaseMs: m.leaseMs,
    sentAt: m.sentAt,
  };
}
