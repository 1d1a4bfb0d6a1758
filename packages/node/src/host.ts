// The libp2p 2.x host of a PPFM peer: TCP + noise + yamux + identify + gossipsub, with
// bootstrap/mDNS discovery. The polyfill must be evaluated before libp2p's modules.
import './polyfill.js';
import { gossipsub, type GossipsubEvents } from '@chainsafe/libp2p-gossipsub';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { bootstrap } from '@libp2p/bootstrap';
import { identify, type Identify } from '@libp2p/identify';
import type { Libp2p, PeerId, PrivateKey, PubSub } from '@libp2p/interface';
import { mdns } from '@libp2p/mdns';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { preSharedKey } from '@libp2p/pnet';
import { tcp } from '@libp2p/tcp';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { createLibp2p, type Libp2pOptions } from 'libp2p';
import { DECODE_RPC_LIMITS, GOSSIP_THRESHOLDS, PPFM_TOPIC_SCORE, seenTtlMs } from './net/gossip-score.js';
import { fastGossipId } from './net/gossip-dedup.js';
import { allowListGater } from './net/private-network.js';
import { TOPIC_FINGERPRINTS, TOPIC_HEADS } from '@ppfm/protocol';

/** Gossip frames carry only small control messages; models travel over direct streams. */
export const DEFAULT_GOSSIP_MAX_BYTES = 1024 * 1024;

export interface HostOptions {
  privateKey: PrivateKey;
  /** Listen multiaddrs, default `/ip4/0.0.0.0/tcp/0`. */
  listen?: string[];
  /** Full multiaddrs (with /p2p/<id>) of peers to connect to and keep connected to. */
  bootstrap?: string[];
  mdns?: boolean;
  /** Loopback testnet: no IP-colocation penalty, loopback exempt from inbound rate limits. */
  oneHost?: boolean;
  /** Max bytes of one gossip message's data (gossipsub maxInboundDataLength). */
  gossipMaxBytes?: number;
  /** Gossipsub heartbeat (ms); shorter meshes form faster on small testnets. */
  gossipHeartbeatMs?: number;
  /** How often to re-dial bootstrap peers we are not connected to (ms). */
  redialMs?: number;
  /**
   * Re-dial bootstrap peers, and dial peers found by discovery (mDNS), only while this holds
   * (default: always). A peer that joined keeps the connections its policy wants, not one to
   * every bootstrap or discovered peer (which would hold N).
   */
  redialWhen?: (connectedPeers: number) => boolean;
  /** Told of every failed bootstrap (re-)dial, so that a peer that cannot join says why. */
  onRedialError?: (addr: string, error: Error) => void;
  /** Hard cap of open connections (libp2p's connection manager; default 128). */
  maxConnections?: number;
  /**
   * 'tcp' (default) or 'memory': in-process peers over @libp2p/memory (tests; listen addresses
   * are `/memory/<name>`). The memory transport is a devDependency, loaded only when asked for.
   */
  transport?: 'tcp' | 'memory';
  /** libp2p's metrics implementation (e.g. @libp2p/prometheus-metrics, from PeerOptions.metrics.libp2p). */
  metrics?: Libp2pOptions['metrics'];
  /** Private network: only these peer ids may connect or be dialled (net/private-network.ts). */
  allowPeers?: ReadonlySet<string>;
  /** Private network: a pre-shared swarm key file's bytes (@libp2p/pnet); strangers cannot connect. */
  swarmKey?: Uint8Array;
  /** The gossip freshness tolerance (ms): gossipsub's seen cache outlasts it (default 30 s). */
  freshnessMs?: number;
  /**
   * Gossipsub's signature policy; PPFM peers always sign and require signatures (StrictSign, the
   * default). StrictNoSign exists for the red-team tests' attacker, which publishes unsigned frames.
   */
  signaturePolicy?: 'StrictSign' | 'StrictNoSign';
}

export type HostServices = { identify: Identify; pubsub: PubSub<GossipsubEvents> };
export type Host = Libp2p<HostServices>;

