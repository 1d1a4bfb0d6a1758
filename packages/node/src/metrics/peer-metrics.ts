/**
 * Prometheus metrics of one peer (prom-client), fed by the peer's log events through `observe`,
 * plus libp2p's own metrics (`@libp2p/prometheus-metrics`: bytes per protocol, connections,
 * streams) in the same registry. Unknown events are ignored except a few forward-compatible
 * shapes (`waiting`, `*_rejected` / `*_discarded` with a `reason`, an `epsilon` field).
 */
import { prometheusMetrics } from '@libp2p/prometheus-metrics';
import type { Libp2pOptions } from 'libp2p';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { LogEvent } from '../log/events.js';

/** The libp2p `metrics` option (a factory libp2p calls with its components). */
export type Libp2pMetricsFactory = NonNullable<Libp2pOptions['metrics']>;

export interface PeerMetricsOptions {
  /** This peer's id, to tell its own updates and headship apart (else read from peer_started's addrs). */
  peerId?: string;
  /** Registry to fill (default: a new one, so that several peers in one process stay apart). */
  registry?: Registry;
  /** Clock, for lease age and training speed (default Date.now). */
  now?: () => number;
  /** Also export Node.js process metrics: CPU, memory, event loop lag (default true). */
  processMetrics?: boolean;
}

/** What `ppfm start --metrics` hands to the peer: a log subscriber and libp2p's metrics. */
export interface PeerMetrics {
  readonly registry: Registry;
  /** Updates the metrics from one logged event; the same event object is counted once however often it is passed. */
  observe(e: LogEvent): void;
  /** Pass as libp2p's `metrics` option (createLibp2p) to add libp2p's metrics to the registry. */
  readonly libp2p: Libp2pMetricsFactory;
}

type Role = 'head' | 'member' | 'unassigned';
const ROLES: Role[] = ['head', 'member', 'unassigned'];

