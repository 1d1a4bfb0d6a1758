// Gossipsub-signed messages kept and relayed outside gossip (anti-entropy of fingerprints): a peer
// that received a fingerprint on gossip can hand it to a neighbour later, and the neighbour checks
// the author's signature exactly as gossipsub does (StrictSign: "libp2p-pubsub:" + the protobuf
// of from, data, seqno, topic), so a relay can neither forge nor alter another peer's fingerprint.
import { RPC } from '@chainsafe/libp2p-gossipsub/message';
import { publicKeyFromProtobuf, publicKeyToProtobuf } from '@libp2p/crypto/keys';
import type { Message } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { concat } from 'uint8arrays/concat';
import { fromString } from 'uint8arrays/from-string';
import { toString } from 'uint8arrays/to-string';

const SIGN_PREFIX = fromString('libp2p-pubsub:');

/** What verification needs of a public key (@libp2p/crypto's keys, across its nested copies). */
interface VerifyingKey {
  verify(data: Uint8Array, sig: Uint8Array): boolean | Promise<boolean>;
  equals(other: unknown): boolean;
}

/** A verified relayed message: its author (peer id string), topic and payload. */
export interface VerifiedGossip {
  from: string;
  topic: string;
  data: Uint8Array;
}

/** Why a relayed message was refused. */
export type SignedGossipError = 'malformed' | 'unsigned' | 'bad_author' | 'bad_signature';

/** The wire form (gossipsub's RPC.Message) of a signed message as received; undefined if unsigned. */
export function encodeSignedGossip(msg: Message): Uint8Array | undefined {
  if (msg.type !== 'signed') return undefined;
  const seqno = new Uint8Array(8);
  new DataView(seqno.buffer).setBigUint64(0, msg.sequenceNumber);
  return RPC.Message.encode({
    from: msg.from.toMultihash().bytes,
    data: msg.data,
    seqno,
    topic: msg.topic,
    signature: msg.signature,
    key: publicKeyToProtobuf(msg.key as Parameters<typeof publicKeyToProtobuf>[0]),
  });
}

/** Checks a relayed message's signature against its author; never throws. */
export async function verifySignedGossip(
  bytes: Uint8Array,
): Promise<{ ok: true; value: VerifiedGossip } | { ok: false; error: SignedGossipError }> {
  let m: RPC.Message;
  try {
    m = RPC.Message.decode(bytes);
  } catch {
    return { ok: false, error: 'malformed' };
  }
  if (m.from === undefined || m.signature === undefined || m.seqno?.length !== 8 || m.data === undefined)
    return { ok: false, error: 'unsigned' };
  let from: string;
  let key: VerifyingKey | undefined;
  try {
    const author = peerIdFromString(toString(m.from, 'base58btc'));
    from = author.toString();
    key = author.publicKey;
    if (m.key !== undefined) {
      const carried: VerifyingKey = publicKeyFromProtobuf(m.key);
      if (key !== undefined && !carried.equals(key)) return { ok: false, error: 'bad_author' };
      key = carried;
    }
  } catch {
    return { ok: false, error: 'bad_author' };
  }
  if (key === undefined) return { ok: false, error: 'bad_author' };
  const signed = RPC.Message.encode({ from: m.from, data: m.data, seqno: m.seqno, topic: m.topic });
  try {
    if (!(await key.verify(concat([SIGN_PREFIX, signed]), m.signature)))
      return { ok: false, error: 'bad_signature' };
  } catch {
    return { ok: false, error: 'bad_signature' };
  }
  // A plain copy: protons hands out views into `bytes`.
  return { ok: true, value: { from, topic: m.topic, data: Uint8Array.prototype.slice.call(m.data) } };
}

/** What signing needs of a private key (@libp2p/crypto's, across its nested copies). */
export interface SigningKey {
  publicKey: unknown;
  sign(data: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

/**
 * Signs `data` for `topic` the way gossipsub signs a publish (StrictSign), so that a peer's own
 * fingerprint can be relayed by others like one received on gossip.
 */
export async function signGossip(
  key: SigningKey,
  author: { toMultihash(): { bytes: Uint8Array } },
  topic: string,
  data: Uint8Array,
): Promise<Uint8Array> {
  const from = author.toMultihash().bytes;
  const seqno = crypto.getRandomValues(new Uint8Array(8));
  const unsigned = RPC.Message.encode({ from, data, seqno, topic });
  const signature = await key.sign(concat([SIGN_PREFIX, unsigned]));
  const keyBytes = publicKeyToProtobuf(key.publicKey as Parameters<typeof publicKeyToProtobuf>[0]);
  return RPC.Message.encode({ from, data, seqno, topic, signature, key: keyBytes });
}
