// RoundOpen: a head opens a round on its cluster topic, naming the members it expects.
import { ok, type Result } from '../errors.js';
import { checkClusterId, checkPeerId, checkSpecHash } from '../ids.js';
import type { Limits } from '../limits.js';
import type * as pb from '../pb/messages.pb.js';
import { checkAll, checkCounter, checkIdList, checkSentAt, checkUint, isFail } from '../wire/checks.js';
import { idBytes, type FieldSpecs } from '../wire/frame.js';

/** A head opens a round; members have deadlineMs (relative) to push updates against specHash. */
export interface RoundOpenMsg {
  kind: 'round_open';
  cluster: string;
  round: number;
  term: number;
  head: string;
  deadlineMs: number;
  specHash: string;
  /** The members the head expects: distinct peer ids in ascending order, at most maxMembers. */
  members: string[];
  /** Send time, ms since the Unix epoch. */
  sentAt: number;
}

/** Wire layout of a RoundOpen body. */
export function roundOpenFields(lim: Limits): FieldSpecs {
  return {
    1: { name: 'cluster', wire: 2, maxBytes: idBytes(lim) },
    2: { name: 'round', wire: 0 },
    3: { name: 'term', wire: 0 },
    4: { name: 'head', wire: 2, maxBytes: idBytes(lim) },
    5: { name: 'deadlineMs', wire: 0 },
    6: { name: 'specHash', wire: 2, maxBytes: idBytes(lim) },
    7: { name: 'members', wire: 2, maxBytes: idBytes(lim), maxCount: lim.maxMembers },
    8: { name: 'sentAt', wire: 0, wide: true },
  };
}

/** Validates a decoded RoundOpen body. */
export function roundOpenFromPb(m: pb.RoundOpen, lim: Limits): Result<RoundOpenMsg> {
  const cluster = checkClusterId(m.cluster, lim.maxStringLength);
  if (isFail(cluster)) return cluster;
  const head = checkPeerId(m.head, lim.maxStringLength, 'head');
  if (isFail(head)) return head;
  const hash = checkSpecHash(m.specHash);
  if (isFail(hash)) return hash;
  const counters = checkAll([
    [checkCounter, m.term, 'term'],
    [checkCounter, m.round, 'round'],
    [checkUint, m.deadlineMs, 'deadlineMs'],
  ]);
  if (isFail(counters)) return counters;
  const members = checkIdList(
    m.members,
    'members',
    lim.maxMembers,
    (s, f) => checkPeerId(s, lim.maxStringLength, f),
    true,
  );
  if (isFail(members)) return members;
  const sentAt = checkSentAt(m.sentAt);
  if (isFail(sentAt)) return sentAt;
  return ok({
    kind: 'round_open',
    cluster: cluster.value,
    round: m.round,
    term: m.term,
    head: head.value,
    deadlineMs: m.deadlineMs,
    specHash: hash.value,
    members: members.value,
    sentAt: sentAt.value,
  });
}

/** Builds the protobuf body. */
export function roundOpenToPb(m: RoundOpenMsg): pb.RoundOpen {
  return {
    cluster: m.cluster,
    round: m.round,
    term: m.term,
    head: m.head,
    deadlineMs: m.deadlineMs,
    specHash: m.specHash,
    members: m.members,
    sentAt: m.sentAt,
  };
}
