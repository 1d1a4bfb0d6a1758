import './helpers/net.js';
import assert from 'node:assert/strict';
import { waitFor } from './helpers/net.js';
import { launchNet, stopAll, type TestPeer } from './helpers/peers.js';

describe('head failover over TCP on 127.0.0.1', function () {
  this.timeout(120_000);
  let peers: TestPeer[] = [];
  after(async () => stopAll(peers));

  it('elects a new head when the head dies; rounds continue; survivors lose nothing', async () => {
    peers = await launchNet([0, 1, 0, 1, 0, 1], { rounds: 7 });
    // wait for both clusters to run at least 2 rounds
    await waitFor(
      () => peers.filter((p) => p.peer.status().role === 'head' && p.peer.status().round >= 2).length === 2,
      40_000,
      'two heads at round >= 2',
    );
    const victim = peers.find((p) => p.peer.status().role === 'head') as TestPeer;
    const cluster = victim.peer.status().cluster as string;
    const killedRound = victim.peer.status().round;
    const survivors = peers.filter((p) => p !== victim);
    const mates = survivors.filter((p) => p.peer.status().cluster === cluster);
    assert.equal(mates.length, 2);
    const before = new Map(survivors.map((p) => [p, p.peer.status().round]));
    const tKill = Date.now();
    await victim.peer.stop('killed');

    await waitFor(
      () => mates.some((p) => p.peer.status().role === 'head' && p.peer.status().cluster === cluster),
      15_000,
      'a new head in the victim cluster',
    );
    const newHead = mates.find((p) => p.peer.status().role === 'head') as TestPeer;
    const elected = newHead.log.of('head_elected').filter((e) => e.head === newHead.peer.peerId);
    const ev = elected[elected.length - 1];
    assert.ok(ev && ev.term >= 2, `new head's term: ${JSON.stringify(elected)}`);
    const tookMs = Date.now() - tKill;
    console.log(
      `      new head after ${tookMs} ms (electionMs from lease expiry: ${ev.electionMs ?? 'n/a'}, failoverMs from last lease: ${ev.failoverMs ?? 'n/a'})`,
    );
    // failoverMs starts at the last lease heard from the victim, shortly before the kill
    assert.ok(
      ev.failoverMs !== undefined && ev.failoverMs >= (ev.electionMs ?? 0) && ev.failoverMs <= tookMs + 1000,
      `failoverMs ${ev.failoverMs}`,
    );
    assert.ok(mates.some((p) => p.log.of('lease_expired').some((e) => e.head === victim.peer.peerId)));

    // rounds continue from where the cluster was, and the other cluster is not disturbed
    await waitFor(
      () => mates.every((p) => p.peer.status().round >= killedRound + 2),
      40_000,
      'two more rounds in the victim cluster',
    );
    for (const p of survivors) {
      const rounds = p.log.of('evaluation').map((e) => e.round);
      // nothing lost: the held model never went back, evaluations are monotonic
      assert.ok(p.peer.status().round >= (before.get(p) ?? 0), 'round went back');
      for (let i = 1; i < rounds.length; i++) assert.ok((rounds[i] as number) > (rounds[i - 1] as number));
    }
    const newRounds = newHead.log.of('round_opened').filter((e) => e.head === newHead.peer.peerId);
    assert.ok(
      newRounds.length >= 1 && (newRounds[0]?.round ?? 0) > killedRound - 1,
      JSON.stringify(newRounds),
    );
    await Promise.all(survivors.map((p) => p.peer.done));
  });
});
