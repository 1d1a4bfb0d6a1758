// Options of a networked PPFM peer and their defaults (timings suit a loopback testnet on a
// 2-core machine: seconds, not minutes).
import type { PrivateKey } from '@libp2p/interface';
import type { BackendPreference, Dataset, ModelSpec, PpfmConfig } from '@ppfm/meta';
import type { AugmentSettings } from './learner/learner.js';
import type { Codec } from '@ppfm/protocol';
import type { Clock } from './clock.js';
import type { Libp2pOptions } from 'libp2p';
import type { LogEvent } from './log/events.js';
import type { ZsLearnerOptions } from './learner/learner.js';
import type { PrivacyOptions } from './privacy/settings.js';
import type { AggregatorName } from '@ppfm/meta';

/** Timing knobs of membership, election and rounds (all ms except quorumFraction). */
export interface PeerTiming {
  /** Liveness heartbeat period on the fingerprint topic (for views up to heartbeatPeers peers). */
  heartbeatMs: number;
  /**
   * Beyond this many peers in view the heartbeat period grows in proportion, so that each peer
   * hears about heartbeatPeers heartbeats per heartbeatMs whatever the network size.
   */
  heartbeatPeers: number;
  /** Fingerprint re-publication period: a safety net; anti-entropy repairs views in between. */
  fingerprintEveryMs: number;
  /**
   * A peer silent for this long leaves the view (at least 8 heartbeat periods; stretched for a
   * connected peer and for one whose messages come irregularly, this peer's own stalls excluded).
   */
  viewTtlMs: number;
  /** Head lease period and time-to-live. */
  leaseIntervalMs: number;
  leaseTtlMs: number;
  /** Internal state-machine tick. */
  tickMs: number;
  /** Wait after a view change before reclustering (coalesces bursts of fingerprints). */
  reclusterDelayMs: number;
  /** A view that keeps changing waits longer and longer before reclustering, up to this. */
  reclusterMaxDelayMs: number;
  /** A head opens its first round only after the view has been stable this long. */
  settleMs: number;
  /** Hard round deadline, quorum fraction, and how long to wait for stragglers after quorum. */
  roundDeadlineMs: number;
  quorumFraction: number;
  quorumGraceMs: number;
  /** Pause between a round's close and the next round's open. */
  roundGapMs: number;
  /** After `rounds` rounds: keep serving for this long, then resolve `done`. */
  graceMs: number;
  /** Deadlines of a model fetch and of an update push. */
  fetchTimeoutMs: number;
  pushTimeoutMs: number;
  /**
   * With bootstrap addresses, wait at most this long for a connection to one of them before the
   * first round (then proceed with a warning); 0 disables the wait.
   */
  bootstrapWaitMs: number;
  /** A head whose connection closed and did not come back within this long is suspected dead. */
  disconnectGraceMs: number;
  /**
   * A peer alone in its cluster (nobody else with this task in view) opens its first local
   * round only after this long: peers starting together must find each other first.
   */
  soloStartMs: number;
  /** Gossip older than this (by its sentAt) is a replay and ignored; newer than now + this is rejected. */
  freshnessMs: number;
  /** A followed head that opens no round for this long (while rounds are due) is deposed. */
  progressTimeoutMs: number;
  /**
   * How long a head waits before opening round r for other clusters to hold round r - 1 (the
   * models its global step takes); below progressTimeoutMs, or members would depose it.
   */
  globalSyncMs: number;
}

/**
 * Defaults for a loopback testnet of ~10 processes on 2 cores, that still hold for 64+ peers on
 * one starved box. Leases and view ttl must outlast the longest stall of a busy peer, else live
 * heads are suspected dead and clusters churn.
 * - heartbeatPeers 4 (was 16): each peer hears ~4 heartbeats/s whatever N is, each one a signature
 *   check and one decode per mesh neighbour; at 16 peers the period is 4 s and the ttl 32 s, at 64
 *   peers 16 s and 128 s. Heads are watched by their leases, not by heartbeats, so the longer ttl
 *   only delays dropping a dead member from the view (rounds do not wait for it: quorum + deadline).
 * - fingerprintEveryMs 120 s (was 3 s, then 30 s): the re-publication of every fingerprint was the
 *   bulk of the steady-state gossip (N fingerprints per period through every mesh; an mnist
 *   fingerprint is ~7.5 KB, so at 30 s still ~6 KB/s per member of a 6-peer run, relays included,
 *   about as much as all heartbeats); anti-entropy repairs a view that misses one within a
 *   heartbeat or two, so this is only the last safety net.
 * - reclusterMaxDelayMs 4 s: bursts of view changes recluster once; a flapping view backs off.
 */
export const DEFAULT_TIMING: PeerTiming = {
  heartbeatMs: 1000,
  heartbeatPeers: 4,
  fingerprintEveryMs: 120_000,
  viewTtlMs: 10_000,
  leaseIntervalMs: 1000,
  leaseTtlMs: 5000,
  tickMs: 100,
  reclusterDelayMs: 300,
  reclusterMaxDelayMs: 4000,
  settleMs: 3000,
  roundDeadlineMs: 30_000,
  quorumFraction: 0.6,
  quorumGraceMs: 3000,
  roundGapMs: 500,
  graceMs: 5000,
  fetchTimeoutMs: 20_000,
  pushTimeoutMs: 20_000,
  bootstrapWaitMs: 30_000,
  disconnectGraceMs: 250,
  progressTimeoutMs: 60_000,
  globalSyncMs: 15_000,
  soloStartMs: 10_000,
  freshnessMs: 30_000,
};

