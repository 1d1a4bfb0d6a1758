import assert from 'node:assert/strict';
import { converged, launchNet, stopAll, type TestPeer } from './helpers/peers.js';
import { finished, until } from './helpers/wait.js';

describe('head failover (6 in-process peers, the head crashes)', function () {
  this.timeout(120_000);
  let peers: TestPeer[] = [];
  let victim: TestPeer;
  let mates: TestPeer[];
  let killedRound = 0;
  let tKill = 0;
  before(async () => {
    // Training in worker threads, as in production: leases keep their timing while peers train.
    peers = await launchNet([0, 1, 0, 1, 0, 1], { rounds: 7 });
    await until(peers, () => converged(peers, 2), '2 clusters');
    await until(
      peers,
      () => peers.filter((p) => p.peer.status().role === 'head' && p.peer.status().round >= 2).length === 2,
      'two heads at round >= 2',
    );
  });
  after(async () => stopAll(peers));

  it('elects a new head of the victim cluster with a higher term, well within a lease ttl of the crash', async () => {
    victim = peers.find((p) => p.peer.status().role === 'head') as TestPeer;
    const cluster = victim.peer.status().cluster as string;
    killedRound = victim.peer.status().round;
    mates = peers.filter((p) => p !== victim && p.peer.status().cluster === cluster);
    assert.equal(mates.length, 2);
    tKill = Date.now();
    await victim.peer.crash();
    await until(
      mates,
      () => mates.some((p) => p.peer.status().role === 'head'),
      'a new head in the victim cluster',
      15_000,
    );
    const newHead = mates.find((p) => p.peer.status().role === 'head') as TestPeer;
    const ev = newHead.log
      .of('head_elected')
      .filter((e) => e.head === newHead.peer.peerId)
      .at(-1);
    assert.ok(ev && ev.term >= 2, `new head's term: ${JSON.stringify(ev)}`);
    const tookMs = Date.now() - tKill;
    console.log(`      new head ${tookMs} ms after the crash (failoverMs ${ev.failoverMs ?? 'n/a'})`);
    // the crash closes the victim's connections: suspected after disconnectGraceMs, not a full lease ttl
    assert.ok(mates.some((p) => p.log.of('lease_expired').some((e) => e.head === victim.peer.peerId)));
    await until(
      mates,
      () => mates.every((p) => p.peer.status().head === newHead.peer.peerId),
      'both mates follow it',
    );
  });

  it('rounds continue from where the cluster was; nothing is lost, evaluations stay monotonic', async () => {
    await until(
      mates,
      () => mates.every((p) => p.peer.status().round >= killedRound + 2),
      'two more rounds in the victim cluster',
      60_000,
    );
    for (const p of peers.filter((q) => q !== victim)) {
      const rounds = p.log.of('evaluation').map((e) => e.round);
      for (let i = 1; i < rounds.length; i++)
        assert.ok((rounds[i] as number) > (rounds[i - 1] as number), JSON.stringify(rounds));
    }
    const newHead = mates.find((p) => p.peer.status().role === 'head') as TestPeer;
    const opened = newHead.log.of('round_opened').filter((e) => e.head === newHead.peer.peerId);
    assert.ok(opened.length >= 1 && (opened[0]?.round ?? 0) >= killedRound, JSON.stringify(opened));
  });

  it('every survivor finishes the run', async () => {
    await finished(
      peers.filter((p) => p !== victim),
      110_000,
    );
    for (const p of peers.filter((q) => q !== victim)) assert.equal(p.log.of('rounds_completed').length, 1);
  });
});
