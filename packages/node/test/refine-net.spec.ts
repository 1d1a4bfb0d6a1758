// Loss-based cluster refinement over the network: peers whose fingerprints cannot tell the tasks
// apart (labelswap: same inputs, permuted labels) split by the losses of their warm-up models.
import assert from 'node:assert/strict';
import { loadBuiltin, partitionDataset, subsetDataset } from '@ppfm/meta';
import { converged, FAST_TIMING, launch, loopback, stopAll, type TestPeer } from './helpers/peers.js';
import { finished, until } from './helpers/wait.js';

const N = 4;

describe('loss-based refinement: 4 in-process peers, mnist labelswap:2', function () {
  this.timeout(90_000);
  const peers: TestPeer[] = [];
  before(async () => {
    const mnist = await loadBuiltin('mnist');
    const part = partitionDataset(subsetDataset(mnist, 400 * N, 3), 'labelswap:2', N, 5);
    for (let i = 0; i < N; i++) {
      peers.push(
        await launch(part.truth[i] as number, i, peers.slice(0, 1).flatMap(loopback), {
          data: part.peers[i],
          clustering: 'loss',
          minPeers: N,
          model: { layers: [{ type: 'flatten' }, { type: 'dense', units: 16, activation: 'relu' }] },
          // A warm-up that learns enough for the losses to clear the separation guard.
          config: { innerEpochs: 5, adaptSteps: 20 },
          rounds: 2,
          timing: { ...FAST_TIMING, roundGapMs: 300 },
        }),
      );
    }
  });
  after(async () => stopAll(peers));

  it('splits into the 2 true clusters with one head each', async () => {
    await until(peers, () => converged(peers, 2), '2 loss-refined clusters with one head each', 45_000);
    const st = peers.map((p) => p.peer.status());
    const groupOf = (id: string): number | undefined => peers.find((p) => p.peer.peerId === id)?.group;
    for (const c of st[0]?.clusters ?? []) {
      assert.equal(new Set(c.members.map(groupOf)).size, 1, `cluster ${c.id} mixes groups`);
      assert.equal(c.members.length, N / 2);
      assert.match(c.id, /^l\d+$/, 'loss-refined cluster ids');
    }
  });

  it('runs its rounds in those clusters, never assigned to the unrefined fingerprint cluster', async () => {
    await finished(peers, 80_000);
    for (const p of peers) {
      const done = p.log.of('rounds_completed');
      assert.equal(done.length, 1, `${p.log.peerId}: rounds_completed`);
      assert.ok((done[0]?.round ?? 0) >= 2);
      assert.ok(
        p.log.of('cluster_assigned').every((e) => e.k === 2),
        `${p.log.peerId}: assignments`,
      );
      assert.ok(
        p.log.of('notice').some((n) => n.code === 'refinement_done'),
        'says what the refinement found',
      );
    }
  });
});
