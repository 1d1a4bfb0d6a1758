import assert from 'node:assert/strict';
import type { Dataset } from '@ppfm/meta';
import { ManualClock, drive, realtime } from './helpers/clock.js';
import { FAST_TIMING, groupData, launch, loopback, stopAll, type TestPeer } from './helpers/peers.js';
import { finished, until } from './helpers/wait.js';

const notices = (p: TestPeer, code: string): string[] =>
  p.log
    .of('notice')
    .filter((n) => n.code === code)
    .map((n) => n.message);

describe('start-up gate, lone peers and the end of a run (in-process, simulated time)', function () {
  this.timeout(120_000);
  let peers: TestPeer[] = [];
  let stopClock: (() => void) | undefined;
  afterEach(async () => {
    stopClock?.();
    stopClock = undefined;
    await stopAll(peers);
    peers = [];
  });

  it('opens no round before --min-peers live peers, says what it waits for, then all finish together', async () => {
    const clock = new ManualClock(Date.now());
    const opts = { minPeers: 3, rounds: 2, clock };
    const a = await launch(0, 0, [], opts);
    const b = await launch(0, 1, loopback(a), opts);
    peers = [a, b];
    await drive(clock, 500);
    await until(peers, () => peers.every((p) => p.peer.status().view.length === 2), 'a and b see each other');
    // three settle periods of simulated time with 2 of 3 peers: no round may open
    await drive(clock, 3 * (FAST_TIMING.settleMs as number));
    for (const p of peers) {
      assert.deepEqual(p.log.of('round_opened'), [], 'no round with 2 of 3 peers');
      assert.ok(
        notices(p, 'waiting').some((m) => /2\/3 peers in view \(--min-peers 3\)/.test(m)),
        JSON.stringify(notices(p, 'waiting')),
      );
    }
    const head = peers.find((p) => p.peer.status().role === 'head');
    assert.equal(head?.peer.status().headState, 'waiting');
    const c = await launch(0, 2, loopback(a), opts);
    peers.push(c);
    stopClock = realtime(clock);
    await finished(peers, 100_000);
    const opened = peers.flatMap((p) => p.log.of('round_opened'));
    assert.deepEqual(opened.map((e) => e.round).sort(), [1, 2], 'rounds 1 and 2 were opened once');
    assert.equal(new Set(opened.map((e) => e.head)).size, 1, 'one head ran the rounds');
    for (const p of peers) {
      assert.deepEqual(
        p.log.of('rounds_completed').map((e) => e.round),
        [2],
        `${p.peer.peerId} completed`,
      );
      assert.ok(notices(p, 'ready').length === 1, 'says when the wait is over');
    }
  });

  it('waits for a bootstrap peer at most bootstrapWaitMs, then proceeds with exactly one warning', async () => {
    const clock = new ManualClock(Date.now());
    const dead = '/memory/nobody-here/p2p/12D3KooWCrDSJyRCr9mhJfEQLigcqCbMzgQs2j9LnUz899vbFxPx';
    const a = await launch(0, 0, [dead], { clock, timing: { ...FAST_TIMING, bootstrapWaitMs: 1500 } });
    peers = [a];
    await drive(clock, 1000);
    assert.ok(
      notices(a, 'waiting').some((m) => /bootstrap peer/.test(m)),
      JSON.stringify(a.log.of('notice')),
    );
    assert.deepEqual(notices(a, 'bootstrap_unreachable'), [], 'not before bootstrapWaitMs');
    await drive(clock, 2000);
    assert.equal(notices(a, 'bootstrap_unreachable').length, 1, JSON.stringify(a.log.of('notice')));
  });

  it('a lone peer is a cluster of one: it says so, trains local rounds and finishes them', async () => {
    const a = await launch(0, 0, [], { rounds: 3 });
    peers = [a];
    await a.peer.done;
    assert.ok(notices(a, 'alone').length >= 1, JSON.stringify(a.log.of('notice')));
    assert.deepEqual(
      a.log.of('rounds_completed').map((e) => e.round),
      [3],
    );
    assert.deepEqual(
      a.log.of('round_opened').map((e) => e.round),
      [1, 2, 3],
    );
    const evals = a.log.of('evaluation');
    assert.ok((evals.at(-1)?.accBefore ?? 0) > (evals[0]?.accBefore ?? 1), 'it learned alone');
  });

  it('a peer whose task matches nobody says so and trains alone; the others are not disturbed', async () => {
    const other: Dataset = { ...groupData(0, 5), numClasses: 6, name: 'six-classes' };
    const a = await launch(0, 0, [], { rounds: 2, minPeers: 3 });
    const b = await launch(0, 1, loopback(a), { rounds: 2, minPeers: 3 });
    const odd = await launch(0, 2, loopback(a), { rounds: 2, minPeers: 3, data: other });
    peers = [a, b, odd];
    await finished(peers, 100_000);
    assert.ok(
      notices(odd, 'no_compatible_peers').some((m) => /2 peers in view train other tasks/.test(m)),
      JSON.stringify(odd.log.of('notice')),
    );
    assert.deepEqual(
      odd.log.of('rounds_completed').map((e) => e.round),
      [2],
    );
    for (const p of [a, b])
      assert.deepEqual(
        p.log.of('rounds_completed').map((e) => e.round),
        [2],
      );
    // the odd peer never joined the others' cluster
    for (const p of [a, b]) assert.equal(p.log.of('cluster_assigned').at(-1)?.members.length, 2);
    assert.ok(odd.log.of('cluster_assigned').every((e) => e.members.length === 1));
  });
});
