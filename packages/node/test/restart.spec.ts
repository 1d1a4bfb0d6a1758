import './helpers/net.js';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from './helpers/net.js';
import { launch, launchNet, loopback, stopAll, type TestPeer } from './helpers/peers.js';

describe('restart from --data-dir over TCP on 127.0.0.1', function () {
  this.timeout(120_000);
  const peers: TestPeer[] = [];
  after(async () => stopAll(peers));

  it('keeps the peer id and resumes from the checkpoint', async () => {
    peers.push(...(await launchNet([0, 0, 0])));
    await waitFor(() => peers.every((p) => p.peer.status().round >= 2), 40_000, 'round 2 everywhere');
    const victim = peers.find((p) => p.peer.status().role === 'member') as TestPeer;
    const id = victim.peer.peerId;
    await victim.peer.stop('restart');
    const saved = victim.log.of('checkpoint_saved');
    const savedRound = saved[saved.length - 1]?.round ?? -1;
    assert.ok(savedRound >= 2, `checkpoint at round ${savedRound}`);
    assert.ok(existsSync(join(victim.dataDir, 'peer.key')));

    const others = peers.filter((p) => p !== victim);
    const again = await launch(victim.group, 0, others.flatMap(loopback), { dataDir: victim.dataDir });
    peers.push(again);
    assert.equal(again.peer.peerId, id, 'same peer id from the data dir');
    const restored = again.log.of('checkpoint_restored');
    assert.equal(restored.length, 1);
    assert.equal(restored[0]?.round, savedRound);
    assert.ok(again.peer.status().round >= savedRound, 'starts from the restored round');
    // it rejoins its cluster and evaluates newer rounds, never re-running old ones
    await waitFor(
      () => again.log.of('evaluation').some((e) => e.round > savedRound),
      30_000,
      'an evaluation after the restored round',
    );
    assert.ok(again.log.of('evaluation').every((e) => e.round > savedRound));
    assert.equal(again.peer.status().cluster, others[0]?.peer.status().cluster);
  });

  it('lets a late joiner fetch the current model and join the next round', async () => {
    const running = peers.filter((p) => p.log.of('peer_stopped').length === 0);
    const roundNow = Math.max(...running.map((p) => p.peer.status().round));
    const late = await launch(0, 7, loopback(running[0] as TestPeer));
    peers.push(late);
    const id = late.peer.peerId;
    await waitFor(
      () => late.log.of('evaluation').some((e) => e.round >= roundNow),
      30_000,
      'the late joiner to evaluate a current model',
    );
    await waitFor(
      () => running.some((p) => p.log.of('update_received').some((u) => u.from === id)),
      30_000,
      'a head to receive an update from the late joiner',
    );
    const upd = running.flatMap((p) => p.log.of('update_received')).find((u) => u.from === id);
    assert.ok(upd !== undefined && upd.round > roundNow, `joined round ${upd?.round} after ${roundNow}`);
    assert.equal(late.peer.status().cluster, running[0]?.peer.status().cluster);
  });
});
