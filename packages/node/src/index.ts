// Public API of @ppfm/node: the networked peer and its building blocks.
import './polyfill.js';

export {
  startPeer,
  DEFAULT_TIMING,
  type Peer,
  type PeerLog,
  type PeerOptions,
  type PeerStatus,
  type PeerTiming,
  type ClusteringMode,
} from './peer.js';
export {
  createHost,
  ensureConnected,
  DEFAULT_GOSSIP_MAX_BYTES,
  type Host,
  type HostOptions,
  type StartedHost,
} from './host.js';
export { GossipRouter, type TopicHandler, type Discarded, type Validation } from './net/gossip-router.js';
export { EventBus, type PeerEventMap, type PeerRole } from './events.js';
export { ManualClock, systemClock, type Clock } from './clock.js';
export {
  request,
  serve,
  StreamError,
  DEFAULT_STREAM_LIMITS,
  type StreamLimits,
  type ServeOptions,
} from './streams.js';
export {
  RoundCollector,
  quorumSize,
  type RoundTiming,
  type RoundUpdate,
  type UpdateVerdict,
} from './rounds.js';
export type { LogEvent, LoggedEvent, LogEventName } from './log/events.js';
export { loadOrCreatePrivateKey, peerIdOfDataDir, IdentityError, KEY_FILE } from './identity.js';
export { readLogDir, type ReadLogsResult } from './inspect/read-logs.js';
export { summariseLogs, type InspectReport } from './inspect/summarise.js';
export { LogFollower, isPeerLogName, type FollowOptions, type LineHandler } from './dashboard/follow.js';
export { DashboardFold } from './dashboard/fold.js';
export { buildView, type SnapshotOptions } from './dashboard/snapshot.js';
export { DashboardSource, type DashboardSourceOptions } from './dashboard/source.js';
export { startDashboard, type DashboardServer, type DashboardServerOptions } from './dashboard/server.js';
export { reportFromEvents, writeReport, type ReportOptions } from './dashboard/report.js';
export type { DashboardView, PeerView, ClusterView, PeerActivity, HeadState } from './dashboard/view.js';
export { createPeerMetrics, type PeerMetrics, type PeerMetricsOptions } from './metrics/peer-metrics.js';
export {
  parseMetricsAddress,
  serveMetrics,
  type MetricsAddress,
  type MetricsServer,
} from './metrics/server.js';
export { loadCheckpoint, CHECKPOINT_FILE, type Checkpoint, type LoadResult } from './checkpoint.js';
