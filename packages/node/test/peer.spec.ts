import './helpers/net.js';
import assert from 'node:assert/strict';
import { waitFor } from './helpers/net.js';
import { FAST_TIMING, launchNet, stopAll, type TestPeer } from './helpers/peers.js';

/** True when all peers hold the same view and the same clusters, each with one agreed head. */
function converged(peers: TestPeer[], k: number): boolean {
  const st = peers.map((p) => p.peer.status());
  const first = st[0];
  if (first === undefined || first.view.length !== peers.length || first.clusters.length !== k) return false;
  const key = JSON.stringify(first.clusters);
  if (!st.every((s) => s.viewDigest === first.viewDigest && JSON.stringify(s.clusters) === key)) return false;
  for (const c of first.clusters) {
    const heads = st.filter((s) => s.cluster === c.id && s.role === 'head');
    if (heads.length !== 1) return false;
    if (!st.filter((s) => s.cluster === c.id).every((s) => s.head === heads[0]?.peerId)) return false;
  }
  return true;
}

describe('6 peers, 2 groups, over TCP on 127.0.0.1', function () {
  this.timeout(120_000);
  let peers: TestPeer[] = [];
  after(async () => stopAll(peers));

  it('form 2 clusters with one head each, equal views, and learn over 5 rounds', async () => {
    const t0 = Date.now();
    // 5 rounds with a short pause between them, so that both clusters overlap in time and each
    // head's global step sees the other cluster's model (clusters progress independently).
    peers = await launchNet([0, 1, 0, 1, 0, 1], { rounds: 5, timing: { ...FAST_TIMING, roundGapMs: 300 } });
    await waitFor(() => converged(peers, 2), 30_000, '2 clusters with one head each');
    const st = peers.map((p) => p.peer.status());
    // the clusters are the true groups
    for (const c of st[0]?.clusters ?? []) {
      const groups = new Set(c.members.map((m) => peers.find((p) => p.peer.peerId === m)?.group));
      assert.equal(groups.size, 1, `cluster ${c.id} mixes groups`);
      assert.equal(c.members.length, 3);
    }
    console.log(`      converged in ${Date.now() - t0} ms`);
    const heads = peers.filter((p) => p.peer.status().role === 'head');
    assert.equal(heads.length, 2);
    await Promise.all(peers.map((p) => p.peer.done));
    console.log(`      5 rounds done in ${Date.now() - t0} ms`);
    const accs = peers.map((p) => {
      const ev = p.log.of('evaluation');
      return `${ev[0]?.accAfter.toFixed(2)}->${ev[ev.length - 1]?.accAfter.toFixed(2)}`;
    });
    console.log(`      personalised accuracy round 0 -> last: ${accs.join(' ')}`);
    for (const p of peers) {
      const evals = p.log.of('evaluation');
      const r0 = evals.find((e) => e.round === 0);
      const last = evals[evals.length - 1];
      assert.ok(
        r0 && last && last.round >= 5,
        `${p.log.peerId}: evaluations ${JSON.stringify(evals.map((e) => e.round))}`,
      );
      assert.ok(last.accAfter > r0.accAfter, `${p.log.peerId}: acc ${r0.accAfter} -> ${last.accAfter}`);
      assert.ok(p.log.of('rounds_completed').length === 1);
    }
    // traffic: one event per completed round; members push one update (~ one model) per round
    for (const p of peers) {
      const tr = p.log.of('traffic');
      const isHead = heads.includes(p);
      console.log(
        `      ${isHead ? 'head  ' : 'member'} traffic: ${tr.map((e) => `r${e.round} ${e.roundBytesSent}(${e.roundDirectBytesSent})/${e.roundBytesReceived}`).join(' ')} model ${tr[0]?.modelBytes}`,
      );
      assert.ok(tr.length >= 5, `${p.log.peerId}: traffic events ${tr.length}`);
      assert.deepEqual(
        tr.map((e) => e.round),
        [...new Set(tr.map((e) => e.round))].sort((a, b) => a - b),
      );
      // the first window also holds start-up traffic (peer exchange, the initial model fetch)
      const rounds = tr.slice(1);
      const last = tr[tr.length - 1]!;
      assert.ok(last.modelBytes > 1000, `modelBytes ${last.modelBytes}`);
      assert.equal(last.codec, 'float32');
      assert.ok(rounds.every((e, i) => i === 0 || e.bytesSent >= rounds[i - 1]!.bytesSent));
      const stopped = p.log.of('peer_stopped')[0];
      assert.ok(stopped?.bytesSent !== undefined && stopped.bytesSent >= last.bytesSent);
      if (!isHead) {
        // The test model is tiny (~1.3 kB), so gossip control traffic (heartbeats, fingerprints)
        // dominates the total; the model-proportional part is the direct one (update push +
        // fetch request), which must be about one float32 model per round.
        for (const e of rounds) {
          const direct = e.roundDirectBytesSent;
          assert.ok(e.roundBytesSent >= direct);
          assert.ok(direct >= e.modelBytes, `r${e.round}: direct sent ${direct} < model ${e.modelBytes}`);
          assert.ok(direct / e.modelBytes <= 2.2, `r${e.round}: direct sent/model ${direct / e.modelBytes}`);
          assert.ok(e.roundBytesReceived >= e.modelBytes, `r${e.round}: received ${e.roundBytesReceived}`);
        }
      }
    }
    for (const h of heads) {
      assert.ok(h.log.of('cluster_model_published').length >= 5);
      const g = h.log.of('global_model_updated');
      assert.ok(
        g.some((e) => e.clusters.length === 2),
        `global step saw both clusters: ${JSON.stringify(g.map((e) => e.clusters))}`,
      );
    }
  });
});
