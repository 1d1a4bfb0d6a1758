// /ppfm/1/secagg on the wire: one secure-aggregation frame per stream from a member to its head,
// answered by one reply. The head holds a request until its stage closes and answers with the next
// stage's message (key advert -> roster, shares -> delivery, masked input -> unmask request), so the
// protocol's four rounds are four request/response streams. A reply starts with a one-byte tag:
// 0 = a secagg frame (protocol/secagg codec), 1 = a direct frame (Ack or ErrorReply): the two
// schemas share field numbers, so the tag, not guessing, says which decoder applies.
import type { PeerId } from '@libp2p/interface';
import {
  decodeDirect,
  decodeSecAgg,
  encodeAck,
  encodeError,
  encodeSecAgg,
  PROTOCOL_SECAGG,
  type DirectErrorCode,
  type SecAggMessage,
} from '@ppfm/protocol';
import type { Host } from '../host.js';
import { request } from '../streams.js';

/** What the head answers to one secagg request. */
export type SecAggReply =
  | { kind: 'frame'; message: SecAggMessage }
  | { kind: 'ack'; cluster: string; round: number }
  | { kind: 'error'; code: DirectErrorCode; message: string };

const TAG_FRAME = 0;
const TAG_DIRECT = 1;

/** Control replies (rosters, deliveries, requests) stay under this; masked inputs go only member -> head. */
export const SECAGG_REPLY_MAX_BYTES = 1 + 1024 * 1024 + 1024;

/** Encodes a reply with its tag. */
export function encodeSecAggReply(r: SecAggReply): Uint8Array {
  const body =
    r.kind === 'frame'
      ? encodeSecAgg(r.message)
      : r.kind === 'ack'
        ? encodeAck({ cluster: r.cluster, round: r.round })
        : encodeError({ code: r.code, message: r.message.slice(0, 500) });
  const out = new Uint8Array(1 + body.length);
  out[0] = r.kind === 'frame' ? TAG_FRAME : TAG_DIRECT;
  out.set(body, 1);
  return out;
}

/** Decodes a reply; never throws (a malformed reply is an error reply naming the problem). */
export function decodeSecAggReply(bytes: Uint8Array): SecAggReply {
  const bad = (why: string): SecAggReply => ({
    kind: 'error',
    code: 'unknown',
    message: `bad reply: ${why}`,
  });
  if (bytes.length < 2) return bad('empty');
  const body = bytes.subarray(1);
  if (bytes[0] === TAG_FRAME) {
    const d = decodeSecAgg(body);
    return d.ok ? { kind: 'frame', message: d.value } : bad(`${d.error.code}: ${d.error.message}`);
  }
  if (bytes[0] === TAG_DIRECT) {
    const d = decodeDirect(body);
    if (!d.ok) return bad(`${d.error.code}: ${d.error.message}`);
    if (d.value.kind === 'ack') return { kind: 'ack', cluster: d.value.cluster, round: d.value.round };
    if (d.value.kind === 'error') return { kind: 'error', code: d.value.code, message: d.value.message };
    return bad(`unexpected ${d.value.kind}`);
  }
  return bad(`unknown tag ${bytes[0]}`);
}

/** Sends one secagg message to `head` and waits up to `timeoutMs` for its reply (throws StreamError). */
export async function secAggRequest(
  libp2p: Host,
  head: PeerId,
  m: SecAggMessage,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<SecAggReply> {
  const resp = await request(
    libp2p,
    head,
    PROTOCOL_SECAGG,
    encodeSecAgg(m),
    { maxBytes: SECAGG_REPLY_MAX_BYTES, timeoutMs },
    signal,
  );
  return decodeSecAggReply(resp);
}
