// ModelAnnounce: a head has a new cluster model (fetch it over /ppfm/1/model/fetch). Published on
// the cluster topic and on the heads topic; the model itself never travels in gossip.
import { ok, type Result } from '../errors.js';
import { checkClusterId, checkPeerId, checkSpecHash } from '../ids.js';
import type { Limits } from '../limits.js';
import type * as pb from '../pb/messages.pb.js';
import { checkAll, checkCounter, checkSentAt, isFail } from '../wire/checks.js';
import { idBytes, type FieldSpecs } from '../wire/frame.js';

/** A head announces the model of `cluster` after `round` under `term`, of spec `specHash`. */
export interface ModelAnnounceMsg {
  kind: 'model_announce';
  cluster: string;
  round: number;
  term: number;
  head: string;
  specHash: string;
  /** Send time, ms since the Unix epoch. */
  sentAt: number;
}

/** Wire layout of a ModelAnnounce body. */
export function modelAnnounceFields(lim: Limits): FieldSpecs {
  return {
    1: { name: 'cluster', wire: 2, maxBytes: idBytes(lim) },
    2: { name: 'round', wire: 0 },
    3: { name: 'term', wire: 0 },
    4: { name: 'head', wire: 2, maxBytes: idBytes(lim) },
    5: { name: 'specHash', wire: 2, maxBytes: idBytes(lim) },
    6: { name: 'sentAt', wire: 0, wide: true },
  };
}

/** Validates a decoded ModelAnnounce body. */
export function modelAnnounceFromPb(m: pb.ModelAnnounce, lim: Limits): Result<ModelAnnounceMsg> {
  const cluster = checkClusterId(m.cluster, lim.maxStringLength);
  if (isFail(cluster)) return cluster;
  const head = checkPeerId(m.head, lim.maxStringLength, 'head');
  if (isFail(head)) return head;
  const hash = checkSpecHash(m.specHash);
  if (isFail(hash)) return hash;
  const counters = checkAll([
    [checkCounter, m.round, 'round'],
    [checkCounter, m.term, 'term'],
  ]);
  if (isFail(counters)) return counters;
  const sentAt = checkSentAt(m.sentAt);
  if (isFail(sentAt)) return sentAt;
  return ok({
    kind: 'model_announce',
    cluster: cluster.value,
    round: m.round,
    term: m.term,
    head: head.value,
    specHash: hash.value,
    sentAt: sentAt.value,
  });
}

/** Builds the protobuf body. */
export function modelAnnounceToPb(m: ModelAnnounceMsg): pb.ModelAnnounce {
  return {
    cluster: m.cluster,
    round: m.round,
    term: m.term,
    head: m.head,
    specHash: m.specHash,
    sentAt: m.sentAt,
  };
}
