// The PPFM peer's log events: one JSON line per event, a stable schema documented in LOGS.md.
// A discriminated union on `event`, so emitters and `ppfm inspect` share one definition.

export interface PeerStartedEvent {
  event: 'peer_started';
  addrs: string[];
  backend: string;
  dataPath: string;
  samples: number;
  version: string;
  /** The target round (`--rounds`); absent when the peer runs until stopped. */
  rounds?: number;
  /** The peer's data dir (identity, checkpoints, address book). */
  dataDir?: string;
}
export interface PeerConnectedEvent {
  event: 'peer_connected';
  remote: string;
}
export interface PeerDisconnectedEvent {
  event: 'peer_disconnected';
  remote: string;
}
export interface FingerprintReceivedEvent {
  event: 'fingerprint_received';
  from: string;
  seq: number;
}
export interface ViewChangedEvent {
  event: 'view_changed';
  peers: string[];
}
export interface ClusterAssignedEvent {
  event: 'cluster_assigned';
  cluster: string;
  members: string[];
  head: string;
  k: number;
}
export interface HeadElectedEvent {
  event: 'head_elected';
  cluster: string;
  head: string;
  term: number;
  /** Time from this peer noticing the previous head's lease expiry (or cluster formation) to this election. */
  electionMs?: number;
  /** Failover: time from the last lease this peer received from the dead head to this election. */
  failoverMs?: number;
}
export interface LeaseExpiredEvent {
  event: 'lease_expired';
  cluster: string;
  head: string;
  term: number;
  /**
   * expired (absent in older logs): no lease within its ttl. left_cluster: the head is no longer a
   * member of this cluster by our view (it regrouped into another cluster or left the view).
   */
  reason?: 'expired' | 'left_cluster';
}
export interface RoundOpenedEvent {
  event: 'round_opened';
  cluster: string;
  round: number;
  term: number;
  head: string;
}
export interface UpdateReceivedEvent {
  event: 'update_received';
  cluster: string;
  round: number;
  from: string;
  samples: number;
}
export interface RoundClosedEvent {
  event: 'round_closed';
  cluster: string;
  round: number;
  updates: number;
  quorum: number;
  /** Epsilon this head has spent on its own updates so far (with --dp-*). */
  epsilon?: number;
}
/** Zero-shot augmentation (FedZDA): synthetic samples made from the cluster model. */
export interface AugmentationEvent {
  event: 'augmentation';
  cluster: string;
  round: number;
  role: 'member' | 'head';
  made: number;
  classes: number[];
  ms: number;
  /** Why synthesis stopped: 'steps' (all done), 'time' (the bound), 'aborted', 'none' (nothing to make). */
  stopped: string;
  /** Classes made by another cluster's model, each "class:cluster@round" (with teachers on). */
  teachers?: string[];
  /** Time spent fetching the teachers' models (ms). */
  teacherMs?: number;
}
/** FedZDA: another cluster's model refused as a teacher (the peer synthesises without it). */
export interface TeacherRefusedEvent {
  event: 'teacher_refused';
  cluster: string;
  from: string;
  reason: string;
  detail: string;
}
/** FedZDA head: its synthetic set pushed to its members (`delivered` of `members` took it). */
export interface ZdaSetSentEvent {
  event: 'zda_set_sent';
  cluster: string;
  round: number;
  count: number;
  members: number;
  delivered: number;
}
/** FedZDA member: the head's synthetic set taken for the next local steps and personalisation. */
export interface ZdaSetTakenEvent {
  event: 'zda_set_taken';
  from: string;
  cluster: string;
  round: number;
  count: number;
}
/** FedZDA member: a pushed synthetic set refused (not our head, wrong term or round, bad size, labels or values). */
export interface ZdaSetRefusedEvent {
  event: 'zda_set_refused';
  from: string;
  reason: string;
  detail: string;
}
export interface ClusterModelPublishedEvent {
  event: 'cluster_model_published';
  cluster: string;
  round: number;
  term: number;
  bytes: number;
}
export interface GlobalModelUpdatedEvent {
  event: 'global_model_updated';
  round: number;
  clusters: string[];
}
export interface EvaluationEvent {
  event: 'evaluation';
  cluster: string;
  round: number;
  /** false: a round between personalisations, the cluster model scored as is (after = before). */
  personalised?: boolean;
  accBefore: number;
  accAfter: number;
  lossBefore: number;
  lossAfter: number;
  /** Zero-shot mode: ZSL accuracy (unseen samples among unseen classes) and GZSL seen, unseen, H. */
  zsl?: number;
  gzslSeen?: number;
  gzslUnseen?: number;
  gzslH?: number;
  /** Epsilon this peer has spent so far (with --dp-*), at the delta of its dp_release events. */
  epsilon?: number;
}
export interface MessageRejectedEvent {
  event: 'message_rejected';
  /** Gossip topic the message arrived on (exactly one of topic/protocol is set). */
  topic?: string;
  /** Direct-stream protocol id the message arrived on. */
  protocol?: string;
  from: string;
  reason: string;
  detail?: string;
}
export interface CheckpointSavedEvent {
  event: 'checkpoint_saved';
  round: number;
  path: string;
}
export interface CheckpointRestoredEvent {
  event: 'checkpoint_restored';
  round: number;
  /** The file restored and whether it was the newest or the backup. */
  path?: string;
  source?: 'current' | 'backup';
}
/** A checkpoint file that could not be used: corrupt, or another peer's or model's; kept aside. */
export interface CheckpointRejectedEvent {
  event: 'checkpoint_rejected';
  path: string;
  reason: string;
  keptAs?: string;
}
export interface PeerStoppedEvent {
  event: 'peer_stopped';
  reason: string;
  /** Cumulative payload bytes sent / received over the peer's lifetime (see TrafficEvent). */
  bytesSent?: number;
  bytesReceived?: number;
  /** CPU seconds (user + system, all threads) of the peer's process so far. */
  processCpuSeconds?: number;
}
/**
 * Payload bytes this peer sent/received over direct protocols (model fetch, update push, peer
 * exchange: request + response bodies) and gossip (publish payload x direct recipients; delivered
 * payloads). Excludes framing, yamux/Noise and gossipsub control/forwarding. Emitted when the
 * peer's round completes (new cluster model fetched, or published by the head).
 */
