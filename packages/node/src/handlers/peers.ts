// /ppfm/1/peers (peer exchange): a peer that only knows a bootstrap peer learns the addresses of
// the others from the peers it is connected to, so it can open direct streams to its head.
// Protobuf on the wire (@ppfm/protocol), capped and validated on both sides. And the connection
// policy: a peer keeps a bounded set of connections (its head, part of its cluster, a few others
// for the gossip mesh; a head also the other heads), not one to every peer in the view.
import { createHash } from 'node:crypto';
import type { Connection } from '@libp2p/interface';
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
      // Connected peers first (their addresses work now), then others the peer store knows: with
      // bounded connections, the peer asked is rarely connected to the one the asker looks for.
      const list: PeerAddrs[] = [];
      const max = Math.min(q.value.max, MAX_PEERS);
      const seen = new Set<string>([from, libp2p.peerId.toString()]);
      for (const pid of libp2p.getPeers()) {
        if (list.length >= max) break;
        if (seen.has(pid.toString())) continue;
        seen.add(pid.toString());
        const stored = await libp2p.peerStore.get(pid).catch(() => undefined);
        const addrs = (stored?.addresses ?? []).slice(0, MAX_ADDRS).map((a) => a.multiaddr.bytes);
        if (addrs.length > 0) list.push({ id: pid.toString(), addrs });
      }
      if (list.length < max)
        for (const p of await libp2p.peerStore.all().catch(() => [])) {
          if (list.length >= max) break;
          if (seen.has(p.id.toString())) continue;
          const addrs = p.addresses.slice(0, MAX_ADDRS).map((a) => a.multiaddr.bytes);
          if (addrs.length > 0) list.push({ id: p.id.toString(), addrs });
        }
      return encodePeerList({ peers: list });
    },
    {
      limits: { maxBytes: 1024, timeoutMs: 10_000 },
      encodeError: (code, message) =>
        encodeError({ code: 'rejected', message: `${code}: ${message}`.slice(0, 500) }),
      onFailure: (from, f) => onInvalid(from, f.reason, f.detail),
      maxInboundStreams: 4,
    },
  );
}

/**
 * Dials the peers in `wanted` we are not connected to, learning the addresses the peer store
 * lacks from a few connected peers first. Never throws.
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
  const stored = new Set(await knownPeers(libp2p));
  const unknown = missing.filter((id) => !stored.has(id));
  if (unknown.length > 0) await learnAddresses(libp2p, unknown, onInvalid);
  await Promise.all(
    missing.map(async (id) => {
      try {
        await libp2p.dial(peerIdFromString(id), { signal: AbortSignal.timeout(15_000) });
      } catch {
        // unreachable for now; retried on the next application of the policy
      }
    }),
  );
}

/** Peers (not self) whose addresses the peer store holds. */
export async function knownPeers(libp2p: Host): Promise<string[]> {
  const self = libp2p.peerId.toString();
  const all = await libp2p.peerStore.all().catch(() => []);
  return all.filter((p) => p.addresses.length > 0 && p.id.toString() !== self).map((p) => p.id.toString());
}

/**
 * Asks up to three connected peers which peers they know (/ppfm/1/peers) and stores the addresses
 * of those in `want` ('any': all of them, e.g. to find mesh neighbours on joining). Returns how
 * many peers got addresses.
 */
