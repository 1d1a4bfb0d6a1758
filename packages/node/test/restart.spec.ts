import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { converged, launch, launchNet, loopback, stopAll, type TestPeer } from './helpers/peers.js';
import { until } from './helpers/wait.js';

describe('restart from --data-dir and late joiners (in-process peers)', function () {
  this.timeout(120_000);
  const peers: TestPeer[] = [];
  before(async () => {
    peers.push(...(await launchNet([0, 0, 0])));
    await until(peers, () => converged(peers, 1), 'one cluster');
  });
  after(async () => stopAll(peers));

  it('keeps the peer id and resumes from the checkpoint', async () => {
    await until(peers, () => peers.every((p) => p.peer.status().round >= 2), 'round 2 everywhere', 40_000);
    const victim = peers.find((p) => p.peer.status().role === 'member') as TestPeer;
    const id = victim.peer.peerId;
    await victim.peer.stop('restart');
    const saved = victim.log.of('checkpoint_saved');
    const savedRound = saved.at(-1)?.round ?? -1;
    assert.ok(savedRound >= 2, `checkpoint at round ${savedRound}`);
    assert.ok(existsSync(join(victim.dataDir, 'peer.key')));
    assert.ok(!existsSync(join(victim.dataDir, 'ppfm.lock')), 'the data dir lock is released at stop');

    const others = peers.filter((p) => p !== victim);
    const again = await launch(victim.group, 0, others.flatMap(loopback), { dataDir: victim.dataDir });
    peers.push(again);
    assert.equal(again.peer.peerId, id, 'same peer id from the data dir');
    const restored = again.log.of('checkpoint_restored');
    assert.equal(restored.length, 1);
    assert.equal(restored[0]?.round, savedRound);
    assert.ok(again.peer.status().round >= savedRound, 'starts from the restored round');
    await until(
      [again],
      () => again.log.of('evaluation').some((e) => e.round > savedRound),
      'an evaluation after the restored round',
    );
    assert.ok(
      again.log.of('evaluation').every((e) => e.round > savedRound),
      'never re-runs old rounds',
    );
    assert.equal(again.peer.status().cluster, others[0]?.peer.status().cluster);
  });

  it('lets a late joiner fetch the current model and join the next round', async () => {
    const running = peers.filter((p) => p.log.of('peer_stopped').length === 0);
    const roundNow = Math.max(...running.map((p) => p.peer.status().round));
    const late = await launch(0, 7, loopback(running[0] as TestPeer));
    peers.push(late);
    const id = late.peer.peerId;
    await until(
      [late],
      () => late.log.of('evaluation').some((e) => e.round >= roundNow),
      'the late joiner to evaluate a current model',
    );
    await until(
      running,
      () => running.some((p) => p.log.of('update_received').some((u) => u.from === id)),
      'a head to receive an update from the late joiner',
    );
    const upd = running.flatMap((p) => p.log.of('update_received')).find((u) => u.from === id);
    assert.ok(upd !== undefined && upd.round > roundNow, `joined round ${upd?.round} after ${roundNow}`);
    assert.equal(late.peer.status().cluster, running[0]?.peer.status().cluster);
  });
});