/** Creates the metrics of one peer. */
export function createPeerMetrics(opts: PeerMetricsOptions = {}): PeerMetrics {
  const registry = opts.registry ?? new Registry();
  const now = opts.now ?? Date.now;
  if (opts.processMetrics !== false) collectDefaultMetrics({ register: registry });
  const reg = { registers: [registry] };
  const gauge = (name: string, help: string, labelNames: string[] = []): Gauge =>
    new Gauge({ name, help, labelNames, ...reg });
  const counter = (name: string, help: string, labelNames: string[] = []): Counter =>
    new Counter({ name, help, labelNames, ...reg });

  let self = opts.peerId;
  let cluster: string | undefined;
  let term = 0;
  let headSeenAt: number | undefined;
  let role: Role = 'unassigned';
  let roundOpenedAt: number | undefined;
  let sentTotal = 0;
  let receivedTotal = 0;
  const connected = new Set<string>();
  const seen = new WeakSet<object>();

  const info = gauge('ppfm_peer_info', 'Always 1; labels: version and tensor backend of the peer.', [
    'version',
    'backend',
  ]);
  const inView = gauge('ppfm_peers_in_view', "Live peers in this peer's membership view, itself included.");
  const connections = gauge('ppfm_connected_peers', 'Peers this peer holds a connection to.');
  const clusterSize = gauge('ppfm_cluster_size', "Members of this peer's cluster, itself included.");
  const clusterInfo = gauge('ppfm_cluster', "Always 1 for this peer's current cluster id.", ['cluster']);
  const roleGauge = gauge('ppfm_role', "1 for this peer's role in its cluster, 0 for the others.", ['role']);
  const termGauge = gauge('ppfm_term', 'Term of the head this peer follows (or is).');
  const roundGauge = gauge('ppfm_round', 'Latest round this peer took part in, in its cluster.');
  const acc = gauge(
    'ppfm_personalised_accuracy',
    'Latest personalised accuracy on the held-out split (after adaptation).',
  );
  const accBefore = gauge(
    'ppfm_accuracy_before_adaptation',
    'Latest accuracy of the cluster model before adaptation.',
  );
  const loss = gauge(
    'ppfm_personalised_loss',
    'Latest personalised loss on the held-out split (after adaptation).',
  );
  const evaluations = counter('ppfm_evaluations_total', 'Personalised evaluations run.');
  const payload = counter(
    'ppfm_payload_bytes_total',
    'Application payload bytes (direct streams + gossip payloads, no framing); libp2p_data_transfer_bytes_total has bytes per protocol.',
    ['direction'],
  );
  const directPayload = counter(
    'ppfm_direct_payload_bytes_sent_total',
    'The direct-stream part of payload bytes sent.',
  );
  const roundPayload = gauge('ppfm_round_payload_bytes', 'Payload bytes of the last round window.', [
    'direction',
  ]);
  const modelBytes = gauge('ppfm_model_bytes', 'Encoded size of the cluster model envelope.');
  const rejected = counter(
    'ppfm_messages_rejected_total',
    'Invalid inbound messages rejected, by reason and topic or protocol.',
    ['reason', 'channel'],
  );
  const discarded = counter(
    'ppfm_discarded_total',
    'Updates or aggregates refused after decoding (e.g. update_rejected, aggregate_discarded).',
    ['event', 'reason'],
  );
  const updates = counter(
    'ppfm_updates_received_total',
    'Member updates received by this peer as a head (its own included).',
  );
  const roundsClosed = counter('ppfm_rounds_closed_total', 'Rounds this peer closed as a head.');
  const samplesPerSec = gauge(
    'ppfm_training_samples_per_second',
    "Local samples per second of this peer's latest task-level training.",
  );
  const leaseExpiries = counter('ppfm_lease_expiries_total', 'Head leases this peer saw expire.');
  const failover = gauge(
    'ppfm_last_failover_seconds',
    "Failover time of the latest re-election this peer saw (from the dead head's last lease).",
  );
  const waiting = gauge(
    'ppfm_waiting',
    '1 while the peer holds its first round (waiting for peers or a bootstrap).',
  );
  const epsilon = gauge(
    'ppfm_epsilon_spent',
    'Differential-privacy budget spent, when the peer reports one.',
  );
  new Gauge({
    name: 'ppfm_lease_age_seconds',
    help: 'Seconds since this peer last saw its head act (election, round, model); 0 on the head itself or with no head.',
    ...reg,
    collect() {
      this.set(role === 'head' || headSeenAt === undefined ? 0 : (now() - headSeenAt) / 1000);
    },
  });

  const setRole = (r: Role): void => {
    role = r;
    for (const x of ROLES) roleGauge.set({ role: x }, x === r ? 1 : 0);
  };
  setRole('unassigned');
  const ownCluster = (c: string): boolean => cluster === undefined || c === cluster;
  const noteHead = (c: string, h: string, t: number): void => {
    if (!ownCluster(c) || t < term) return;
    term = t;
    headSeenAt = now();
    termGauge.set(t);
    setRole(self !== undefined && h === self ? 'head' : 'member');
  };
  const trained = (samples: number, seconds: number): void => {
    if (samples > 0 && seconds > 0) samplesPerSec.set(samples / seconds);
  };

  const apply = (e: LogEvent): void => {
    const fields = e as unknown as Record<string, unknown>;
    if (typeof fields.epsilon === 'number' && Number.isFinite(fields.epsilon)) epsilon.set(fields.epsilon);
    if (typeof fields.trainMs === 'number' && typeof fields.samples === 'number')
      trained(fields.samples, fields.trainMs / 1000);
    if ('round' in e && 'cluster' in e && ownCluster(e.cluster)) {
      roundGauge.set(e.round);
      waiting.set(0);
    }
    switch (e.event) {
      case 'peer_started':
        info.set({ version: e.version, backend: e.backend }, 1);
        self ??= e.addrs.map((a) => /\/p2p\/([^/]+)$/.exec(a)?.[1]).find((x) => x !== undefined);
        break;
      case 'peer_connected':
        connected.add(e.remote);
        connections.set(connected.size);
        break;
      case 'peer_disconnected':
        connected.delete(e.remote);
        connections.set(connected.size);
        break;
      case 'view_changed':
        inView.set(e.peers.length);
        break;
      case 'cluster_assigned':
        if (e.cluster !== cluster) {
          clusterInfo.reset();
          cluster = e.cluster;
          term = 0;
          setRole('member');
        }
        clusterInfo.set({ cluster: e.cluster }, 1);
        clusterSize.set(e.members.length);
        break;
      case 'head_elected':
        noteHead(e.cluster, e.head, e.term);
        break;
      case 'round_opened':
        noteHead(e.cluster, e.head, e.term);
        if (e.head === self) roundOpenedAt = now();
        break;
      case 'update_received':
        updates.inc();
        // A head trains right after opening a round: its own update closes that measurement.
        if (e.from === self && roundOpenedAt !== undefined) {
          trained(e.samples, (now() - roundOpenedAt) / 1000);
          roundOpenedAt = undefined;
        }
        break;
      case 'round_closed':
        roundsClosed.inc();
        break;
      case 'cluster_model_published':
        modelBytes.set(e.bytes);
        if (ownCluster(e.cluster)) headSeenAt = now();
        break;
      case 'lease_expired':
        leaseExpiries.inc();
        break;
      case 'evaluation':
        acc.set(e.accAfter);
        accBefore.set(e.accBefore);
        loss.set(e.lossAfter);
        evaluations.inc();
        break;
      case 'traffic':
        payload.inc({ direction: 'sent' }, Math.max(0, e.bytesSent - sentTotal));
        payload.inc({ direction: 'received' }, Math.max(0, e.bytesReceived - receivedTotal));
        sentTotal = Math.max(sentTotal, e.bytesSent);
        receivedTotal = Math.max(receivedTotal, e.bytesReceived);
        directPayload.inc(e.roundDirectBytesSent);
        roundPayload.set({ direction: 'sent' }, e.roundBytesSent);
        roundPayload.set({ direction: 'received' }, e.roundBytesReceived);
        modelBytes.set(e.modelBytes);
        // A member's traffic event follows fetching its head's new model: the head is alive.
        if (ownCluster(e.cluster)) headSeenAt = now();
        break;
      case 'message_rejected':
        rejected.inc({ reason: e.reason, channel: e.topic ?? e.protocol ?? '' });
        break;
      default: {
        const name = (e as { event: string }).event;
        if (name === 'waiting') waiting.set(1);
        else if (/_(rejected|discarded)$/.test(name))
          discarded.inc({
            event: name,
            reason: typeof fields.reason === 'string' ? fields.reason : 'unspecified',
          });
      }
    }
    if (e.event === 'head_elected' && e.failoverMs !== undefined && ownCluster(e.cluster))
      failover.set(e.failoverMs / 1000);
  };

  return {
    registry,
    observe(e) {
      // Both the peer and a log tee may pass the same event: count it once.
      if (seen.has(e)) return;
      seen.add(e);
      apply(e);
    },
    libp2p: prometheusMetrics({ registry, collectDefaultMetrics: false }) as Libp2pMetricsFactory,
  };
}
