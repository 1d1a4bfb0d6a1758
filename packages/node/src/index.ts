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
