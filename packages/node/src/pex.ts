// Peer exchange: peers that only know a bootstrap peer learn the addresses of the others (so
// that members can open direct streams to their head) by asking connected peers which peers
// they are connected to. Small JSON over a length-prefixed stream, capped and validated.
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import type { Host } from './host.js';
import { request, serve } from './streams.js';

/** Node-internal protocol id (not part of the @ppfm/protocol wire: addresses only). */
export const PROTOCOL_PEERS = '/ppfm/1/peers';

const MAX_PEERS = 256;
const MAX_ADDRS = 8;
const MAX_BYTES = 256 * 1024;

export interface PeerAddrs {
  id: string;
  addrs: string[];
}

/** Validates an untrusted peer list; returns undefined when it is not one. */
export function parsePeerList(bytes: Uint8Array): PeerAddrs[] | undefined {
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
  const peers = (v as { peers?: unknown })?.peers;
  if (!Array.isArray(peers) || peers.length > MAX_PEERS) return undefined;
  const out: PeerAddrs[] = [];
  for (const p of peers) {
    const id = (p as { id?: unknown })?.id;
    const addrs = (p as { addrs?: unknown })?.addrs;
    if (typeof id !== 'string' || id.length > 128 || !/^[A-Za-z0-9]+$/.test(id)) return undefined;
    if (
      !Array.isArray(addrs) ||
      addrs.length > MAX_ADDRS ||
      !addrs.every((a) => typeof a === 'string' && a.length < 256)
    )
      return undefined;
    out.push({ id, addrs: addrs as string[] });
  }
  return out;
}

/** Serves our connected peers' listen addresses; `onInvalid` logs bad requests. */
export async function servePeerExchange(
  libp2p: Host,
  onInvalid: (from: string, reason: string, detail: string) => void,
): Promise<void> {
  await serve(
    libp2p,
    PROTOCOL_PEERS,
    async (_body, from) => {
      const list: PeerAddrs[] = [];
      for (const pid of libp2p.getPeers().slice(0, MAX_PEERS)) {
        if (pid.toString() === from) continue;
        const stored = await libp2p.peerStore.get(pid).catch(() => undefined);
        const addrs = (stored?.addresses ?? []).map((a) => a.multiaddr.toString()).slice(0, MAX_ADDRS);
        if (addrs.length > 0) list.push({ id: pid.toString(), addrs });
      }
      return new TextEncoder().encode(JSON.stringify({ peers: list }));
    },
    {
      limits: { maxBytes: 1024, timeoutMs: 5000 },
      encodeError: () => new TextEncoder().encode('{"peers":[]}'),
      onFailure: (from, f) => onInvalid(from, f.reason, f.detail),
    },
  );
}

/**
 * Dials the peers in `wanted` we are not connected to, learning their addresses from a few
 * connected peers first when the peer store has none. Never throws.
 */
export async function connectMissing(
  libp2p: Host,
  wanted: string[],
  onInvalid: (from: string, reason: string, detail: string) => void,
): Promise<void> {
  const connected = new Set(libp2p.getPeers().map((p) => p.toString()));
  const self = libp2p.peerId.toString();
  const missing = wanted.filter((id) => id !== self && !connected.has(id));
  if (missing.length === 0) return;
  const known = new Map<string, Multiaddr[]>();
  for (const via of [...connected].slice(0, 3)) {
    let bytes: Uint8Array;
    try {
      bytes = await request(libp2p, peerIdFromString(via), PROTOCOL_PEERS, new Uint8Array([1]), {
        maxBytes: MAX_BYTES,
        timeoutMs: 3000,
      });
    } catch {
      continue;
    }
    const list = parsePeerList(bytes);
    if (list === undefined) {
      onInvalid(via, 'malformed', 'peer list');
      continue;
    }
    for (const p of list) {
      if (!missing.includes(p.id) || known.has(p.id)) continue;
      const mas: Multiaddr[] = [];
      for (const a of p.addrs) {
        try {
          mas.push(multiaddr(a));
        } catch {
          // skip unparsable addresses
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
        // unreachable for now; retried on the next round of discovery
      }
    }),
  );
}
