// Validation of the fingerprints topic (fingerprints, heartbeats, loss reports): typed outcomes,
// no state changes (the membership service applies accepted messages).
import { ACCEPT, ignore, reject, type GossipMessage, type ValidationResult } from '@ppfm/protocol';
import { freshness } from './fresh.js';

/** What a fingerprints-topic check reads. */
export interface FingerprintTopicContext {
  self: string;
  now: number;
  freshnessMs: number;
  /** seq of the fingerprint we hold for `peer`, if any. */
  knownSeq(peer: string): number | undefined;
  /** Number of peers in the view, and its bound. */
  viewSize: number;
  maxView: number;
  /** seq of the latest loss report held from `peer`, if any. */
  knownLossSeq(peer: string): number | undefined;
}

/** Validates one message on `/ppfm/1/fingerprints` from the authenticated sender `from`. */
export function validateFingerprintMessage(
  m: GossipMessage,
  from: string,
  ctx: FingerprintTopicContext,
): ValidationResult {
  if (m.kind !== 'fingerprint' && m.kind !== 'heartbeat' && m.kind !== 'loss_report')
    return reject('wrong_topic', `${m.kind} on the fingerprints topic`);
  // [REJECT] a peer speaks for itself only (gossipsub's StrictSign authenticates `from`).
  if (m.peerId !== from) return reject('sender_mismatch', `${m.peerId} sent by ${from}`);
  if (from === ctx.self) return ignore('self');
  const f = freshness(m.sentAt, ctx.now, ctx.freshnessMs);
  if (f !== undefined) return f;
  switch (m.kind) {
    case 'fingerprint': {
      const known = ctx.knownSeq(from);
      if (known !== undefined && m.seq < known) return ignore('stale', `seq ${m.seq} < ${known}`);
      // [IGNORE] a full view takes no newcomers (Sybil floods cannot grow memory without bound).
      if (known === undefined && ctx.viewSize >= ctx.maxView)
        return ignore('view_full', `${ctx.viewSize} peers`);
      return ACCEPT;
    }
    case 'heartbeat':
      return ACCEPT;
    case 'loss_report': {
      const known = ctx.knownLossSeq(from);
      if (known !== undefined && m.seq <= known) return ignore('duplicate', `loss report seq ${m.seq}`);
      return ACCEPT;
    }
  }
}
