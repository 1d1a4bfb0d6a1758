// The peer's network parts: the libp2p host, its traffic counter, the gossip router (with the
// log of what it discards), and the components every service is built on.
import type { PrivateKey } from '@libp2p/interface';
import { logEvent, type PeerComponents } from '../components.js';
import { createHost, type StartedHost } from '../host.js';
import { GossipRouter } from '../net/gossip-router.js';
import { DialFailureLog } from '../net/dial-failure-log.js';
import { IgnoreLog } from '../net/ignore-log.js';
import type { PeerOptions } from '../options.js';
import { attachTraffic, TrafficCounter } from '../traffic.js';
import type { Cleanup } from './learning.js';

/** The started network and the components built on it. */
export interface Network {
  host: StartedHost;
  c: PeerComponents;
  /** Ignored gossip, logged in batches (flushed when the peer stops). */
  ignored: IgnoreLog;
}

/** Starts the host (its closer joins `cleanup`) and builds the peer's components around it. */
export async function startNetwork(
  base: Omit<PeerComponents, 'gossip' | 'libp2p' | 'traffic'>,
  opts: PeerOptions,
  privateKey: PrivateKey,
  cleanup: Cleanup,
): Promise<Network> {
  const { clock, timing } = base;
  const dialFailures = new DialFailureLog(base);
  const host: StartedHost = await createHost({
    privateKey,
    listen: opts.listen,
    bootstrap: opts.bootstrap,
    mdns: opts.mdns,
    oneHost: opts.oneHost,
    gossipMaxBytes: opts.gossipMaxBytes,
    // Once joined (a few connections), the connection policy decides; bootstrap peers are
    // re-dialed only when this peer is (nearly) cut off.
    redialWhen: (connected) => connected < 2,
    onRedialError: (addr, err) => dialFailures.failed(addr, err),
    freshnessMs: timing.freshnessMs,
    ...(opts.allowPeers !== undefined ? { allowPeers: new Set(opts.allowPeers) } : {}),
    ...(opts.swarmKey !== undefined ? { swarmKey: opts.swarmKey } : {}),
    ...(opts.transport ? { transport: opts.transport } : {}),
    ...(opts.metrics?.libp2p ? { metrics: opts.metrics.libp2p } : {}),
  });
  cleanup.push(() => host.stop());
  const traffic = new TrafficCounter();
  attachTraffic(host.libp2p, traffic);
  const gossip = new GossipRouter({
    pubsub: host.libp2p.services.pubsub,
    clock,
    traffic,
    onDiscard: (d) => (d.result === 'reject' ? rejected(d) : ignored.add(d)),
    rateLimits: { '*': { ratePerSec: 50, burst: 200 } },
  });
  const c: PeerComponents = { ...base, gossip, libp2p: host.libp2p, traffic };
  const rejected = (d: { topic: string; from: string; code: string; detail: string }): void =>
    logEvent(c, {
      event: 'message_rejected',
      topic: d.topic,
      from: d.from,
      reason: d.code,
      detail: d.detail,
    });
  const ignored = new IgnoreLog(c);
  return { host, c, ignored };
}