/** Returns the host plus a stop function that also ends the bootstrap re-dial loop. */
export interface StartedHost {
  libp2p: Host;
  addrs(): string[];
  stop(): Promise<void>;
}

const LOOPBACK_ALLOW = ['/ip4/127.0.0.1', '/ip6/::1'];
/**
 * A peer dials a bounded set (handlers/peers.ts); a head also takes one connection per member,
 * so the cap must exceed the largest cluster expected (libp2p's default is 300).
 */
const DEFAULT_MAX_CONNECTIONS = 128;
/** Dial, outbound upgrade and negotiation deadline (libp2p's default is 10 s). */
const STARVED_TIMEOUT_MS = 30_000;
/**
 * The responder's handshake deadline. With 24-32 peers on 2 cores a busy bootstrap peer took over
 * 30 s for a Noise handshake and aborted it ("EncryptionFailedError: aborted due to timeout") just
 * after the dialer had finished its side: the joiner saw its connection close a second after it
 * opened, redialed, and the redo failed the same way, so late joiners never got in. A slow
 * handshake that completes is worth more than a fast failure. The dialer keeps 30 s: its budget
 * also bounds waiting on an address that does not answer (a cut link).
 */
const INBOUND_UPGRADE_TIMEOUT_MS = 120_000;
// A variable module name: the memory transport is a devDependency, not resolved at build time.
const MEMORY_MODULE = '@libp2p/memory';

