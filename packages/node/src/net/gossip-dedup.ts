// Duplicate gossip dropped before its signature is checked. gossipsub 14 verifies a message's
// ed25519 signature (and re-encodes it for that) before it looks the message id up in its seen
// cache, so every copy that a mesh neighbour forwards (at 16-64 peers, most of what arrives) cost a
// full verification. With `fastMsgIdFn` gossipsub looks up an id read from the raw fields first,
// as Lodestar does. A fast id is stored only after its message passed verification, so a forged
// copy sent ahead of the genuine message cannot shadow it.
import type { RPC } from '@chainsafe/libp2p-gossipsub/message';

const hex = (b: Uint8Array | undefined): string =>
  b === undefined ? '' : Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/**
 * The id gossipsub gives a StrictSign message after verification (author + seqno), read from the
 * raw fields. Only for StrictSign: unsigned messages carry neither field.
 */
export function fastGossipId(msg: RPC.Message): string {
  return `${hex(msg.from)}:${hex(msg.seqno)}`;
}
