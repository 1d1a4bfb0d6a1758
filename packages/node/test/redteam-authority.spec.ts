// Red team, authority and freshness (issue 10): forged head leases and round opens from a
// non-member (terms 2^31 and 2^32-1, which the decoder refuses, and 2^31-1, which it accepts),
// a member jumping the term, and a replay of signed gossip captured from peers of an earlier run
// that have left. Six honest peers in two clusters keep their heads, complete their rounds and
// keep their accuracy (within 2 points of a clean run).
import assert from 'node:assert/strict';
import { initWeights } from '@ppfm/meta';
import {
  clusterTopic,
  decodeGossip,
  encodeGossip,
  MAX_COUNTER,
  specHash,
  TOPIC_FINGERPRINTS,
  TOPIC_HEADS,
} from '@ppfm/protocol';
import { keySortingAfter, startAttacker, type CapturedMessage } from './helpers/attacker.js';
import { startByzantine } from './helpers/byzantine.js';
import { forgeLease, forgeRoundOpen } from './helpers/forge.js';
import { CLASSES, FAST_TIMING, FEATURES, groupData, SMALL_MODEL, type TestPeer } from './helpers/peers.js';
import { assertHonestOutcome, redteamRun, type RunResult, type Running } from './helpers/redteam-run.js';

const ROUNDS = 5;
/** The honest peers' model spec: forged round opens and announcements claim it. */
const SPEC = specHash(initWeights(SMALL_MODEL, [FEATURES], CLASSES, 1));
const GROUPS = [0, 0, 0, 1, 1, 1];
const rejectedFrom = (r: RunResult, from: string, reason: string): number =>
  r.peers.reduce(
    (n, p) => n + p.log.of('message_rejected').filter((e) => e.from === from && e.reason === reason).length,
    0,
  );

/** Every `everyMs`, runs `act` until stopped (the attack's pace, not a wait). */
function every(everyMs: number, act: () => Promise<void>): () => void {
  let busy = false;
  const t = setInterval(() => {
    if (busy) return;
    busy = true;
    void act().finally(() => (busy = false));
  }, everyMs);
  return () => clearInterval(t);
}

/** The cluster ids the honest peers announce in their heartbeats, as the attacker hears them. */
function clusterIds(msgs: readonly CapturedMessage[]): string[] {
  const ids = new Set<string>();
  for (const m of msgs) {
    if (m.topic !== TOPIC_FINGERPRINTS || m.data === undefined) continue;
    const r = decodeGossip(m.data);
    if (r.ok && r.value.kind === 'heartbeat' && r.value.cluster !== undefined) ids.add(r.value.cluster);
  }
  return [...ids];
}

