// Red team, gossip (issue 10): a burst of invalid messages graylists the sender in gossipsub's own
// score (P4) while honest peers' scores stay >= 0; a few thousand seeded random, mutated and
// truncated frames on every topic change nothing but the attacker's score; an unsigned message
// (StrictSign) and a re-signed one (sender_mismatch) are dropped. The honest peers keep completing
// rounds and log no stack trace.
import assert from 'node:assert/strict';
import { createRng, computeFingerprint } from '@ppfm/meta';
import { clusterTopic, decodeGossip, encodeGossip, TOPIC_FINGERPRINTS, TOPIC_HEADS } from '@ppfm/protocol';
import { RPC } from '@chainsafe/libp2p-gossipsub/message';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { startAttacker, type Attacker, type CapturedMessage } from './helpers/attacker.js';
import { converged, groupData, launchNet, loopback, stopAll, type TestPeer } from './helpers/peers.js';
import { until } from './helpers/wait.js';
import { GOSSIP_THRESHOLDS, gossipScore } from '../src/net/gossip-score.js';
import type { Host } from '../src/host.js';
import { signGossip } from '../src/net/signed-gossip.js';

const STACK = /\n\s+at \S/;

describe('red team: gossip floods, forged signatures and garbage frames', function () {
  this.timeout(120_000);
  let peers: TestPeer[] = [];
  let cluster = '';
  const attackers: Attacker[] = [];
  const pubsubOf = (p: TestPeer): Host['services']['pubsub'] => p.peer.libp2p.services.pubsub;
  before(async () => {
    peers = await launchNet([0, 0, 0]);
    await until(peers, () => converged(peers, 1), 'one cluster with a head');
    cluster = peers[0]?.peer.status().cluster as string;
  });
  after(async () => {
    await Promise.all(attackers.map((a) => a.stop().catch(() => undefined)));
    await stopAll(peers);
  });
  const attacker = async (unsigned = false, privateKey?: PrivateKey): Promise<Attacker> => {
    const a = await startAttacker(peers.flatMap(loopback), {
      unsigned,
      ...(privateKey !== undefined ? { privateKey } : {}),
    });
    attackers.push(a);
    // Signed or not, an attacker sees the honest peers' subscriptions: publishing before it does
    // reaches nobody (and a test waiting on the peers' reaction would wait for nothing).
    await a.join([TOPIC_FINGERPRINTS, clusterTopic(cluster), TOPIC_HEADS], 1);
    return a;
  };
  // gossipsub's own counter (P4) of `peer`'s invalid deliveries on the fingerprint topic; getScore
  // is cached for a heartbeat, the counter is not.
  const invalidDeliveries = (p: TestPeer, peer: string): number =>
    (
      pubsubOf(p) as unknown as {
        score: { peerStats: Map<string, { topics: Record<string, { invalidMessageDeliveries: number }> }> };
      }
    ).score.peerStats.get(peer)?.topics[TOPIC_FINGERPRINTS]?.invalidMessageDeliveries ?? 0;
  const roundNow = (): number => Math.min(...peers.map((p) => p.peer.status().round));

  it('graylists a peer after a burst of invalid messages (gossipsub getScore), honest scores stay >= 0', async () => {
    const evil = await attacker();
    for (let i = 0; i < 20; i++) await evil.publish(TOPIC_FINGERPRINTS, Uint8Array.of(0xff, i, 1, 2, 3));
    const watcher = peers[0] as TestPeer;
    await until(
      peers,
      () => gossipScore(pubsubOf(watcher), evil.id) < GOSSIP_THRESHOLDS.graylistThreshold,
      'the attacker below the graylist threshold',
      20_000,
      () => `score ${gossipScore(pubsubOf(watcher), evil.id)}`,
    );
    for (const p of peers)
      for (const q of peers)
        if (p !== q)
          assert.ok(
            gossipScore(pubsubOf(p), q.peer.peerId) >= 0,
            `honest score ${gossipScore(pubsubOf(p), q.peer.peerId)}`,
          );
  });

  it('survives a few thousand seeded random, mutated and truncated frames on every topic', async () => {
    const rng = createRng(1010);
    const now = Date.now();
    const valid = [
      encodeGossip({
        kind: 'heartbeat',
        peerId: 'x',
        seq: 1,
        role: 'member',
        round: 1,
        fingerprintSeq: 1,
        viewSize: 1,
        viewDigest: '0123456789abcdef',
        sentAt: now,
      }),
      encodeGossip({ kind: 'head_lease', cluster, head: 'x', term: 1, round: 1, leaseMs: 1000, sentAt: now }),
    ];
    const frames: Uint8Array[] = [];
    for (let i = 0; i < 3000; i++) {
      const kind = i % 3;
      if (kind === 0)
        frames.push(
          Uint8Array.from({ length: 1 + Math.floor(rng.next() * 300) }, () => Math.floor(rng.next() * 256)),
        );
      else {
        const base = (valid[i % valid.length] as Uint8Array).slice();
        if (kind === 1)
          for (let k = 0; k < 3; k++) {
            const at = Math.floor(rng.next() * base.length);
            base[at] = (base[at] as number) ^ (1 << Math.floor(rng.next() * 8));
          }
        frames.push(kind === 2 ? base.subarray(0, Math.floor(rng.next() * base.length)) : base);
      }
    }
    const topics = [TOPIC_FINGERPRINTS, clusterTopic(cluster), TOPIC_HEADS];
    // Fresh attackers: each is graylisted after its first few invalid frames (the rest are dropped unread).
    let sent = 0;
    for (let a = 0; a < 3; a++) {
      const evil = await attacker();
      for (let i = a; i < frames.length; i += 3)
        sent += (await evil.publish(topics[i % 3] as string, frames[i] as Uint8Array)) > 0 ? 1 : 0;
    }
    const before = roundNow();
    await until(peers, () => roundNow() >= before + 2, 'two more rounds everywhere');
    const rejected = peers.reduce((n, p) => n + p.log.of('message_rejected').length, 0);
    console.log(
      `      ${frames.length} frames from 3 attackers (${sent} reached a peer), ${rejected} rejections logged`,
    );
    for (const p of peers)
      for (const e of p.log.events) assert.ok(!STACK.test(JSON.stringify(e)), `stack trace in ${e.event}`);
  });

  it('drops an unsigned message (StrictSign) and a re-signed one (sender_mismatch)', async () => {
    const honest = peers[1] as TestPeer;
    // Re-signed: an honest peer's fingerprint, published again under the attacker's signature.
    const resigner = await attacker();
    const fp = {
      ...computeFingerprint(groupData(0, 8)),
      peerId: honest.peer.peerId,
      seq: 1,
      capacity: 1,
      featureMean: [],
      featureStd: [],
      sentAt: Date.now(),
    };
    assert.ok((await resigner.publish(TOPIC_FINGERPRINTS, encodeGossip({ kind: 'fingerprint', ...fp }))) > 0);
    const mismatch = (p: TestPeer): boolean =>
      p.log.of('message_rejected').some((e) => e.from === resigner.id && e.reason === 'sender_mismatch');
    await until(
      peers,
      () => peers.some(mismatch),
      'the re-signed fingerprint rejected as sender_mismatch',
      20_000,
    );
    // A rejection is an invalid delivery (P4) in gossipsub's score of the re-signer.
    const rejecters = peers.filter(mismatch);
    await until(
      peers,
      () => rejecters.every((p) => gossipScore(pubsubOf(p), resigner.id) < 0),
      're-signer penalised by gossipsub where rejected',
      20_000,
      () => `scores ${rejecters.map((p) => gossipScore(pubsubOf(p), resigner.id)).join(' ')}`,
    );
    // Unsigned: its own (plausible, decodable) fingerprint, without a signature. StrictSign refuses
    // it before any PPFM validator runs (so no message_rejected) and counts an invalid delivery (P4).
    // An invalid message is not forwarded: only the peers it was sent to see it, so it goes to all.
    const unsigned = await attacker(true);
    await unsigned.join([TOPIC_FINGERPRINTS], peers.length);
    const own = encodeGossip({ kind: 'fingerprint', ...fp, peerId: unsigned.id, sentAt: Date.now() });
    assert.ok(decodeGossip(own).ok);
    assert.equal(
      await unsigned.publish(TOPIC_FINGERPRINTS, own),
      peers.length,
      'unsigned message sent to every peer',
    );
    await until(
      peers,
      () => peers.every((p) => gossipScore(pubsubOf(p), unsigned.id) < 0),
      'the unsigned publisher penalised by gossipsub on every peer',
      20_000,
      () => `scores ${peers.map((p) => gossipScore(pubsubOf(p), unsigned.id)).join(' ')}`,
    );
    for (const p of peers) {
      assert.ok(!p.peer.status().view.includes(unsigned.id), 'the unsigned fingerprint never entered a view');
      assert.ok(!p.log.of('fingerprint_received').some((e) => e.from === unsigned.id));
    }
  });

  it('a forged copy sent first does not shadow the genuine message; copies of a delivered one go unverified', async () => {
    const key = (await generateKeyPair('Ed25519')) as unknown as PrivateKey;
    const author = peerIdFromPrivateKey(key);
    const evil = await attacker(false, key);
    // Invalid messages are not forwarded: every peer must get each copy from the attacker itself.
    await evil.join([TOPIC_FINGERPRINTS], peers.length);
    const id = author.toString();
    // Each seq its own data: a fingerprint_received is logged only when the fingerprint changes.
    const fingerprint = (seq: number): Uint8Array =>
      encodeGossip({
        kind: 'fingerprint',
        ...computeFingerprint(groupData(seq % 2, 8)),
        peerId: id,
        seq,
        capacity: 1,
        featureMean: [],
        featureStd: [],
        sentAt: Date.now(),
      });
    const signed = async (seq: number): Promise<CapturedMessage> =>
      RPC.Message.decode(await signGossip(key, author, TOPIC_FINGERPRINTS, fingerprint(seq)));
    // Same author and seqno (the message id), other data: the signature no longer matches.
    const forge = (m: CapturedMessage): CapturedMessage => ({ ...m, data: fingerprint(99) });
    const genuine = await signed(1);
    const heard = (p: TestPeer, seq: number): boolean =>
      p.log.of('fingerprint_received').some((e) => e.from === id && e.seq === seq);
    // 1. The forgery first: refused by its signature (an invalid delivery in gossipsub's score).
    assert.ok(evil.replay([forge(genuine)]) > 0);
    await until(
      peers,
      () => peers.every((p) => gossipScore(pubsubOf(p), id) < 0),
      'the forged copy refused by every peer',
      20_000,
    );
    // 2. The genuine message with the same id is still delivered: a fast id is kept only once
    //    its message passed verification.
    assert.ok(evil.replay([genuine]) > 0);
    await until(peers, () => peers.every((p) => heard(p, 1)), 'the genuine fingerprint delivered', 20_000);
    // 3. Ten corrupted copies of the delivered message, then a new genuine one: the copies are
    //    duplicates, dropped before any signature check, so none counts as an invalid delivery
    //    (gossipsub's P4 counter of the sender; each verified copy would add one).
    const before = peers.map((p) => invalidDeliveries(p, id));
    assert.ok(
      before.every((n) => n > 0),
      `the forgery of step 1 counted: ${before.join(' ')}`,
    );
    assert.ok(evil.replay(Array.from({ length: 10 }, () => forge(genuine))) > 0);
    assert.ok(evil.replay([await signed(2)]) > 0);
    await until(
      peers,
      () => peers.every((p) => heard(p, 2)),
      'the next genuine fingerprint delivered',
      20_000,
    );
    peers.forEach((p, i) =>
      assert.ok(
        invalidDeliveries(p, id) <= (before[i] as number) + 1e-9,
        `invalid deliveries ${before[i]} -> ${invalidDeliveries(p, id)}: the copies were verified`,
      ),
    );
    for (const p of peers)
      assert.equal(p.log.of('fingerprint_received').filter((e) => e.from === id && e.seq === 99).length, 0);
  });
});
