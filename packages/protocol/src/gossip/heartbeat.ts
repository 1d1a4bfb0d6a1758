// Heartbeat: liveness and anti-entropy beacon on /ppfm/1/fingerprints.
import { fail, ok, type Result } from '../errors.js';
import { checkClusterId, checkPeerId, checkViewDigest } from '../ids.js';
import type { Limits } from '../limits.js';
import * as pb from '../pb/messages.pb.js';
import { checkAll, checkCounter, checkSentAt, checkUint, isFail } from '../wire/checks.js';
import { idBytes, type FieldSpecs } from '../wire/frame.js';

/** A peer's role in its cluster as announced in heartbeats. */
export type Role = 'unassigned' | 'member' | 'head';

/** Liveness beacon; viewSize and viewDigest let a receiver notice that its view differs. */
export interface HeartbeatMsg {
  kind: 'heartbeat';
  peerId: string;
  seq: number;
  cluster?: string;
  role: Role;
  round: number;
  /** seq of the sender's latest fingerprint, so receivers notice a missed one. */
  fingerprintSeq: number;
  /** Number of peers in the sender's view (itself included). */
  viewSize: number;
  /** viewDigest() of the sender's view: 16 lowercase hex chars. */
  viewDigest: string;
  /** Send time, ms since the Unix epoch. */
  sentAt: number;
}

const ROLE_TO_PB: Record<Role, pb.Role> = {
  unassigned: pb.Role.ROLE_UNASSIGNED,
  member: pb.Role.ROLE_MEMBER,
  head: pb.Role.ROLE_HEAD,
};

/** Wire layout of a Heartbeat body. */
export function heartbeatFields(lim: Limits): FieldSpecs {
  return {
    1: { name: 'peerId', wire: 2, maxBytes: idBytes(lim) },
    2: { name: 'seq', wire: 0 },
    3: { name: 'cluster', wire: 2, maxBytes: idBytes(lim) },
    4: { name: 'role', wire: 0 },
    5: { name: 'round', wire: 0 },
    6: { name: 'fingerprintSeq', wire: 0 },
    7: { name: 'viewSize', wire: 0 },
    8: { name: 'viewDigest', wire: 2, maxBytes: idBytes(lim) },
    9: { name: 'sentAt', wire: 0, wide: true },
  };
}

function roleFromPb(r: unknown): Result<Role> {
  switch (r) {
    case pb.Role.ROLE_UNASSIGNED:
      return ok('unassigned');
    case pb.Role.ROLE_MEMBER:
      return ok('member');
    case pb.Role.ROLE_HEAD:
      return ok('head');
    default:
      return fail('bad_value', 'unknown role', 'role');
  }
}

/** Validates a decoded Heartbeat body. */
export function heartbeatFromPb(m: pb.Heartbeat, lim: Limits): Result<HeartbeatMsg> {
  const peerId = checkPeerId(m.peerId, lim.maxStringLength);
  if (isFail(peerId)) return peerId;
  const role = roleFromPb(m.role);
  if (isFail(role)) return role;
  const counters = checkAll([
    [checkUint, m.seq, 'seq'],
    [checkCounter, m.round, 'round'],
    [checkUint, m.fingerprintSeq, 'fingerprintSeq'],
    [checkUint, m.viewSize, 'viewSize'],
  ]);
  if (isFail(counters)) return counters;
  const digest = checkViewDigest(m.viewDigest);
  if (isFail(digest)) return digest;
  const sentAt = checkSentAt(m.sentAt);
  if (isFail(sentAt)) return sentAt;
  const out: HeartbeatMsg = {
    kind: 'heartbeat',
    peerId: peerId.value,
    seq: m.seq,
    role: role.value,
    round: m.round,
    fingerprintSeq: m.fingerprintSeq,
    viewSize: m.viewSize,
    viewDigest: digest.value,
    sentAt: sentAt.value,
  };
  if (m.cluster !== undefined) {
    const c = checkClusterId(m.cluster, lim.maxStringLength);
    if (isFail(c)) return c;
    out.cluster = c.value;
  }
  return ok(out);
}

/** Builds the protobuf body. */
export function heartbeatToPb(m: HeartbeatMsg): pb.Heartbeat {
  const out: pb.Heartbeat = {
    peerId: m.peerId,
    seq: m.seq,
    role: ROLE_TO_PB[m.role],
    round: m.round,
    fingerprintSeq: m.fingerprintSeq,
    viewSize: m.viewSize,
    viewDigest: m.viewDigest,
    sentAt: m.sentAt,
  };
  if (m.cluster !== undefined) out.cluster = m.cluster;
  return out;
}
