/**
 * Starting real `ppfm start` processes inside the namespaces of a NetnsTopology: each listens on its
 * host's own address (a fixed port per slot: every namespace has its own port space), without
 * --one-host (gossipsub's IP-colocation scoring and libp2p's inbound rate limits stay on), and is
 * bootstrapped by address to the first peer of every other host.
 */
import { join } from 'node:path';
import { createIdentities } from '../testnet/identity.js';
import { peerName } from '../testnet/launch.js';
import { PeerPool, type PeerProcess } from '../testnet/processes.js';
import type { NetnsTopology } from './topology.js';

/** First TCP port of the peers of one host (slot s listens on BASE_PORT + s). */
const BASE_PORT = 4001;

/** Where one peer runs and listens. */
export interface PlacedPeer {
  index: number;
  host: number;
  id: string;
  /** Full dialable multiaddr, with /p2p/<id>. */
  addr: string;
}

/** What every peer is started with. */
export interface LaunchOptions {
  cli: string;
  /** Dataset folder of each peer, by index. */
  peerDirs: readonly string[];
  /** Host of each peer, by index, chosen once the peer ids are known (the election favours the smallest). */
  place: (ids: readonly string[]) => readonly number[];
  logDir: string;
  peersDir: string;
  rounds: number;
  seed: number;
  backend: string;
  /** Extra `ppfm start` arguments for every peer. */
  extraArgs?: readonly string[];
}

/** Creates the identities, places the peers and starts them all; the pool owns the processes. */
export async function launchPeers(
  topo: NetnsTopology,
  pool: PeerPool,
  o: LaunchOptions,
): Promise<{ peers: PlacedPeer[]; procs: PeerProcess[] }> {
  const n = o.peerDirs.length;
  const ids = await createIdentities(Array.from({ length: n }, (_, i) => join(o.peersDir, peerName(i))));
  const placement = o.place(ids);
  const slots = new Map<number, number>();
  const peers: PlacedPeer[] = placement.map((host, index) => {
    const slot = slots.get(host) ?? 0;
    slots.set(host, slot + 1);
    const addr = topo.hosts[host]?.addr;
    if (addr === undefined) throw new RangeError(`peer ${index}: no host ${host}`);
    return {
      index,
      host,
      id: ids[index] as string,
      addr: `/ip4/${addr}/tcp/${BASE_PORT + slot}/p2p/${ids[index]}`,
    };
  });
  // One bootstrap peer per host: any single host may be cut off and the others still find each other.
  const boots = [...new Set(placement)].map((h) => peers.find((p) => p.host === h) as PlacedPeer);
  const procs = peers.map((p) => {
    const listen = p.addr.slice(0, p.addr.indexOf('/p2p/'));
    const args = [
      'start',
      '--data',
      o.peerDirs[p.index] as string,
      '--data-dir',
      join(o.peersDir, peerName(p.index)),
      '--log-dir',
      o.logDir,
      '--listen',
      listen,
      '--rounds',
      String(o.rounds),
      '--seed',
      String(o.seed),
      '--backend',
      o.backend,
      '--min-peers',
      String(n),
      '--quiet',
      ...boots.filter((b) => b.index !== p.index).flatMap((b) => ['--bootstrap', b.addr]),
      ...(o.extraArgs ?? []),
    ];
    return pool.spawn(
      p.index,
      args,
      join(o.peersDir, `${peerName(p.index)}.stdout`),
      join(o.logDir, `${peerName(p.index)}.stderr`),
      topo.exec(p.host),
    );
  });
  return { peers, procs };
}
