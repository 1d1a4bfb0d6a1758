import assert from 'node:assert/strict';
import { converged, FAST_TIMING, launchNet, stopAll, type TestPeer } from './helpers/peers.js';
import { finished, until } from './helpers/wait.js';

describe('6 in-process peers over @libp2p/memory, 2 groups, 5 rounds', function () {
  this.timeout(120_000);
  let peers: TestPeer[] = [];
  before(async () => {
    // A short pause between rounds, so that both clusters overlap in time and each head's global
    // step sees the other cluster's model (clusters progress independently).
    peers = await launchNet([0, 1, 0, 1, 0, 1], { rounds: 5, timing: { ...FAST_TIMING, roundGapMs: 300 } });
  });
  after(async () => {
    await stopAll(peers);
    if (process.env.PPFM_DUMP)
      for (const p of peers)
        console.log(
          p.log.peerId.slice(-6),
          p.log.events
            .map((e, i) => ({ e, t: p.log.times[i] }))
            .filter(({ e }) =>
              [
                'view_synced',
                'head_elected',
                'peer_expired',
                'cluster_assigned',
                'round_opened',
                'peer_connected',
                'peer_disconnected',
              ].includes(e.event),
            )
            .map(({ e, t }) => `${((t ?? 0) % 100000) / 1000} ${e.event} ${JSON.stringify(e).slice(0, 160)}`)
            .join('\n   '),
        );
  });

  it('form the 2 true clusters with one agreed head each and equal views', async () => {
    await until(peers, () => converged(peers, 2), '2 clusters with one head each');
    const st = peers.map((p) => p.peer.status());
    for (const c of st[0]?.clusters ?? []) {
      const groups = new Set(c.members.map((m) => peers.find((p) => p.peer.peerId === m)?.group));
      assert.equal(groups.size, 1, `cluster ${c.id} mixes groups`);
      assert.equal(c.members.length, 3);
    }
    assert.equal(peers.filter((p) => p.peer.status().role === 'head').length, 2);
  });

  it('every peer completes 5 rounds and its personalised accuracy beats round 0', async () => {
    await finished(peers, 110_000);
    for (const p of peers) {
      const evals = p.log.of('evaluation');
      const r0 = evals.find((e) => e.round === 0);
      const last = evals[evals.length - 1];
      assert.ok(
        r0 && last && last.round >= 5,
        `${p.log.peerId}: evaluations ${JSON.stringify(evals.map((e) => e.round))}`,
      );
      assert.ok(last.accAfter > r0.accAfter, `${p.log.peerId}: acc ${r0.accAfter} -> ${last.accAfter}`);
      assert.equal(p.log.of('rounds_completed').length, 1);
      // evaluations never go back in rounds
      const rounds = evals.map((e) => e.round);
      assert.deepEqual(
        rounds,
        [...rounds].sort((a, b) => a - b),
      );
    }
  });

  it('accounts traffic per round: a member sends about one model per round', () => {
    for (const p of peers) {
      const tr = p.log.of('traffic');
      assert.ok(tr.length >= 5, `${p.log.peerId}: traffic events ${tr.length}`);
      const last = tr[tr.length - 1]!;
      assert.ok(last.modelBytes > 1000, `modelBytes ${last.modelBytes}`);
      assert.equal(last.codec, 'float32');
      const stopped = p.log.of('peer_stopped')[0];
      assert.ok(stopped?.bytesSent !== undefined && stopped.bytesSent >= last.bytesSent);
      // Members only: a peer that ever headed its cluster also served models.
      if (p.log.of('cluster_model_published').length > 0) continue;
      // The test model is tiny (~1.3 kB), so gossip control traffic dominates the total; the
      // model-proportional part is the direct one (update push + fetch request).
      // A traffic event covers the rounds since the previous one: a member that skipped an
      // evaluation under load (CI once: r2 at 2.53 models) reports two rounds' pushes in one.
      for (const [i, e] of tr.entries()) {
        if (i === 0) continue;
        const rounds = Math.max(1, e.round - (tr[i - 1]?.round ?? 0));
        const direct = e.roundDirectBytesSent / rounds;
        assert.ok(direct >= e.modelBytes, `r${e.round}: direct sent ${direct}/round < model ${e.modelBytes}`);
        assert.ok(
          direct / e.modelBytes <= 2.2,
          `r${e.round}: direct sent/model ${direct / e.modelBytes} per round over ${rounds} rounds`,
        );
      }
    }
  });

  it("every round of each cluster was published once, and the heads' global steps saw the other cluster", () => {
    // (A head may change under load; count per cluster over whoever headed it.)
    const published = peers.flatMap((p) => p.log.of('cluster_model_published'));
    for (const c of new Set(published.map((e) => e.cluster)))
      assert.deepEqual(
        [...new Set(published.filter((e) => e.cluster === c).map((e) => e.round))].sort(),
        [1, 2, 3, 4, 5],
      );
    for (const c of ['c0', 'c1']) {
      const g = peers.flatMap((p) => p.log.of('global_model_updated')).filter((e) => e.clusters.includes(c));
      assert.ok(
        g.some((e) => e.clusters.length === 2),
        `global steps of ${c}: ${JSON.stringify(g.map((e) => e.clusters))}`,
      );
    }
  });
});
