// LossReport: a peer's losses of candidate models on its own data, for loss-based clustering.
import { fail, ok, unwrapOrThrow, type Result } from '../errors.js';
import { checkClusterId, checkPeerId } from '../ids.js';
import type { Limits } from '../limits.js';
import type * as pb from '../pb/messages.pb.js';
import {
  checkAll,
  checkCounter,
  checkFloats,
  checkIdList,
  checkSentAt,
  checkUint,
  isFail,
} from '../wire/checks.js';
import { idBytes, type FieldSpecs } from '../wire/frame.js';
import { packFloats, unpackFloats } from '../wire/packed.js';

/**
 * Loss-based cluster refinement (IFCA rule): the sender's loss of each candidate model (a peer's
 * warm-up model or a cluster model, named by peer or cluster id) on its own training split.
 * losses[i] belongs to candidates[i]; ids are distinct, losses finite and >= 0 (packed float32).
 */
export interface LossReportMsg {
  kind: 'loss_report';
  peerId: string;
  /** Increases with every report the sender publishes; receivers keep the latest. */
  seq: number;
  /** The round whose models were scored (the warm-up round for peer candidates). */
  round: number;
  candidates: string[];
  losses: number[];
  /** Send time, ms since the Unix epoch. */
  sentAt: number;
}

/** Wire layout of a LossReport body. */
export function lossReportFields(lim: Limits): FieldSpecs {
  return {
    1: { name: 'peerId', wire: 2, maxBytes: idBytes(lim) },
    2: { name: 'seq', wire: 0 },
    3: { name: 'round', wire: 0 },
    4: { name: 'candidates', wire: 2, maxBytes: idBytes(lim), maxCount: lim.maxLossCandidates },
    5: { name: 'losses', wire: 2, maxBytes: 4 * lim.maxLossCandidates, multipleOf: 4 },
    6: { name: 'sentAt', wire: 0, wide: true },
  };
}

/** Validates a decoded LossReport body. */
export function lossReportFromPb(m: pb.LossReport, lim: Limits): Result<LossReportMsg> {
  const peerId = checkPeerId(m.peerId, lim.maxStringLength);
  if (isFail(peerId)) return peerId;
  const counters = checkAll([
    [checkUint, m.seq, 'seq'],
    [checkCounter, m.round, 'round'],
  ]);
  if (isFail(counters)) return counters;
  // Cluster ids are a superset of peer ids, so one rule admits both kinds of candidate.
  const candidates = checkIdList(m.candidates, 'candidates', lim.maxLossCandidates, (s, f) =>
    checkClusterId(s, lim.maxStringLength, f),
  );
  if (isFail(candidates)) return candidates;
  const losses = unpackFloats(m.losses, 'losses', lim.maxLossCandidates, true);
  if (isFail(losses)) return losses;
  if (losses.value.length !== candidates.value.length) {
    return fail('shape_mismatch', 'losses and candidates lengths differ', 'losses');
  }
  const sentAt = checkSentAt(m.sentAt);
  if (isFail(sentAt)) return sentAt;
  return ok({
    kind: 'loss_report',
    peerId: peerId.value,
    seq: m.seq,
    round: m.round,
    candidates: candidates.value,
    losses: losses.value,
    sentAt: sentAt.value,
  });
}

/** Builds the protobuf body; throws ProtocolEncodeError on losses that cannot be packed faithfully. */
export function lossReportToPb(m: LossReportMsg, lim: Limits): pb.LossReport {
  return {
    peerId: m.peerId,
    seq: m.seq,
    round: m.round,
    candidates: m.candidates,
    losses: packFloats(unwrapOrThrow(checkFloats(m.losses, 'losses', lim.maxLossCandidates, true))),
    sentAt: m.sentAt,
  };
}