/** Creates and starts a libp2p 2.x host with PPFM's transports, gossip and discovery. */
export async function createHost(opts: HostOptions): Promise<StartedHost> {
  const boot = (opts.bootstrap ?? []).filter((a) => a.length > 0);
  // Component factories are typed per module; libp2p supplies the full component set.
  type DiscoveryFactory = NonNullable<Libp2pOptions['peerDiscovery']>[number];
  const discovery: DiscoveryFactory[] = [];
  if (boot.length > 0) discovery.push(bootstrap({ list: boot, timeout: 100 }) as DiscoveryFactory);
  if (opts.mdns === true) discovery.push(mdns({ interval: 2000 }) as DiscoveryFactory);
  const oneHost = opts.oneHost === true;
  const signaturePolicy = opts.signaturePolicy ?? 'StrictSign';
  const memoryTransport = opts.transport === 'memory';
  type TransportFactory = NonNullable<Libp2pOptions['transports']>[number];
  const transport: TransportFactory = memoryTransport
    ? ((await import(MEMORY_MODULE)) as { memory: () => TransportFactory }).memory()
    : tcp();
  const libp2p = (await createLibp2p({
    privateKey: opts.privateKey,
    addresses: {
      listen:
        opts.listen && opts.listen.length > 0
          ? opts.listen
          : [memoryTransport ? `/memory/${opts.privateKey.publicKey.toString()}` : '/ip4/0.0.0.0/tcp/0'],
    },
    transports: [transport],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    peerDiscovery: discovery,
    // No connection monitor: liveness is PPFM's (view ttl, leases, a closed socket), and a starved
    // peer answering pings late would otherwise have its connections aborted. The monitor pinged
    // every connection every 10 s over /ipfs/ping, which PPFM does not serve: each ping was a
    // stream and a failed protocol negotiation on both sides, for nothing.
    connectionMonitor: { enabled: false },
    ...(opts.metrics !== undefined ? { metrics: opts.metrics } : {}),
    ...(opts.allowPeers !== undefined
      ? {
          connectionGater: allowListGater(opts.allowPeers, peerIdFromPrivateKey(opts.privateKey).toString()),
        }
      : {}),
    ...(opts.swarmKey !== undefined ? { connectionProtector: preSharedKey({ psk: opts.swarmKey }) } : {}),
    // In memory there are no IP addresses (an allow list would fail to parse them).
    connectionManager: {
      maxConnections: opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      // libp2p's 10 s budgets assume a responsive peer; a starved one (dozens of peers on a
      // 2-core box) needs longer for a Noise handshake, and an aborted upgrade costs a redo.
      dialTimeout: STARVED_TIMEOUT_MS,
      inboundUpgradeTimeout: INBOUND_UPGRADE_TIMEOUT_MS,
      outboundUpgradeTimeout: STARVED_TIMEOUT_MS,
      inboundStreamProtocolNegotiationTimeout: STARVED_TIMEOUT_MS,
      outboundStreamProtocolNegotiationTimeout: STARVED_TIMEOUT_MS,
      ...(memoryTransport
        ? { inboundConnectionThreshold: 1000, maxIncomingPendingConnections: 100 }
        : oneHost
          ? { allow: LOOPBACK_ALLOW, inboundConnectionThreshold: 1000, maxIncomingPendingConnections: 100 }
          : {}),
    },
    services: {
      identify: identify(),
      pubsub: gossipsub({
        globalSignaturePolicy: signaturePolicy,
        // Copies forwarded by mesh neighbours are dropped before their signature is checked.
        ...(signaturePolicy === 'StrictSign' ? { fastMsgIdFn: fastGossipId } : {}),
        allowPublishToZeroTopicPeers: true,
        ignoreDuplicatePublishError: true,
        emitSelf: false,
        // Small networks: flood own messages so control traffic does not wait for mesh formation.
        floodPublish: true,
        heartbeatInterval: opts.gossipHeartbeatMs ?? 700,
        maxInboundDataLength: opts.gossipMaxBytes ?? DEFAULT_GOSSIP_MAX_BYTES,
        // Invalid messages count (P4) on our fixed topics from the start; cluster topics are
        // scored when joined (net/gossip-score.ts). Graylisted peers' RPCs are dropped unread.
        scoreParams: {
          ...(oneHost ? { IPColocationFactorWeight: 0 } : {}),
          topics: { [TOPIC_FINGERPRINTS]: { ...PPFM_TOPIC_SCORE }, [TOPIC_HEADS]: { ...PPFM_TOPIC_SCORE } },
        },
        scoreThresholds: GOSSIP_THRESHOLDS,
        decodeRpcLimits: DECODE_RPC_LIMITS,
        seenTTL: seenTtlMs(opts.freshnessMs ?? 30_000),
      }) as never,
    },
  })) as unknown as Host;

  // libp2p 2.x does not auto-dial discovered peers.
  libp2p.addEventListener('peer:discovery', (evt) => {
    const id = evt.detail.id;
    if (id.equals(libp2p.peerId) || libp2p.getConnections(id).length > 0) return;
    if (!(opts.redialWhen?.(libp2p.getPeers().length) ?? true)) return;
    libp2p.dial(id).catch(() => undefined);
  });

  const bootAddrs: Multiaddr[] = [];
  for (const a of boot) {
    try {
      bootAddrs.push(multiaddr(a));
    } catch {
      // invalid addresses are reported by the caller's option validation
    }
  }
  let stopped = false;
  // One dial per address at a time: a re-dial while one is pending would only join it (and
  // report its failure once more).
  const dialing = new Set<string>();
  const redial = (): void => {
    for (const ma of bootAddrs) {
      const id = ma.getPeerId();
      const key = ma.toString();
      if (id !== null && id === libp2p.peerId.toString()) continue;
      if (dialing.has(key)) continue;
      if (id !== null && libp2p.getConnections().some((c) => c.remotePeer.toString() === id)) continue;
      dialing.add(key);
      libp2p
        .dial(ma)
        .catch((err: unknown) => {
          if (!stopped) opts.onRedialError?.(key, err instanceof Error ? err : new Error(String(err)));
        })
        .finally(() => dialing.delete(key));
    }
  };
  redial();
  const timer = setInterval(() => {
    if (!stopped && (opts.redialWhen?.(libp2p.getPeers().length) ?? true)) redial();
  }, opts.redialMs ?? 2000);
  timer.unref();

  return {
    libp2p,
    addrs: () => libp2p.getMultiaddrs().map((m) => m.toString()),
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await libp2p.stop();
    },
  };
}

/** Dials a peer by id (addresses from the peer store) unless already connected. */
export async function ensureConnected(libp2p: Host, peer: PeerId, signal?: AbortSignal): Promise<void> {
  if (libp2p.getConnections(peer).length > 0) return;
  await libp2p.dial(peer, { signal });
}
