// What the peer's services share, in the style of js-libp2p's components: each service names
// the parts it needs (`Pick<PeerComponents, ...>`), and peer.ts, the composition root, builds
// them once and hands them over. Tests build services from stubs of exactly these parts.
import type { Clock } from './clock.js';
import type { EventBus } from './events.js';
import type { Host } from './host.js';
import type { Learner } from './learner/learner.js';
import type { GossipRouter } from './net/gossip-router.js';
import type { PeerTiming, ClusteringMode } from './options.js';
import type { ModelStore } from './services/model-store.js';
import type { TrafficCounter } from './traffic.js';
import type { Codec } from '@ppfm/protocol';
import type { PpfmConfig } from '@ppfm/meta';
import type { LogEvent } from './log/events.js';

/** The resolved run settings every service reads. */
export interface PeerSettings {
  /** Stop after the cluster completed this many rounds (undefined: run until stopped). */
  rounds: number | undefined;
  minPeers: number;
  minClusterSize: number;
  codec: Codec;
  /**
   * Personalise (adaptSteps of fine-tuning, then score) every this many rounds and at the final
   * round; other rounds score the cluster model as received. 0: the final round only.
   */
  personaliseEvery: number;
  seed: number;
  clustering: ClusteringMode;
  capacity: number;
  cfg: PpfmConfig;
  /** Byte cap of a model or update on a direct stream. */
  streamMaxBytes: number;
  bootstrapIds: string[];
  /** A resumed peer's address-book peers: the start-up gate waits for them like for bootstrap peers. */
  knownIds?: string[];
  /** Zero-shot augmentation role (`--augment`); off when undefined. */
  augment?: 'member' | 'head';
}

/** Everything a peer service may depend on. */
export interface PeerComponents {
  self: string;
  clock: Clock;
  bus: EventBus;
  timing: PeerTiming;
  settings: PeerSettings;
  gossip: GossipRouter;
  libp2p: Host;
  learner: Learner;
  store: ModelStore;
  traffic: TrafficCounter;
  /** Spec hash of this peer's task model (names and shapes of its tensors). */
  spec: string;
}

/** Emits a log event on the bus (the log, metrics and dashboard subscribe). */
export function logEvent(c: Pick<PeerComponents, 'bus'>, e: LogEvent): void {
  c.bus.emit('log', e);
}

/** Emits a terminal notice; warnings and waits are also logged as `notice` events. */
export function notice(
  c: Pick<PeerComponents, 'bus'>,
  level: 'info' | 'warn',
  message: string,
  code = 'notice',
): void {
  c.bus.emit('notice', { level, message });
  c.bus.emit('log', { event: 'notice', severity: level, code, message });
}