export async function learnAddresses(
  libp2p: Host,
  want: readonly string[] | 'any',
  onInvalid: Invalid,
): Promise<number> {
  const self = libp2p.peerId.toString();
  const wanted = want === 'any' ? undefined : new Set(want);
  const learned = new Set<string>();
  for (const via of libp2p
    .getPeers()
    .map((p) => p.toString())
    .slice(0, 3)) {
    let bytes: Uint8Array;
    try {
      bytes = await request(
        libp2p,
        peerIdFromString(via),
        PROTOCOL_PEERS,
        encodePeerListRequest({ max: MAX_PEERS }),
        // Generous: the peer asked may be starved of CPU (many peers on one box).
        { maxBytes: 512 * 1024, timeoutMs: 10_000 },
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
      if (p.id === self || learned.has(p.id) || (wanted !== undefined && !wanted.has(p.id))) continue;
      const mas: Multiaddr[] = [];
      for (const a of p.addrs) {
        try {
          mas.push(multiaddr(a));
        } catch {
          // an unparsable address is skipped; the others may work
        }
      }
      if (mas.length === 0) continue;
      try {
        await libp2p.peerStore.merge(peerIdFromString(p.id), { multiaddrs: mas });
        learned.add(p.id);
      } catch {
        // a bad id or a closing store: skip it
      }
    }
    if (wanted !== undefined && [...wanted].every((id) => learned.has(id))) break;
  }
  return learned.size;
}

/** How many connections the policy aims at (see `wantedPeers`). */
export interface ConnectionBudget {
  /** Members of our own cluster kept connected (besides the head). */
  clusterPeers: number;
  /** Peers of other clusters kept connected (the fingerprints topic's mesh spans clusters). */
  otherPeers: number;
}

export const DEFAULT_CONNECTION_BUDGET: ConnectionBudget = { clusterPeers: 8, otherPeers: 3 };

/** What the policy knows of this peer's place in the network. */
export interface ConnectionNeeds {
  self: string;
  /** Every peer in the view. */
  view: readonly string[];
  /** Other peers whose addresses we know (the gossip mesh needs neighbours before the view fills). */
  known?: readonly string[];
  /** Our cluster's members (self included), if clustered. */
  cluster: readonly string[];
  /** The head we follow (or self). */
  head?: string;
  /** As a head: the other clusters' heads (global level). */
  otherHeads?: readonly string[];
}

/**
 * The peers to stay connected to: the head, `clusterPeers` cluster members and `otherPeers`
 * others (from the view and the peer store), each chosen by rendezvous hashing on (self, peer):
 * stable as the view changes (a new peer displaces one only if it ranks higher), different from
 * peer to peer (the union is a well-connected random graph), the same on every run.
 */
export function wantedPeers(
  n: ConnectionNeeds,
  budget: ConnectionBudget = DEFAULT_CONNECTION_BUDGET,
): string[] {
  const want = new Set<string>();
  if (n.head !== undefined && n.head !== n.self) want.add(n.head);
  for (const h of n.otherHeads ?? []) if (h !== n.self) want.add(h);
  const mine = new Set(n.cluster);
  const others = [...new Set([...n.view, ...(n.known ?? [])])].filter((id) => id !== n.self && !mine.has(id));
  const mates = n.cluster.filter((id) => id !== n.self && id !== n.head);
  for (const id of rendezvous(n.self, mates, budget.clusterPeers)) want.add(id);
  for (const id of rendezvous(n.self, others, budget.otherPeers)) want.add(id);
  return [...want].sort();
}

/** The `k` ids ranking highest by sha256(self, id). */
function rendezvous(self: string, ids: readonly string[], k: number): string[] {
  if (ids.length <= k) return [...ids];
  return ids
    .map((id) => ({ id, rank: createHash('sha256').update(self).update('\u0000').update(id).digest('hex') }))
    .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0))
    .slice(0, k)
    .map((x) => x.id);
}

/** Streams that do not keep a connection in use (gossip and identify run on every connection). */
const IDLE_PROTOCOLS = [
  '/meshsub/1.0.0',
  '/meshsub/1.1.0',
  '/meshsub/1.2.0',
  '/ipfs/id/1.0.0',
  '/ipfs/id/push/1.0.0',
];
/** Below this many connections nothing is pruned (a joining peer keeps its bootstrap links). */
const MIN_KEEP = 6;

/**
 * Applies the policy: dials the wanted peers (addresses from the peer store, else peer
 * exchange), and closes outbound connections nobody needs any more once there are more than the
 * wanted ones plus `slack` and MIN_KEEP (e.g. to the bootstrap peers after joining). Inbound
 * connections are the dialer's business: each side only prunes what it opened. Never throws.
 */
export async function applyConnectionPolicy(
  libp2p: Host,
  want: readonly string[],
  onInvalid: Invalid,
  opts: { slack?: number; minAgeMs?: number; now?: number } = {},
): Promise<{ dialed: number; closed: number }> {
  const wanted = new Set(want);
  const before = libp2p.getPeers().length;
  await connectMissing(libp2p, want, onInvalid);
  const conns = libp2p.getConnections();
  const slack = opts.slack ?? 2;
  const now = opts.now ?? Date.now();
  const peers = new Set(conns.map((c) => c.remotePeer.toString()));
  let excess = peers.size - Math.max(MIN_KEEP, wanted.size + slack);
  let closed = 0;
  for (const conn of conns) {
    if (excess <= 0) break;
    const id = conn.remotePeer.toString();
    if (wanted.has(id) || !closable(conn, now, opts.minAgeMs ?? 30_000)) continue;
    await conn.close().catch((err: Error) => conn.abort(err));
    excess--;
    closed++;
  }
  return { dialed: Math.max(0, libp2p.getPeers().length - before), closed };
}

/** An outbound connection old enough, with no PPFM stream (fetch, push, sync) open on it. */
function closable(conn: Connection, now: number, minAgeMs: number): boolean {
  if (conn.direction !== 'outbound' || conn.status !== 'open') return false;
  if (now - conn.timeline.open < minAgeMs) return false;
  return conn.streams.every((s) => s.protocol === undefined || IDLE_PROTOCOLS.includes(s.protocol));
}
