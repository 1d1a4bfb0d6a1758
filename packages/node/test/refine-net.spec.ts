// Loss-based cluster refinement over the network: peers whose fingerprints cannot tell the tasks
// apart (labelswap: same inputs, permuted labels) split by the losses of their warm-up models.
import './helpers/net.js';
import assert from 'node:assert/strict';
import { loadBuiltin, partitionDataset, subsetDataset } from '@ppfm/meta';
import { waitFor } from './helpers/net.js';
import { FAST_TIMING, launch, loopback, stopAll, type TestPeer } from './helpers/peers.js';

const N = 4;

describe('loss-based refinement: 4 peers, labelswap:2, over TCP on 127.0.0.1', function () {
  this.timeout(60_000);
  const peers: TestPeer[] = [];
  after(async () => stopAll(peers));

  it('splits into the 2 true clusters with one head each and runs rounds', async () => {
    const t0 = Date.now();
    const mnist = await loadBuiltin('mnist');
    const part = partitionDataset(subsetDataset(mnist, 400 * N, 3), 'labelswap:2', N, 5);
    for (let i = 0; i < N; i++) {
      const boot = peers.slice(0, 1).flatMap(loopback);
      peers.push(
        await launch(part.truth[i] as number, i, boot, {
          data: part.peers[i],
          clustering: 'loss',
          minPeers: N,
          model: { layers: [{ type: 'flatten' }, { type: 'dense', units: 16, activation: 'relu' }] },
          // A warm-up that learns enough for the losses to clear the separation guard.
          config: { innerEpochs: 5, batchSize: 32, optimizer: 'sgd', lr: 0.1, adaptSteps: 5, adaptLr: 0.05 },
          rounds: 2,
          timing: { ...FAST_TIMING, roundGapMs: 300 },
        }),
      );
    }
    const converged = (): boolean => {
      const st = peers.map((p) => p.peer.status());
      const first = st[0];
      if (first === undefined || first.clusters.length !== 2) return false;
      const key = JSON.stringify(first.clusters);
      if (!st.every((s) => JSON.stringify(s.clusters) === key)) return false;
      return first.clusters.every((c) => {
        const heads = st.filter((s) => s.cluster === c.id && s.role === 'head');
        return (
          heads.length === 1 && st.filter((s) => s.cluster === c.id).every((s) => s.head === heads[0]?.peerId)
        );
      });
    };
    await waitFor(converged, 30_000, '2 loss-refined clusters with one head each');
    console.log(`      converged in ${Date.now() - t0} ms`);
    const st = peers.map((p) => p.peer.status());
    const groupOf = (id: string): number | undefined => peers.find((p) => p.peer.peerId === id)?.group;
    for (const c of st[0]?.clusters ?? []) {
      assert.equal(new Set(c.members.map(groupOf)).size, 1, `cluster ${c.id} mixes groups`);
      assert.equal(c.members.length, N / 2);
      assert.match(c.id, /^l\d+$/, 'loss-refined cluster ids');
    }
    assert.equal(st.filter((s) => s.role === 'head').length, 2);
    await Promise.all(peers.map((p) => p.peer.done));
    console.log(`      2 rounds done in ${Date.now() - t0} ms`);
    for (const p of peers) {
      const done = p.log.of('rounds_completed');
      assert.equal(done.length, 1, `${p.log.peerId}: rounds_completed`);
      assert.ok((done[0]?.round ?? 0) >= 2);
      // never assigned to the unrefined fingerprint cluster
      assert.ok(
        p.log.of('cluster_assigned').every((e) => e.k === 2),
        `${p.log.peerId}: assignments`,
      );
    }
  });
});