/**
 * Personalisation is adaptSteps (200) of fine-tuning, ~15x a round's local training (one epoch
 * of a few hundred samples): doing it every round made it ~90 % of a peer's compute. Every 5th
 * round and the final one keep the personalised model fresh; the other rounds are scored cheaply.
 */
export const DEFAULT_PERSONALISE_EVERY = 5;

export interface PeerOptions {
  /** Dataset path (any format meta's loadDataset reads) or an in-memory dataset. */
  data: string | Dataset;
  /** Identity (peer.key) and checkpoints live here. */
  dataDir: string;
  listen?: string[];
  bootstrap?: string[];
  mdns?: boolean;
  /** Loopback testnet settings (no IP-colocation penalty, loopback exempt from rate limits). */
  oneHost?: boolean;
  backend?: BackendPreference;
  /**
   * Model architecture; default meta's defaultModelSpec for the data (with `augment`: its
   * defaultAugmentSpec, an MLP with batch norm).
   */
  model?: ModelSpec;
  /** Zero-shot augmentation (FedZDA, `--augment member|head`): off when undefined. */
  augment?: AugmentSettings;
  /** Stop (resolve `done`) after the cluster completed this many rounds. */
  rounds?: number;
  /** Tensor codec for models and updates on the wire (default float32). */
  codec?: Codec;
  /**
   * Personalised evaluation every this many rounds and at the final one (default
   * DEFAULT_PERSONALISE_EVERY); 0: the final round only. Other rounds score the cluster model as is.
   */
  personaliseEvery?: number;
  /** Seed of local randomness (training order, personalisation). */
  seed?: number;
  /** Overrides of meta's DEFAULT_PPFM_CONFIG. */
  config?: Partial<PpfmConfig>;
  timing?: Partial<PeerTiming>;
  /** A head opens rounds only when its cluster has at least this many live members (default 2). */
  minClusterSize?: number;
  /**
   * Do not open or join a first round until the view holds at least this many live peers (self
   * included; default 1). Once reached it no longer applies (peers may leave later).
   */
  minPeers?: number;
  /** Human notices (waiting for peers, bootstrap timeout); default: warnings via process.emitWarning. */
  notice?: (level: 'info' | 'warn', message: string) => void;
  /** Election capacity score (higher leads); default 1. */
  capacity?: number;
  /** Use this key instead of the one in dataDir (tests). */
  privateKey?: PrivateKey;
  /** Gossip data cap (bytes). */
  gossipMaxBytes?: number;
  /** Direct-stream cap (bytes) for models and updates. */
  streamMaxBytes?: number;
  /**
   * Clustering mode: 'auto' (default) refines by loss (warm-up models + loss reports) only when
   * the fingerprints do not separate the tasks; 'loss' always refines by loss and assigns no
   * cluster before the refinement of the view is done; 'task' puts every peer of the same input shape and
   * classes in one cluster (zero-shot mode).
   */
  clustering?: ClusteringMode;
  /**
   * Zero-shot task mode (issue 15): meta's zero-shot rule; clustering is 'task' (one cluster per input
   * shape and class table: label spaces differ by design) and there is no global level.
   */
  zeroShot?: ZsLearnerOptions;
  /** Where training runs: a worker thread (default: the peer's event loop stays free) or inline. */
  learner?: 'worker' | 'inline';
  /** Time source (tests); default the system clock. */
  clock?: Clock;
  /** 'tcp' (default) or 'memory' (in-process tests over @libp2p/memory). */
  transport?: 'tcp' | 'memory';
  /** Ignore (and keep aside) existing checkpoints instead of resuming. */
  fresh?: boolean;
  /** Take the data dir's lock (default true; in-memory tests may share nothing and skip it). */
  lockDataDir?: boolean;
  /**
   * Metrics subscriber (`ppfm start --metrics`, see metrics/peer-metrics.ts): `observe` receives
   * every event the peer logs; `libp2p` goes to createLibp2p's `metrics` option (HostOptions.metrics).
   */
  metrics?: { observe(e: LogEvent): void; libp2p?: Libp2pOptions['metrics'] };
  /** Secure aggregation, differential privacy, fingerprint noise (see docs/privacy.md). */
  privacy?: PrivacyOptions;
  /** How a head combines its members' updates (`--aggregator`; meta's cfg.aggregator, default 'auto'). */
  aggregator?: AggregatorName;
  /** Private network: only these peer ids may connect (`--allow-peers FILE`, net/private-network.ts). */
  allowPeers?: Iterable<string>;
  /** Private network: the bytes of a pre-shared swarm key file (`--swarm-key FILE`, @libp2p/pnet). */
  swarmKey?: Uint8Array;
}

/** How a peer clusters its view (see PeerOptions.clustering). */
export type ClusteringMode = 'auto' | 'loss' | 'task';