export interface TrafficEvent {
  event: 'traffic';
  cluster: string;
  round: number;
  /** Cumulative since start. */
  bytesSent: number;
  bytesReceived: number;
  /** Since the previous traffic event. */
  roundBytesSent: number;
  roundBytesReceived: number;
  /** The direct-stream part of roundBytesSent (update push, fetch requests/responses, peer exchange). */
  roundDirectBytesSent: number;
  /** Size of the encoded cluster model envelope of this round. */
  modelBytes: number;
  codec: string;
}
export interface RoundsCompletedEvent {
  event: 'rounds_completed';
  cluster: string;
  round: number;
}

/** A line also shown on the terminal: waits, discards, fallbacks, refusals (never silent). */
export interface NoticeEvent {
  event: 'notice';
  /** info or warn (named so as not to clash with the log line's numeric `level`). */
  severity: 'info' | 'warn';
  /** Stable machine-readable kind, e.g. `waiting`, `no_compatible_peers`, `update_withheld`. */
  code: string;
  message: string;
}
/** A valid-looking message that was not acted on (stale, not from our head...): not penalised. */
export interface MessageIgnoredEvent {
  event: 'message_ignored';
  topic?: string;
  protocol?: string;
  from: string;
  reason: string;
  detail?: string;
  /** How many such messages (same sender, topic, reason) since the last line. */
  count: number;
}

export interface ViewSyncedEvent {
  event: 'view_synced';
  /** The neighbour asked (anti-entropy over /ppfm/1/view/sync). */
  remote: string;
  /** Signed fingerprints in its reply, and how many of them changed our view. */
  received: number;
  changed: number;
}
export interface PeerExpiredEvent {
  event: 'peer_expired';
  remote: string;
  /** How long it was silent (this peer's own stalls excluded), and the ttl it exceeded. */
  silentMs: number;
  ttlMs: number;
}
/**
 * Secure aggregation (--secure-agg): a member completed a stage of the protocol, or the head closed
 * one; `count` (head) = members that made it: U1 at advertise, U2 at share, U3 at mask, and the
 * contributors once unmasked.
 */
export interface SecAggStageEvent {
  event: 'secagg_stage';
  cluster: string;
  round: number;
  term: number;
  role: 'head' | 'member';
  stage: 'advertise' | 'share' | 'mask' | 'unmask';
  count?: number;
}
/** The head decoded a round's secure sum. */
export interface SecAggAggregatedEvent {
  event: 'secagg_aggregated';
  cluster: string;
  round: number;
  term: number;
  /** Members whose masked input is in the sum (U3). */
  contributors: number;
  /** Members that shared keys but sent no input: their masks were removed. */
  dropped: number;
  threshold: number;
  /** From closing the adverts to the decoded sum. */
  ms: number;
}
/** This peer's update left it clipped and noised (differential privacy); the accountant recorded it. */
export interface DpReleaseEvent {
  event: 'dp_release';
  cluster: string;
  round: number;
  /** Noise multiplier of the round's release (noise std / clip on the sum). */
  sigma: number;
  /** Noise multiplier this peer added itself (sigma / sqrt(t) under secure aggregation). */
  noiseMultiplier: number;
  /** L2 norm of the update before clipping. */
  norm: number;
  clip: number;
  delta: number;
  /** Epsilon spent after this release, at `delta` (absent while unbounded). */
  epsilon?: number;
}

/** Every event a PPFM peer logs. */
export type LogEvent =
  | ZdaSetSentEvent
  | ZdaSetTakenEvent
  | ZdaSetRefusedEvent
  | PeerStartedEvent
  | PeerConnectedEvent
  | PeerDisconnectedEvent
  | FingerprintReceivedEvent
  | ViewChangedEvent
  | ClusterAssignedEvent
  | HeadElectedEvent
  | LeaseExpiredEvent
  | RoundOpenedEvent
  | UpdateReceivedEvent
  | RoundClosedEvent
  | ClusterModelPublishedEvent
  | AugmentationEvent
  | TeacherRefusedEvent
  | GlobalModelUpdatedEvent
  | EvaluationEvent
  | MessageRejectedEvent
  | CheckpointSavedEvent
  | CheckpointRestoredEvent
  | CheckpointRejectedEvent
  | PeerStoppedEvent
  | RoundsCompletedEvent
  | TrafficEvent
  | NoticeEvent
  | MessageIgnoredEvent
  | ViewSyncedEvent
  | PeerExpiredEvent
  | SecAggStageEvent
  | SecAggAggregatedEvent
  | DpReleaseEvent;

/** The name of a known event. */
export type LogEventName = LogEvent['event'];

/** Envelope fields pino adds to every line. */
export interface LogEnvelope {
  level: number;
  time: number;
  peer: string;
}

/** A known event as read back from a log file. */
export type LoggedEvent = LogEvent & LogEnvelope;

/** An event this version does not know (written by a newer peer): kept, never interpreted. */
export interface UnknownLoggedEvent extends LogEnvelope {
  event: string;
  unknown: true;
  [field: string]: unknown;
}

/** Pino's numeric levels. */
export const LOG_LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
export type LogLevelName = keyof typeof LOG_LEVELS;
