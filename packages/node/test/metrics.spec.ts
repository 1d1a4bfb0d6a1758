// Prometheus metrics of a peer: the gauges and counters the log events drive, the --metrics
// address, the /metrics endpoint, and libp2p's own metrics (bytes per protocol) in the registry.
import assert from 'node:assert/strict';
import '../src/polyfill.js';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import { createHost, type StartedHost } from '../src/host.js';
import type { LogEvent } from '../src/log/events.js';
import { createPeerMetrics } from '../src/metrics/peer-metrics.js';
import { parseMetricsAddress, serveMetrics } from '../src/metrics/server.js';
import { request, serve } from '../src/streams.js';
import { sample } from './helpers/prom.js';

const SELF = '12D3KooWSelfSelfSelf';
const OTHER = '12D3KooWOtherOther';

describe('peer metrics', () => {
  it('turns log events into gauges and counters', async () => {
    let clock = 1_000_000;
    const m = createPeerMetrics({ peerId: SELF, now: () => clock, processMetrics: false });
    const feed = (e: LogEvent): void => m.observe(e);
    feed({
      event: 'peer_started',
      addrs: [],
      backend: 'wasm',
      dataPath: '/d',
      samples: 500,
      version: '0.1.0',
    });
    feed({ event: 'peer_connected', remote: OTHER });
    feed({ event: 'view_changed', peers: [SELF, OTHER, 'x'] });
    feed({ event: 'cluster_assigned', cluster: 'c1', members: [SELF, OTHER], head: SELF, k: 2 });
    feed({ event: 'head_elected', cluster: 'c1', head: SELF, term: 3 });
    feed({ event: 'round_opened', cluster: 'c1', round: 4, term: 3, head: SELF });
    clock += 2000; // the head trained its own 500 samples for 2 s
    feed({ event: 'update_received', cluster: 'c1', round: 4, from: SELF, samples: 500 });
    feed({ event: 'update_received', cluster: 'c1', round: 4, from: OTHER, samples: 300 });
    feed({ event: 'round_closed', cluster: 'c1', round: 4, updates: 2, quorum: 2 });
    const evaluation: LogEvent = {
      event: 'evaluation',
      cluster: 'c1',
      round: 4,
      accBefore: 0.5,
      accAfter: 0.875,
      lossBefore: 1.5,
      lossAfter: 0.25,
    };
    feed(evaluation);
    feed(evaluation); // the same event object twice (log tee + peer): counted once
    const traffic = (sent: number, roundSent: number): LogEvent => ({
      event: 'traffic',
      cluster: 'c1',
      round: 4,
      bytesSent: sent,
      bytesReceived: 2 * sent,
      roundBytesSent: roundSent,
      roundBytesReceived: 2 * roundSent,
      roundDirectBytesSent: roundSent - 10,
      modelBytes: 407_312,
      codec: 'float32',
    });
    feed(traffic(1000, 1000));
    feed(traffic(2500, 1500));
    feed({ event: 'message_rejected', topic: '/ppfm/1/cluster/c1', from: OTHER, reason: 'malformed' });
    feed({ event: 'message_rejected', topic: '/ppfm/1/cluster/c1', from: OTHER, reason: 'malformed' });
    // Events a newer peer may log: counted by their shape, never a crash.
    const future = (e: Record<string, unknown>): void => m.observe(e as unknown as LogEvent);
    future({ event: 'update_rejected', from: OTHER, reason: 'norm_bound', epsilon: 1.25 });
    future({ event: 'aggregate_discarded', reason: 'non_finite' });
    future({ event: 'waiting', reason: 'min_peers' });
    future({ event: 'something_new' });

    const text = await m.registry.metrics();
    assert.equal(sample(text, 'ppfm_peer_info', 'version="0.1.0",backend="wasm"'), 1);
    assert.equal(sample(text, 'ppfm_peers_in_view'), 3);
    assert.equal(sample(text, 'ppfm_connected_peers'), 1);
    assert.equal(sample(text, 'ppfm_cluster_size'), 2);
    assert.equal(sample(text, 'ppfm_cluster', 'cluster="c1"'), 1);
    assert.equal(sample(text, 'ppfm_role', 'role="head"'), 1);
    assert.equal(sample(text, 'ppfm_role', 'role="member"'), 0);
    assert.equal(sample(text, 'ppfm_term'), 3);
    assert.equal(sample(text, 'ppfm_round'), 4);
    assert.equal(sample(text, 'ppfm_personalised_accuracy'), 0.875);
    assert.equal(sample(text, 'ppfm_accuracy_before_adaptation'), 0.5);
    assert.equal(sample(text, 'ppfm_personalised_loss'), 0.25);
    assert.equal(sample(text, 'ppfm_evaluations_total'), 1);
    assert.equal(sample(text, 'ppfm_payload_bytes_total', 'direction="sent"'), 2500);
    assert.equal(sample(text, 'ppfm_payload_bytes_total', 'direction="received"'), 5000);
    assert.equal(sample(text, 'ppfm_direct_payload_bytes_sent_total'), 990 + 1490);
    assert.equal(sample(text, 'ppfm_round_payload_bytes', 'direction="sent"'), 1500);
    assert.equal(sample(text, 'ppfm_model_bytes'), 407_312);
    assert.equal(
      sample(text, 'ppfm_messages_rejected_total', 'reason="malformed",channel="/ppfm/1/cluster/c1"'),
      2,
    );
    assert.equal(sample(text, 'ppfm_discarded_total', 'event="update_rejected",reason="norm_bound"'), 1);
    assert.equal(sample(text, 'ppfm_discarded_total', 'event="aggregate_discarded",reason="non_finite"'), 1);
    assert.equal(sample(text, 'ppfm_updates_received_total'), 2);
    assert.equal(sample(text, 'ppfm_rounds_closed_total'), 1);
    assert.equal(sample(text, 'ppfm_training_samples_per_second'), 250);
    assert.equal(sample(text, 'ppfm_epsilon_spent'), 1.25);
    assert.equal(sample(text, 'ppfm_waiting'), 1);
    assert.equal(sample(text, 'ppfm_lease_age_seconds'), 0, 'the head itself');
  });

  it('follows a new head as a member: role, term, lease age, failover', async () => {
    let clock = 5_000;
    const m = createPeerMetrics({ now: () => clock, processMetrics: false });
    // No peerId given: taken from peer_started's addresses.
    m.observe({
      event: 'peer_started',
      addrs: [`/ip4/127.0.0.1/tcp/1/p2p/${SELF}`],
      backend: 'cpu',
      dataPath: '/d',
      samples: 10,
      version: '0.1.0',
    });
    m.observe({ event: 'cluster_assigned', cluster: 'c0', members: [SELF, OTHER], head: OTHER, k: 1 });
    m.observe({ event: 'head_elected', cluster: 'c0', head: OTHER, term: 1 });
    clock += 4500;
    let text = await m.registry.metrics();
    assert.equal(sample(text, 'ppfm_role', 'role="member"'), 1);
    assert.equal(sample(text, 'ppfm_lease_age_seconds'), 4.5);
    m.observe({ event: 'lease_expired', cluster: 'c0', head: OTHER, term: 1 });
    m.observe({ event: 'head_elected', cluster: 'c0', head: SELF, term: 2, failoverMs: 5200 });
    m.observe({ event: 'head_elected', cluster: 'c0', head: OTHER, term: 1 }); // stale: ignored
    text = await m.registry.metrics();
    assert.equal(sample(text, 'ppfm_role', 'role="head"'), 1);
    assert.equal(sample(text, 'ppfm_term'), 2);
    assert.equal(sample(text, 'ppfm_lease_expiries_total'), 1);
    assert.equal(sample(text, 'ppfm_last_failover_seconds'), 5.2);
    m.observe({ event: 'cluster_assigned', cluster: 'c3', members: [SELF], head: SELF, k: 2 });
    text = await m.registry.metrics();
    assert.equal(sample(text, 'ppfm_cluster', 'cluster="c0"'), undefined, 'the old cluster label is gone');
    assert.equal(sample(text, 'ppfm_cluster', 'cluster="c3"'), 1);
  });

  it('parses --metrics addresses', () => {
    assert.deepEqual(parseMetricsAddress('9464'), { host: '127.0.0.1', port: 9464 });
    assert.deepEqual(parseMetricsAddress('0.0.0.0:9464'), { host: '0.0.0.0', port: 9464 });
    assert.deepEqual(parseMetricsAddress('[::1]:0'), { host: '::1', port: 0 });
    for (const bad of ['', 'x', '1.2.3.4:', ':80', '70000', 'a:b:1'])
      assert.throws(() => parseMetricsAddress(bad), /expected PORT, HOST:PORT/, bad);
  });

  it('serves /metrics and adds libp2p’s bytes per protocol to the same registry', async function () {
    this.timeout(30_000);
    const metrics = [createPeerMetrics({ processMetrics: false }), createPeerMetrics()];
    const hosts: StartedHost[] = [];
    for (const m of metrics)
      hosts.push(
        await createHost({
          privateKey: (await generateKeyPair('Ed25519')) as unknown as PrivateKey,
          listen: ['/ip4/127.0.0.1/tcp/0'],
          metrics: m.libp2p,
        }),
      );
    const [a, b] = hosts as [StartedHost, StartedHost];
    const server = await serveMetrics((metrics[1] as (typeof metrics)[number]).registry, {
      host: '127.0.0.1',
      port: 0,
    });
    try {
      await serve(b.libp2p, '/ppfm-test/echo/1', async (body) => body, {
        limits: { maxBytes: 1 << 20, timeoutMs: 5000 },
        encodeError: () => new Uint8Array(0),
      });
      await a.libp2p.dial(multiaddr(b.addrs()[0] as string));
      const reply = await request(a.libp2p, b.libp2p.peerId, '/ppfm-test/echo/1', new Uint8Array(10_000), {
        maxBytes: 1 << 20,
        timeoutMs: 5000,
      });
      assert.equal(reply.byteLength, 10_000);
      const res = await fetch(server.url);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
      const text = await res.text();
      const received = sample(
        text,
        'libp2p_data_transfer_bytes_total',
        'protocol="/ppfm-test/echo/1 received"',
      );
      assert.ok(received !== undefined && received >= 10_000, `echo bytes received: ${received}`);
      assert.ok(sample(text, 'process_cpu_user_seconds_total') !== undefined, 'process metrics');
      assert.equal((await fetch(server.url.replace('/metrics', '/other'))).status, 404);
    } finally {
      await server.close();
      await Promise.all(hosts.map((h) => h.stop()));
    }
  });
});
