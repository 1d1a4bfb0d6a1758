// Peer exchange over /ppfm/1/peers: a peer asks a connected peer which peers it knows, so that
// members reach their head even when they only know a bootstrap peer. Addresses are binary
// multiaddrs, opaque here (protocol has no libp2p): the node parses them and skips bad ones.
import { fail, ok, unwrapOrThrow, type Result } from '../errors.js';
import { checkPeerId } from '../ids.js';
import type { Limits } from '../limits.js';
import type * as pb from '../pb/messages.pb.js';
import { isFail } from '../wire/checks.js';
import { idBytes, lenField, type FieldSpecs } from '../wire/frame.js';

/** Asks for at most `max` peers (1..maxPeers). */
export interface PeerListRequestMsg {
  kind: 'peer_list_request';
  max: number;
}

/** One known peer: its id and up to maxPeerAddrs binary multiaddrs. */
export interface PeerAddrs {
  id: string;
  addrs: Uint8Array[];
}

/** The reply: distinct peers, at most maxPeers. */
export interface PeerListMsg {
  kind: 'peer_list';
  peers: PeerAddrs[];
}

/** Wire layout of a PeerListRequest body. */
export function peerListRequestFields(): FieldSpecs {
  return { 1: { name: 'max', wire: 0 } };
}

/** Wire layout of a PeerList body, entries included. */
export function peerListFields(lim: Limits): FieldSpecs {
  const entry: FieldSpecs = {
    1: { name: 'peers.id', wire: 2, maxBytes: idBytes(lim) },
    2: { name: 'peers.addrs', wire: 2, maxBytes: lim.maxAddrBytes, maxCount: lim.maxPeerAddrs },
  };
  // An entry is at most its id and its addresses with their tags and length prefixes.
  const entryBytes = lenField(idBytes(lim)) + lim.maxPeerAddrs * lenField(lim.maxAddrBytes);
  return { 1: { name: 'peers', wire: 2, maxCount: lim.maxPeers, maxBytes: entryBytes, nested: entry } };
}

/** Validates a decoded PeerListRequest body. */
export function peerListRequestFromPb(m: pb.PeerListRequest, lim: Limits): Result<PeerListRequestMsg> {
  if (!Number.isInteger(m.max) || m.max < 1 || m.max > lim.maxPeers) {
    return fail('bad_value', `max not in [1, ${lim.maxPeers}]`, 'max');
  }
  return ok({ kind: 'peer_list_request', max: m.max });
}

/** Validates a decoded PeerList body. */
export function peerListFromPb(m: pb.PeerList, lim: Limits): Result<PeerListMsg> {
  if (m.peers.length > lim.maxPeers) return fail('too_large', `more than ${lim.maxPeers} peers`, 'peers');
  const seen = new Set<string>();
  const peers: PeerAddrs[] = [];
  for (const p of m.peers) {
    const id = checkPeerId(p.id, lim.maxStringLength, 'peers.id');
    if (isFail(id)) return id;
    if (seen.has(id.value)) return fail('bad_name', 'duplicate peer id', 'peers.id');
    seen.add(id.value);
    if (p.addrs.length > lim.maxPeerAddrs) {
      return fail('too_large', `more than ${lim.maxPeerAddrs} addresses`, 'peers.addrs');
    }
    const addrs: Uint8Array[] = [];
    for (const a of p.addrs) {
      if (!(a instanceof Uint8Array) || a.length === 0) {
        return fail('bad_value', 'address is not non-empty bytes', 'peers.addrs');
      }
      if (a.length > lim.maxAddrBytes)
        return fail('too_large', `address over ${lim.maxAddrBytes} bytes`, 'peers.addrs');
      // A copy: protons hands out views into the frame, which libp2p may recycle.
      addrs.push(Uint8Array.prototype.slice.call(a));
    }
    peers.push({ id: id.value, addrs });
  }
  return ok({ kind: 'peer_list', peers });
}

/** Builds the protobuf body of a request. */
export function peerListRequestToPb(m: PeerListRequestMsg): pb.PeerListRequest {
  return { max: m.max };
}

/** Builds the protobuf body of a list. */
export function peerListToPb(m: PeerListMsg): pb.PeerList {
  if (!Array.isArray(m.peers) || !m.peers.every((p) => Array.isArray(p?.addrs))) {
    unwrapOrThrow(fail('malformed', 'peers is not a list of { id, addrs[] }', 'peers'));
  }
  return { peers: m.peers.map((p) => ({ id: p.id, addrs: p.addrs })) };
}
