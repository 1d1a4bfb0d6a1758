// /ppfm/1/peers (peer exchange): a peer that only knows a bootstrap peer learns the addresses of
// the others from the peers it is connected to, so it can open direct streams to its head.
// Protobuf on the wire (@ppfm/protocol), capped and validated on both sides.
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import {
  decodePeerList,
  decodePeerListRequest,
  encodeError,
  encodePeerList,
  encodePeerListRequest,
  PROTOCOL_PEERS,
  type PeerAddrs,
} from '@ppfm/protocol';
import type { Host } from '../host.js';
import { request, serve } from '../streams.js';

/** The most peers one reply carries, and addresses per peer. */
const MAX_PEERS = 256;
const MAX_ADDRS = 8;

type Invalid = (from: string, reason: string, detail: string) => void;

/** Serves our connected peers' addresses; `onInvalid` logs bad requests. */
export async function servePeerExchange(libp2p: Host, onInvalid: Invalid): Promise<void> {
  await serve(
    libp2p,
    PROTOCOL_PEERS,
    async (body, from) => {
      const q = decodePeerListRequest(body);
      if (!q.ok) {
        onInvalid(from, q.error.code, q.error.message);
        return encodeError({
          code: 'rejected',
          message: `${q.error.code}: ${q.error.message}`.slice(0, 500),
        });
      }
      const list: PeerAddrs[] = [];
      for (const pid of libp2p.getPeers()) {
        if (list.length >= Math.min(q.value.max, MAX_PEERS)) break;
        if (pid.toString() === from) continue;
        const stored = await libp2p.peerStore.get(pid).catch(() => undefined);
        const addrs = (stored?.addresses ?? []).slice(0, MAX_ADDRS).map((a) => a.multiaddr.bytes);
        if (addrs.length > 0) list.push({ id: pid.toString(), addrs });
      }
      return encodePeerList({ peers: list });
    },
    {
      limits: { maxBytes: 1024, timeoutMs: 5000 },
      encodeError: (code, message) =>
        encodeError({ code: 'rejected', message: `${code}: ${message}`.slice(0, 500) }),
      onFailure: (from, f) => onInvalid(from, f.reason, f.detail),
      maxInboundStreams: 4,
    },
  );
}

/**
 * Dials the peers in `wanted` we are not connected to, learning their addresses from a few
 * connected peers first when the peer store has none. Never throws.
 */
export async function connectMissing(
  libp2p: Host,
  wanted: readonly string[],
  onInvalid: Invalid,
): Promise<void> {
  const connected = new Set(libp2p.getPeers().map((p) => p.toString()));
  const self = libp2p.peerId.toString();
  const missing = wanted.filter((id) => id !== self && !connected.has(id));
  if (missing.length === 0) return;
  const known = new Map<string, Multiaddr[]>();
  for (const via of [...connected].slice(0, 3)) {
    let bytes: Uint8Array;
    try {
      bytes = await request(
        libp2p,
        peerIdFromString(via),
        PROTOCOL_PEERS,
        encodePeerListRequest({ max: MAX_PEERS }),
        {
          maxBytes: 512 * 1024,
          timeoutMs: 3000,
        },
      );
    } catch {
      continue;
    }
    const list = decodePeerList(bytes);
    if (!list.ok) {
      onInvalid(via, list.error.code, list.error.message);
      continue;
    }
    for (const p of list.value.peers) {
      if (!missing.includes(p.id) || known.has(p.id)) continue;
      const mas: Multiaddr[] = [];
      for (const a of p.addrs) {
        try {
          mas.push(multiaddr(a));
        } catch {
          // an unparsable address is skipped; the others may work
        }
      }
      if (mas.length > 0) known.set(p.id, mas);
    }
    if (missing.every((id) => known.has(id))) break;
  }
  await Promise.all(
    missing.map(async (id) => {
      try {
        const pid = peerIdFromString(id);
        const mas = known.get(id);
        if (mas !== undefined) await libp2p.peerStore.merge(pid, { multiaddrs: mas });
        await libp2p.dial(pid, { signal: AbortSignal.timeout(5000) });
      } catch {
        // unreachable for now; retried on the next view change
      }
    }),
  );
}
