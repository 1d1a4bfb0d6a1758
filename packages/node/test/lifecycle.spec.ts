import './helpers/net.js';
import assert from 'node:assert/strict';
import { initWeights } from '@ppfm/meta';
import { clusterTopic, encodeError, encodeGossip, PROTOCOL_MODEL_FETCH, specHash } from '@ppfm/protocol';
import type { StartedHost } from '../src/host.js';
import { serve } from '../src/streams.js';
import { rawHost, sleep, waitFor } from './helpers/net.js';
import {
  CLASSES,
  FAST_TIMING,
  FEATURES,
  launch,
  launchNet,
  loopback,
  SMALL_MODEL,
  stopAll,
  type TestPeer,
} from './helpers/peers.js';

describe('start-up gate, deposed heads and the end of a run (TCP on 127.0.0.1)', function () {
  this.timeout(120_000);
  let peers: TestPeer[] = [];
  let evil: StartedHost | undefined;
  afterEach(async () => {
    await stopAll(peers);
    await evil?.stop();
    evil = undefined;
    peers = [];
  });

  it('opens no round before --min-peers live peers, then all finish the last round together', async () => {
    const a = await launch(0, 0, [], { minPeers: 3, rounds: 2 });
    const b = await launch(0, 1, loopback(a), { minPeers: 3, rounds: 2 });
    peers = [a, b];
    await waitFor(
      () => peers.every((p) => p.peer.status().view.length === 2),
      20_000,
      'a and b see each other',
    );
    await waitFor(() => peers.some((p) => p.peer.status().role === 'head'), 20_000, 'a head');
    // Well past settleMs: before the fix the head opened round 1 with 2 of the 3 peers.
    await sleep(3 * (FAST_TIMING.settleMs as number));
    for (const p of peers) assert.deepEqual(p.log.of('round_opened'), [], 'no round with 2 of 3 peers');
    const cStart = Date.now();
    const c = await launch(0, 2, loopback(a), { minPeers: 3, rounds: 2 });
    peers.push(c);
    const doneAt: number[] = [];
    await Promise.race([
      Promise.all(peers.map((p) => p.peer.done.then(() => doneAt.push(Date.now())))),
      sleep(60_000).then(() => assert.fail('peers did not finish')),
    ]);
    const openedAt = peers.flatMap((p) =>
      p.log.events.flatMap((x, i) => (x.event === 'round_opened' ? [p.log.times[i] as number] : [])),
    );
    assert.equal(openedAt.length, 2, 'rounds 1 and 2 were opened once');
    for (const t of openedAt) assert.ok(t >= cStart, 'no round before the third peer');
    // Everyone ends on the final round's model; nobody runs a last round alone.
    for (const p of peers) {
      assert.deepEqual(
        p.log.of('rounds_completed').map((e) => e.round),
        [2],
        `${p.peer.peerId} completed`,
      );
      assert.ok(p.log.of('evaluation').some((e) => e.round === 2));
    }
    const heads = new Set(peers.flatMap((p) => p.log.of('round_opened').map((e) => e.head)));
    assert.equal(heads.size, 1, 'one head ran the rounds');
    const spread = Math.max(...doneAt) - Math.min(...doneAt);
    assert.ok(spread < 3 * (FAST_TIMING.graceMs as number), `peers stopped ${spread} ms apart`);
  });

  it('waits for a bootstrap peer at most bootstrapWaitMs, then proceeds with one warning', async () => {
    const notes: { level: string; message: string; at: number }[] = [];
    const dead = '/ip4/127.0.0.1/tcp/1/p2p/12D3KooWCrDSJyRCr9mhJfEQLigcqCbMzgQs2j9LnUz899vbFxPx';
    const t0 = Date.now();
    const a = await launch(0, 0, [dead], {
      timing: { ...FAST_TIMING, bootstrapWaitMs: 1500 },
      notice: (level, message) => notes.push({ level, message, at: Date.now() }),
    });
    peers = [a];
    await waitFor(() => notes.some((n) => n.level === 'warn'), 10_000, 'the bootstrap warning');
    await sleep(1000);
    assert.match(notes[0]?.message ?? '', /^waiting: .*bootstrap/);
    const warns = notes.filter((n) => n.level === 'warn');
    assert.equal(warns.length, 1, JSON.stringify(notes));
    assert.ok((warns[0]?.at ?? 0) - t0 >= 1500, 'not before bootstrapWaitMs');
    assert.equal(notes.filter((n) => n.message.startsWith('waiting')).length, 1, JSON.stringify(notes));
  });

  it('members ignore a non-head; a higher-term RoundOpen deposes the head at once', async () => {
    peers = await launchNet([0, 0, 0], { rounds: 50 });
    await waitFor(() => peers.some((p) => p.peer.status().role === 'head'), 20_000, 'a head');
    await waitFor(() => peers.every((p) => p.peer.status().round >= 1), 30_000, 'a first round everywhere');
    const head = peers.find((p) => p.peer.status().role === 'head') as TestPeer;
    const cluster = head.peer.status().cluster as string;
    const term = head.peer.status().term;
    evil = await rawHost(peers.flatMap(loopback));
    const e = evil;
    const eid = e.libp2p.peerId.toString();
    let fetches = 0;
    await serve(
      e.libp2p,
      PROTOCOL_MODEL_FETCH,
      async () => {
        fetches++;
        return encodeError({ code: 'not_found', message: 'nothing' });
      },
      { encodeError: (code, message) => encodeError({ code: 'rejected', message: `${code} ${message}` }) },
    );
    const ps = e.libp2p.services.pubsub;
    ps.subscribe(clusterTopic(cluster));
    await waitFor(
      () => ps.getSubscribers(clusterTopic(cluster)).length === 3,
      10_000,
      'evil sees subscribers',
    );
    const hash = specHash(initWeights(SMALL_MODEL, [FEATURES], CLASSES, 1));
    const pub = (b: Uint8Array): Promise<unknown> =>
      ps.publish(clusterTopic(cluster), b).catch(() => undefined);

    // Same term, not the head (and no lease): its announcements and rounds are ignored.
    const bigId = eid > head.peer.peerId;
    await pub(
      encodeGossip({
        kind: 'model_announce',
        cluster,
        round: 99,
        term: bigId ? term : term - 1,
        head: eid,
        specHash: hash,
        sentAt: Date.now(),
      }),
    );
    await sleep(1500);
    assert.equal(fetches, 0, 'nobody fetched from a non-head');
    assert.ok(peers.every((p) => p.peer.status().head === head.peer.peerId));

    // A RoundOpen at a higher term vouches for its sender: the head steps down at once.
    const tDepose = Date.now();
    await pub(
      encodeGossip({
        kind: 'round_open',
        cluster,
        round: 99,
        term: term + 5,
        head: eid,
        deadlineMs: 5000,
        specHash: hash,
        members: [],
        sentAt: Date.now(),
      }),
    );
    await waitFor(() => head.peer.status().role !== 'head', 2000, 'the head steps down');
    const idx = head.log.events.findIndex(
      (x, i) => x.event === 'head_elected' && x.head === eid && (head.log.times[i] ?? 0) >= tDepose,
    );
    assert.ok(idx >= 0, 'deposed head logs the new head');
    const deposedAt = head.log.times[idx] as number;
    // The evil "head" never leases: the cluster re-elects above its term and rounds go on.
    await waitFor(
      () => peers.some((p) => p.peer.status().role === 'head' && p.peer.status().term > term + 5),
      20_000,
      'a real head above the fake term',
    );
    const r0 = Math.max(...peers.map((p) => p.peer.status().round));
    await waitFor(() => peers.every((p) => p.peer.status().round > r0), 30_000, 'rounds go on');
    // Between its deposition and the next election the old head published nothing as head.
    const reElected = head.log.events.findIndex(
      (x, i) => i > idx && x.event === 'head_elected' && x.head === head.peer.peerId,
    );
    const end = reElected < 0 ? head.log.events.length : reElected;
    for (let i = idx + 1; i < end; i++) {
      const x = head.log.events[i];
      assert.ok(
        x?.event !== 'round_opened' && x?.event !== 'cluster_model_published',
        `deposed head acted at +${(head.log.times[i] ?? 0) - deposedAt} ms: ${JSON.stringify(x)}`,
      );
    }
  });
});
