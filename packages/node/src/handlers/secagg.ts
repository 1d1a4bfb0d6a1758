// /ppfm/1/secagg: one secure-aggregation message from a member, answered when its stage closes (see
// net/secagg-wire.ts). Decoded with the protocol's bounded decoder; what the round makes of it is
// the SecureRound's business (services/secagg-head.ts). A peer without --secure-agg, or with no
// open secure round, says so instead of staying silent.
import { decodeSecAgg, PROTOCOL_SECAGG } from '@ppfm/protocol';
import { logEvent, type PeerComponents } from '../components.js';
import { encodeSecAggReply, type SecAggReply } from '../net/secagg-wire.js';
import type { SecureRound } from '../services/secagg-head.js';

export type SecAggHandlerComponents = Pick<PeerComponents, 'bus'>;

/** Where the handler finds the open secure round (undefined: secure aggregation is off here). */
export interface SecAggHandlerDeps {
  current(): SecureRound | undefined;
}

/** Handles one secagg request from `from`; resolves with the reply bytes once its stage closes. */
export async function handleSecAgg(
  c: SecAggHandlerComponents,
  deps: SecAggHandlerDeps | undefined,
  body: Uint8Array,
  from: string,
): Promise<Uint8Array> {
  const d = decodeSecAgg(body);
  if (!d.ok) {
    logEvent(c, {
      event: 'message_rejected',
      protocol: PROTOCOL_SECAGG,
      from,
      reason: d.error.code,
      detail: `${d.error.field ? `${d.error.field}: ` : ''}${d.error.message}`,
    });
    return encodeSecAggReply({
      kind: 'error',
      code: 'rejected',
      message: `${d.error.code}: ${d.error.message}`,
    });
  }
  const m = d.value;
  // Gossip-style authenticity: a message naming a sender must come from it (stateless, so checked
  // whether or not a round is open: an impersonation is refused and logged, never just ignored).
  if ('sender' in m && m.sender !== from) {
    logEvent(c, {
      event: 'message_rejected',
      protocol: PROTOCOL_SECAGG,
      from,
      reason: 'sender_mismatch',
      detail: `${m.kind} claims to be from ${m.sender}`,
    });
    return encodeSecAggReply({
      kind: 'error',
      code: 'rejected',
      message: `sender_mismatch: not from ${m.sender}`,
    });
  }
  let reply: SecAggReply;
  if (deps === undefined)
    reply = { kind: 'error', code: 'not_head', message: 'secure aggregation is off on this peer' };
  else {
    const sr = deps.current();
    reply =
      sr === undefined
        ? { kind: 'error', code: 'stale_round', message: 'no open secure round here' }
        : await sr.receive(from, m);
  }
  return encodeSecAggReply(reply);
}
