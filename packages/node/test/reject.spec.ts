import './helpers/net.js';
import assert from 'node:assert/strict';
import { peerIdFromString } from '@libp2p/peer-id';
import { computeFingerprint, initWeights } from '@ppfm/meta';
import {
  clusterTopic,
  encodeError,
  encodeGossip,
  encodeModelEnvelope,
  encodeUpdateEnvelope,
  PROTOCOL_MODEL_FETCH,
  PROTOCOL_UPDATE_PUSH,
  specHash,
  TOPIC_FINGERPRINTS,
  TOPIC_HEADS,
} from '@ppfm/protocol';
import type { StartedHost } from '../src/host.js';
import { request, serve } from '../src/streams.js';
import { poison, SENTINEL } from './helpers/evil.js';
import { rawHost, sleep, waitFor } from './helpers/net.js';
import {
  FEATURES,
  CLASSES,
  groupData,
  launchNet,
  loopback,
  SMALL_MODEL,
  stopAll,
  type TestPeer,
} from './helpers/peers.js';

describe('invalid messages on every topic and protocol', function () {
  this.timeout(120_000);
  let peers: TestPeer[] = [];
  let evil: StartedHost | undefined;
  after(async () => {
    await stopAll(peers);
    await evil?.stop();
  });

  it('are rejected and logged, and the peers keep working', async () => {
    peers = await launchNet([0, 0, 0], { rounds: 4, streamMaxBytes: 64 * 1024 });
    evil = await rawHost(peers.flatMap(loopback));
    const e = evil;
    const eid = e.libp2p.peerId.toString();
    await waitFor(() => peers.every((p) => p.peer.status().role !== 'unassigned'), 20_000, 'clusters');
    await waitFor(() => peers.some((p) => p.peer.status().role === 'head'), 20_000, 'a head');
    const head = peers.find((p) => p.peer.status().role === 'head') as TestPeer;
    const member = peers.find((p) => p.peer.status().role === 'member') as TestPeer;
    const cluster = head.peer.status().cluster as string;
    const ps = e.libp2p.services.pubsub;
    for (const t of [TOPIC_FINGERPRINTS, clusterTopic(cluster), TOPIC_HEADS]) ps.subscribe(t);
    await waitFor(
      () =>
        ps.getSubscribers(TOPIC_HEADS).length > 0 && ps.getSubscribers(clusterTopic(cluster)).length === 3,
      10_000,
      'evil sees subscribers',
    );

    // a NaN model the evil peer serves when a head fetches its "cluster model"
    const w = initWeights(SMALL_MODEL, [FEATURES], CLASSES, 1);
    (w[0] as { values: Float32Array }).values[0] = SENTINEL;
    const hash = specHash(w);
    const nanModel = poison(
      encodeModelEnvelope({
        modelId: 'x/round-9',
        scope: { kind: 'cluster', cluster: 'c9' },
        round: 9,
        term: 1,
        specHash: hash,
        codec: 'float32',
        weights: w,
      }),
    );
    await serve(e.libp2p, PROTOCOL_MODEL_FETCH, async () => nanModel, {
      encodeError: (code, message) => encodeError({ code: 'rejected', message: `${code} ${message}` }),
    });

    const fp = {
      ...computeFingerprint(groupData(0, 9)),
      peerId: eid,
      seq: 1,
      capacity: 1,
      featureMean: [],
      featureStd: [],
      sentAt: Date.now(),
    };
    fp.projMean = [SENTINEL, ...fp.projMean.slice(1)];
    const pub = (t: string, b: Uint8Array): Promise<unknown> => ps.publish(t, b).catch(() => undefined);
    const garbage = Uint8Array.of(1, 2, 3, 4, 5, 6, 7);
    const big = new Uint8Array(100_000).fill(9);
    const announce = encodeGossip({
      kind: 'model_announce',
      cluster: 'c9',
      round: 9,
      term: 1,
      head: eid,
      specHash: hash,
      sentAt: Date.now(),
    });
    // Models never travel in gossip: a NaN fingerprint is the non-finite payload on every topic.
    const nanFingerprint = poison(encodeGossip({ kind: 'fingerprint', ...fp }));
    for (const t of [TOPIC_FINGERPRINTS, clusterTopic(cluster), TOPIC_HEADS]) {
      await pub(t, garbage);
      await pub(t, big);
      await pub(t, nanFingerprint);
    }
    // impersonation: a fingerprint claiming another peer's id
    await pub(
      TOPIC_FINGERPRINTS,
      encodeGossip({
        kind: 'fingerprint',
        ...fp,
        projMean: fp.projMean.map(() => 0),
        peerId: member.peer.peerId,
      }),
    );
    // a valid announcement on the heads topic: the head fetches from us and gets a NaN model
    await pub(TOPIC_HEADS, announce);

    // direct streams
    const hp = peerIdFromString(head.peer.peerId);
    const lim = { maxBytes: 1 << 20, timeoutMs: 3000 };
    const tryReq = (proto: string, b: Uint8Array): Promise<unknown> =>
      request(e.libp2p, hp, proto, b, lim).catch(() => undefined);
    const u = initWeights(SMALL_MODEL, [FEATURES], CLASSES, 2);
    (u[1] as { values: Float32Array }).values[0] = SENTINEL;
    const nanUpdate = poison(
      encodeUpdateEnvelope({
        cluster,
        baseRound: 1,
        term: 1,
        sampleCount: 10,
        specHash: hash,
        codec: 'float32',
        weights: u,
      }),
    );
    for (const proto of [PROTOCOL_MODEL_FETCH, PROTOCOL_UPDATE_PUSH]) {
      await tryReq(proto, garbage);
      await tryReq(proto, big);
    }
    await tryReq(PROTOCOL_UPDATE_PUSH, nanUpdate);

    const rejected = (): { where: string; reason: string; from: string }[] =>
      peers.flatMap((p) =>
        p.log
          .of('message_rejected')
          .map((r) => ({ where: r.topic ?? r.protocol ?? '?', reason: r.reason, from: r.from })),
      );
    const expected: [string, string][] = [];
    for (const t of [TOPIC_FINGERPRINTS, clusterTopic(cluster), TOPIC_HEADS])
      expected.push([t, 'malformed'], [t, 'too_large'], [t, 'non_finite']);
    expected.push([TOPIC_FINGERPRINTS, 'sender_mismatch']);
    expected.push(
      [PROTOCOL_MODEL_FETCH, 'malformed'],
      [PROTOCOL_MODEL_FETCH, 'too_large'],
      [PROTOCOL_MODEL_FETCH, 'non_finite'],
    );
    expected.push(
      [PROTOCOL_UPDATE_PUSH, 'malformed'],
      [PROTOCOL_UPDATE_PUSH, 'too_large'],
      [PROTOCOL_UPDATE_PUSH, 'non_finite'],
    );
    const missing = (): [string, string][] =>
      expected.filter(([w, r]) => !rejected().some((x) => x.where === w && x.reason === r));
    await waitFor(() => missing().length === 0, 15_000, 'all rejections logged').catch(() => {
      assert.fail(`not rejected: ${JSON.stringify(missing())}; logged: ${JSON.stringify(rejected())}`);
    });
    // every rejection is attributed to the evil peer
    assert.ok(
      rejected().every((r) => r.from === eid),
      JSON.stringify(rejected()),
    );
    // the impersonated peer is unaffected, the head did not adopt anything from c9
    await sleep(100);
    // and the honest peers keep working: they finish their rounds
    await Promise.all(peers.map((p) => p.peer.done));
    for (const p of peers) assert.ok(p.log.of('rounds_completed').length === 1);
  });
});
