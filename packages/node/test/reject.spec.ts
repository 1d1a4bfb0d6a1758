// Malformed, oversized, non-finite and impersonating messages on every topic and protocol: each
// is rejected with a typed reason, logged against the sender, and the honest peers carry on.
import assert from 'node:assert/strict';
import { computeFingerprint, identityScaler, initWeights, withScaler } from '@ppfm/meta';
import {
  clusterTopic,
  encodeGossip,
  encodeModelEnvelope,
  encodeUpdateEnvelope,
  PROTOCOL_MODEL_FETCH,
  PROTOCOL_UPDATE_PUSH,
  specHash,
  TOPIC_FINGERPRINTS,
  TOPIC_HEADS,
} from '@ppfm/protocol';
import { startAttacker, type Attacker } from './helpers/attacker.js';
import { poison, SENTINEL } from './helpers/evil.js';
import {
  CLASSES,
  converged,
  FEATURES,
  groupData,
  launchNet,
  loopback,
  SMALL_MODEL,
  stopAll,
  type TestPeer,
} from './helpers/peers.js';
import { until } from './helpers/wait.js';

describe('invalid messages on every topic and protocol', function () {
  this.timeout(120_000);
  let peers: TestPeer[] = [];
  let evil: Attacker;
  let cluster = '';
  let head: TestPeer;
  let member: TestPeer;
  let fetchedFromEvil: () => number = () => 0;
  before(async () => {
    // No round limit: the peers keep running while the attacks go on.
    peers = await launchNet([0, 0, 0]);
    await until(peers, () => converged(peers, 1), 'one cluster with a head');
    head = peers.find((p) => p.peer.status().role === 'head') as TestPeer;
    member = peers.find((p) => p.peer.status().role === 'member') as TestPeer;
    cluster = head.peer.status().cluster as string;
    evil = await startAttacker(peers.flatMap(loopback));
    await evil.join([TOPIC_FINGERPRINTS, clusterTopic(cluster), TOPIC_HEADS]);
  });
  after(async () => {
    await stopAll(peers);
    await evil?.stop();
  });

  const rejected = (): { where: string; reason: string; from: string }[] =>
    peers.flatMap((p) =>
      p.log
        .of('message_rejected')
        .map((r) => ({ where: r.topic ?? r.protocol ?? '?', reason: r.reason, from: r.from })),
    );

  it('rejects garbage, oversized and non-finite gossip and impersonation, each logged against the sender', async () => {
    const now = Date.now();
    const fp = {
      ...computeFingerprint(groupData(0, 9)),
      peerId: evil.id,
      seq: 1,
      capacity: 1,
      featureMean: [],
      featureStd: [],
      sentAt: now,
    };
    fp.projMean = [SENTINEL, ...fp.projMean.slice(1)];
    const garbage = Uint8Array.of(1, 2, 3, 4, 5, 6, 7);
    const big = new Uint8Array(300_000).fill(9);
    const nanFp = poison(encodeGossip({ kind: 'fingerprint', ...fp }));
    for (const t of [TOPIC_FINGERPRINTS, clusterTopic(cluster), TOPIC_HEADS]) {
      await evil.publish(t, garbage);
      await evil.publish(t, big);
      await evil.publish(t, nanFp);
    }
    // impersonation: a fingerprint and a lease claiming another peer's id
    await evil.publish(
      TOPIC_FINGERPRINTS,
      encodeGossip({
        kind: 'fingerprint',
        ...fp,
        projMean: fp.projMean.map(() => 0),
        peerId: member.peer.peerId,
      }),
    );
    await evil.publish(
      clusterTopic(cluster),
      encodeGossip({
        kind: 'head_lease',
        cluster,
        head: member.peer.peerId,
        term: 99,
        round: 1,
        leaseMs: 1000,
        sentAt: now,
      }),
    );
    const expected: [string, string][] = [];
    for (const t of [TOPIC_FINGERPRINTS, clusterTopic(cluster), TOPIC_HEADS])
      expected.push([t, 'malformed'], [t, 'too_large'], [t, 'non_finite']);
    expected.push([TOPIC_FINGERPRINTS, 'sender_mismatch'], [clusterTopic(cluster), 'sender_mismatch']);
    const missing = (): [string, string][] =>
      expected.filter(([w, r]) => !rejected().some((x) => x.where === w && x.reason === r));
    await until(
      peers,
      () => missing().length === 0,
      'every gossip rejection logged',
      20_000,
      () => `missing ${JSON.stringify(missing())}; logged ${JSON.stringify(rejected())}`,
    );
    assert.ok(
      rejected().every((r) => r.from === evil.id),
      JSON.stringify(rejected()),
    );
  });

  it('rejects garbage, oversized and non-finite direct requests, capped at what a model can weigh', async () => {
    // a model of the peers' spec (input scaler first) with one weight set to NaN
    const w = withScaler(initWeights(SMALL_MODEL, [FEATURES], CLASSES, 2), identityScaler(FEATURES));
    (w[3] as { values: Float32Array }).values[0] = SENTINEL;
    const hash = specHash(w);
    const nanUpdate = poison(
      encodeUpdateEnvelope({
        cluster,
        baseRound: 1,
        term: 1,
        sampleCount: 10,
        specHash: hash,
        codec: 'float32',
        weights: w,
      }),
    );
    const garbage = Uint8Array.of(1, 2, 3, 4, 5, 6, 7);
    // far more than a model of this spec can legitimately weigh (the tiny test model is ~1.3 kB)
    const big = new Uint8Array(2_000_000).fill(9);
    const replies: unknown[] = [];
    for (const proto of [PROTOCOL_MODEL_FETCH, PROTOCOL_UPDATE_PUSH]) {
      replies.push(await evil.ask(head.peer.peerId, proto, garbage));
      replies.push(await evil.ask(head.peer.peerId, proto, big));
    }
    replies.push(await evil.ask(head.peer.peerId, PROTOCOL_UPDATE_PUSH, nanUpdate));
    assert.ok(
      replies.every((r) => r instanceof Uint8Array),
      'the head answers every request (with an error reply)',
    );
    const expected: [string, string][] = [
      [PROTOCOL_MODEL_FETCH, 'malformed'],
      [PROTOCOL_MODEL_FETCH, 'too_large'],
      [PROTOCOL_UPDATE_PUSH, 'malformed'],
      [PROTOCOL_UPDATE_PUSH, 'too_large'],
      // A non-member's push is refused on its header, before its (non-finite) weights are read.
      [PROTOCOL_UPDATE_PUSH, 'not_member'],
    ];
    const missing = (): [string, string][] =>
      expected.filter(([w2, r]) => !rejected().some((x) => x.where === w2 && x.reason === r));
    await until(
      peers,
      () => missing().length === 0,
      'every direct rejection logged',
      20_000,
      () => `missing ${JSON.stringify(missing())}; logged ${JSON.stringify(rejected())}`,
    );
    assert.ok(
      rejected().every((r) => r.from === evil.id),
      JSON.stringify(rejected()),
    );
  });

  it('a model announced on the heads topic by a non-member is never fetched, and the peers keep working', async () => {
    // The first attacker is graylisted by now (its invalid messages above): a fresh one.
    await evil.stop();
    evil = await startAttacker(peers.flatMap(loopback));
    await evil.join([TOPIC_HEADS]);
    const w = initWeights(SMALL_MODEL, [FEATURES], CLASSES, 3);
    fetchedFromEvil = await evil.serve(PROTOCOL_MODEL_FETCH, () =>
      encodeModelEnvelope({
        modelId: 'c9/round-9',
        scope: { kind: 'cluster', cluster: 'c9' },
        round: 9,
        term: 1,
        specHash: specHash(w),
        codec: 'float32',
        weights: w,
      }),
    );
    await evil.publish(
      TOPIC_HEADS,
      encodeGossip({
        kind: 'model_announce',
        cluster: 'c9',
        round: 9,
        term: 1,
        head: evil.id,
        specHash: specHash(w),
        sentAt: Date.now(),
      }),
    );
    await until(
      [head],
      () =>
        head.log.of('message_ignored').some((e) => e.from === evil.id && e.topic === TOPIC_HEADS) ||
        head.log.of('peer_stopped').length > 0,
      'the head to ignore the announcement',
    );
    const now = Math.max(...peers.map((p) => p.peer.status().round));
    await until(
      peers,
      () => peers.every((p) => p.peer.status().round >= now + 2),
      'two more rounds everywhere',
    );
    assert.equal(fetchedFromEvil(), 0, 'nobody fetched the announced model from the attacker');
  });
});