describe('red team: forged authority and replayed gossip', function () {
  this.timeout(120_000);
  let clean: RunResult;
  const figures: string[] = [];
  before(async () => {
    clean = await redteamRun({ groups: GROUPS, rounds: ROUNDS });
    figures.push(`clean: acc ${clean.meanAcc.toFixed(3)}, ${clean.wallMs} ms`);
  });
  after(() => console.log(`      authority figures:\n        ${figures.join('\n        ')}`));

  it('a non-member forging leases and round opens (terms 2^31, 2^32-1, 2^31-1) is never followed', async () => {
    let evilId = '';
    let sent = 0;
    const r = await redteamRun({
      groups: GROUPS,
      rounds: ROUNDS,
      attack: async (_peers: TestPeer[], boot: string[]): Promise<Running> => {
        const evil = await startAttacker(boot);
        evilId = evil.id;
        const heard = evil.capture();
        evil.host.libp2p.services.pubsub.subscribe(TOPIC_FINGERPRINTS);
        const stop = every(100, async () => {
          const now = Date.now();
          for (const cluster of clusterIds(heard)) {
            const topic = clusterTopic(cluster);
            for (const term of [2 ** 31, 2 ** 32 - 1]) {
              await evil.publish(
                topic,
                forgeLease({ cluster, head: evil.id, term, round: 1, leaseMs: 60_000, sentAt: now }),
              );
              await evil.publish(
                topic,
                forgeRoundOpen({
                  cluster,
                  round: 2,
                  term,
                  head: evil.id,
                  deadlineMs: 5000,
                  specHash: SPEC,
                  members: [evil.id],
                  sentAt: now,
                }),
              );
            }
            await evil.publish(
              topic,
              encodeGossip({
                kind: 'head_lease',
                cluster,
                head: evil.id,
                term: MAX_COUNTER,
                round: 1,
                leaseMs: 60_000,
                sentAt: now,
              }),
            );
            await evil.publish(
              TOPIC_HEADS,
              encodeGossip({
                kind: 'model_announce',
                cluster,
                round: 99,
                term: MAX_COUNTER,
                head: evil.id,
                specHash: SPEC,
                sentAt: now,
              }),
            );
            sent += 6;
          }
        });
        return { stop: async () => (stop(), evil.stop()) };
      },
    });
    figures.push(
      `forged authority: acc ${r.meanAcc.toFixed(3)}, ${r.wallMs} ms, ${sent} forged messages, ${rejectedFrom(r, evilId, 'bad_value')} bad_value rejections logged`,
    );
    assert.ok(sent > 0, 'the attacker found the cluster topics');
    assertHonestOutcome(r, ROUNDS, [evilId], clean.meanAcc);
    assert.ok(rejectedFrom(r, evilId, 'bad_value') > 0, 'terms beyond 2^31 - 1 are refused by the decoder');
  });

  it("a member's term jump (+1000, 2^31-1) is rejected while its cluster has a valid head", async () => {
    let evilId = '';
    const r = await redteamRun({
      groups: GROUPS,
      rounds: ROUNDS,
      attack: async (peers, boot) => {
        const privateKey = await keySortingAfter(peers.map((p) => p.peer.peerId));
        const b = await startByzantine(boot, {
          data: groupData(0, 9),
          tamper: { kind: 'honest' },
          privateKey,
        });
        evilId = b.id;
        const stop = every(150, async () => {
          const { cluster, term } = b.observed;
          if (cluster === undefined || term === 0) return;
          for (const t of [term + 1000, MAX_COUNTER])
            await b.attacker.publish(
              clusterTopic(cluster),
              encodeGossip({
                kind: 'head_lease',
                cluster,
                head: b.id,
                term: t,
                round: 0,
                leaseMs: 5000,
                sentAt: Date.now(),
              }),
            );
        });
        return { stop: async () => (stop(), b.stop()) };
      },
    });
    figures.push(
      `member term jump: acc ${r.meanAcc.toFixed(3)}, ${r.wallMs} ms, ${rejectedFrom(r, evilId, 'bad_term')} bad_term rejections`,
    );
    assertHonestOutcome(r, ROUNDS, [evilId], clean.meanAcc);
    assert.ok(rejectedFrom(r, evilId, 'bad_term') > 0, 'the jumps were rejected as bad_term');
    const terms = r.peers.flatMap((p) => p.log.of('head_elected').map((e) => e.term));
    assert.ok(Math.max(...terms) <= 16, `terms stay small: ${Math.max(...terms)}`);
  });

  it("signed gossip of an earlier run's departed peers, replayed, is stale: none of them joins a view or leads", async () => {
    // Capture: an eavesdropper in a first network records everything it hears (signed by its authors).
    let captured: CapturedMessage[] = [];
    const departed = new Set<string>();
    await redteamRun({
      groups: [0, 0, 1, 1],
      rounds: 2,
      attack: async (peers, boot) => {
        for (const p of peers) departed.add(p.peer.peerId);
        const spy = await startAttacker(boot);
        captured = spy.capture();
        const ps = spy.host.libp2p.services.pubsub;
        ps.subscribe(TOPIC_FINGERPRINTS);
        ps.subscribe(TOPIC_HEADS);
        const stop = every(200, async () => {
          for (const c of clusterIds(captured)) ps.subscribe(clusterTopic(c));
        });
        return { stop: async () => (stop(), spy.stop()) };
      },
    });
    const t1 = Date.now();
    let replays = 0;
    let evilId = '';
    // Replay into a second network whose freshness window (3 s) has passed since the capture.
    const r = await redteamRun({
      groups: GROUPS,
      rounds: ROUNDS,
      extra: { timing: { ...FAST_TIMING, freshnessMs: 3000 } },
      attack: async (_peers, boot) => {
        const evil = await startAttacker(boot);
        evilId = evil.id;
        for (const t of [TOPIC_FINGERPRINTS, ...new Set(captured.map((m) => m.topic))])
          evil.host.libp2p.services.pubsub.subscribe(t);
        const stop = every(200, async () => {
          replays += evil.replay(captured) > 0 ? captured.length : 0;
        });
        return { stop: async () => (stop(), evil.stop()) };
      },
    });
    const stale = r.peers.reduce(
      (n, p) =>
        n +
        p.log
          .of('message_ignored')
          .filter((e) => e.reason === 'stale')
          .reduce((a, e) => a + e.count, 0),
      0,
    );
    figures.push(
      `replay: ${captured.length} captured messages replayed ${replays} times ${((Date.now() - t1) / 1000).toFixed(0)} s later; acc ${r.meanAcc.toFixed(3)}, ${r.wallMs} ms; ${stale} ignored as stale`,
    );
    assert.ok(captured.length > 0 && replays > 0, 'the replay happened');
    assertHonestOutcome(r, ROUNDS, [evilId, ...departed], clean.meanAcc);
    for (const p of r.peers) {
      assert.ok(
        !p.log.of('fingerprint_received').some((e) => departed.has(e.from)),
        'no departed peer joined a view',
      );
      assert.ok(!p.peer.status().view.some((id) => departed.has(id)), 'no departed peer in a view');
    }
    assert.ok(stale > 0, 'replays were seen and ignored as stale');
  });
});
