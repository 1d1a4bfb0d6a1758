// Outcome types for gossip validators, in the Lodestar style: every check yields accept, or an
// IGNORE (drop it, the sender is not at fault: old, duplicate, we are not ready) or a REJECT (drop
// it and penalise the sender: invalid or unauthorised) with a typed code. The validators live in
// the node (they need peer state); one adapter maps these results to gossipsub's.
import type { ErrorCode, ProtocolError } from './errors.js';

/** Why a gossip message is rejected; the first nine are the decoder's ErrorCodes, one for one. */
export type GossipRejectCode =
  | ErrorCode
  /** The message kind does not belong on the topic it arrived on (or names another cluster). */
  | 'wrong_topic'
  /** A peer id in the payload differs from gossipsub's authenticated sender. */
  | 'sender_mismatch'
  /** The sender is not a member of the cluster it speaks for. */
  | 'not_member'
  /** A head-only message (lease, round open, announce) from a peer that is not the elected head. */
  | 'not_head'
  /** A term that jumps further than an honest head could have advanced. */
  | 'bad_term'
  /** A round or other value outside what the receiver's state allows. */
  | 'bad_round'
  /** sentAt beyond the receiver's clock plus tolerance. */
  | 'future'
  /** The sender exceeded its rate on this topic. */
  | 'rate_limited';

/** Why a gossip message is ignored without blaming its sender. */
export type GossipIgnoreCode =
  /** sentAt older than the tolerance (a replay, or very late). */
  | 'stale'
  /** A term below the one the receiver already follows. */
  | 'stale_term'
  /** A round below the current one. */
  | 'stale_round'
  /** Same sender and seq (or content) as a message already applied. */
  | 'duplicate'
  /** The receiver is not ready for this message yet (still joining, no model, no view). */
  | 'not_ready'
  /** A cluster the receiver does not know (yet). */
  | 'unknown_cluster'
  /** A peer the receiver has no fingerprint of (yet). */
  | 'unknown_peer'
  /** The receiver's own message coming back. */
  | 'self'
  /** A head-only message from a member the receiver's view does not let lead (views may lag). */
  | 'not_leader'
  /** The sender is not (yet, in the receiver's view) a member of that cluster. */
  | 'not_member'
  /** The sender was deposed as head for misbehaving and may not lead for a while. */
  | 'banned'
  /** The receiver's view is full: no newcomers (a Sybil flood cannot grow it). */
  | 'view_full'
  /** A round for another model spec (another task): not for this receiver. */
  | 'other_spec'
  /** A model of the receiver's own cluster on the heads topic. */
  | 'own_cluster'
  /** The validator itself failed: dropped, never accepted (logged as an internal error). */
  | 'internal';

/** A validator's verdict. */
export type ValidationResult =
  | { result: 'accept' }
  | { result: 'ignore'; code: GossipIgnoreCode; detail?: string }
  | { result: 'reject'; code: GossipRejectCode; detail?: string };

/** Every GossipRejectCode (metrics labels, exhaustive tests). */
export const GOSSIP_REJECT_CODES: readonly GossipRejectCode[] = Object.freeze([
  'malformed',
  'too_large',
  'unknown_version',
  'shape_mismatch',
  'non_finite',
  'bad_name',
  'checksum',
  'unknown_kind',
  'bad_value',
  'wrong_topic',
  'sender_mismatch',
  'not_member',
  'not_head',
  'bad_term',
  'bad_round',
  'future',
  'rate_limited',
]);

/** Every GossipIgnoreCode. */
export const GOSSIP_IGNORE_CODES: readonly GossipIgnoreCode[] = Object.freeze([
  'stale',
  'stale_term',
  'stale_round',
  'duplicate',
  'not_ready',
  'unknown_cluster',
  'unknown_peer',
  'self',
  'not_leader',
  'not_member',
  'banned',
  'view_full',
  'other_spec',
  'own_cluster',
  'internal',
]);

/** The accept verdict. */
export const ACCEPT: ValidationResult = Object.freeze({ result: 'accept' });

/** An ignore verdict. */
export function ignore(code: GossipIgnoreCode, detail?: string): ValidationResult {
  return detail === undefined ? { result: 'ignore', code } : { result: 'ignore', code, detail };
}

/** A reject verdict. */
export function reject(code: GossipRejectCode, detail?: string): ValidationResult {
  return detail === undefined ? { result: 'reject', code } : { result: 'reject', code, detail };
}

/**
 * The verdict for a message that failed to decode: always a reject, with the decoder's code as
 * is (malformed -> malformed, too_large -> too_large, ...) and its field and message as detail.
 */
export function rejectDecodeError(e: ProtocolError): ValidationResult {
  const code: GossipRejectCode = e.code;
  return reject(code, e.field === undefined ? e.message : `${e.field}: ${e.message}`);
}
