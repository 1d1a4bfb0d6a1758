// Dropouts under --secure-agg (4 in-process peers, threshold 3): a member killed after the key
// shares were delivered but before it masked (its pairwise masks must be taken back), and one
// killed after its masked input reached the head (its self mask must be removed without it). Each
// round completes with the exact ring sum of the inputs that made it.
import assert from 'node:assert/strict';
import { encodeFixedPoint, ringAddInto, sumErrorBound, type SecAggStage } from '@ppfm/protocol';
import { converged, FAST_TIMING, launchNet, stopAll, type TestPeer } from './helpers/peers.js';
import { attempt, recordSecAgg, type SecAggRecord } from './helpers/secagg.js';
import { until } from './helpers/wait.js';

/** Launches 4 peers, kills one member when it completes `stage`; resolves with what happened. */
async function killAt(
  stage: SecAggStage,
): Promise<{ peers: TestPeer[]; victim: TestPeer; at: string; rec: SecAggRecord }> {
  // Training in worker threads and lenient leases: a head change would cancel the round under test
  // (the loaded 2-core machine can stall an event loop for a lease ttl of FAST_TIMING).
  const peers = await launchNet([0, 0, 0, 0], {
    rounds: 4,
    learner: 'worker',
    timing: { ...FAST_TIMING, leaseTtlMs: 4000, viewTtlMs: 6000 },
    privacy: { secureAgg: true },
  });
  const rec = recordSecAgg(peers);
  await until(peers, () => converged(peers, 1), 'one cluster with a head');
  // A peer still busy with its warm-up may miss the first round: with t = 3 of 4, that absence and
  // the kill together would be one too many. Kill only after a round all four made.
  const full = (): boolean => [...rec.sums.values()].some((s) => s.contributors.length === 4);
  await until(peers, full, 'a round with all four contributions');
  const victim = peers.find((p) => p.peer.status().role === 'member') as TestPeer;
  let at = '';
  // Synchronous on the event: the crash closes the victim's session before its driver goes on.
  const off = victim.peer.bus.on('log', (e) => {
    if (at !== '' || e.event !== 'secagg_stage' || e.role !== 'member' || e.stage !== stage) return;
    at = attempt(e.round, e.term);
    off();
    void victim.peer.crash();
  });
  const alive = peers.filter((p) => p !== victim);
  await until(
    alive,
    () => at !== '' && rec.sums.has(at),
    `the secure sum of the round the victim left at ${stage}`,
  );
  return { peers, victim, at, rec };
}

/** The ring sum of the encodings of `ids`' contributions to attempt `at`. */
function ringSumOf(rec: SecAggRecord, at: string, ids: string[], length: number): Uint32Array {
  const params = rec.params.get(at)!;
  const sum = new Uint32Array(length + 1);
  for (const id of ids) {
    const c = rec.contributed.get(at)?.get(id);
    assert.ok(c, `no contribution of ${id} in ${at}`);
    ringAddInto(sum, encodeFixedPoint(c.update, c.weight, params));
  }
  return sum;
}

describe('secure aggregation survives a member killed mid-round (4 in-process peers)', function () {
  this.timeout(120_000);
  let peers: TestPeer[] = [];
  afterEach(async () => stopAll(peers));

  it('killed after the shares, before masking: the sum of the 3 survivors, exactly', async () => {
    const r = await killAt('share');
    peers = r.peers;
    const sum = r.rec.sums.get(r.at)!;
    const survivors = peers
      .filter((p) => p !== r.victim)
      .map((p) => p.peer.peerId)
      .sort();
    assert.deepEqual(sum.contributors, survivors);
    assert.deepEqual(sum.dropped, [r.victim.peer.peerId]);
    const length = sum.ringSum.length - 1;
    assert.deepEqual(sum.ringSum, ringSumOf(r.rec, r.at, survivors, length));
    // In float units: the weighted sum of the survivors within the fixed-point bound.
    const params = r.rec.params.get(r.at)!;
    assert.equal(params.n, 4);
    const bound = sumErrorBound(params, 3);
    for (let i = 0; i < length; i++) {
      let exact = 0;
      for (const id of survivors) {
        const c = r.rec.contributed.get(r.at)!.get(id)!;
        exact +=
          Math.min(c.weight, params.maxWeight) * Math.max(-params.clip, Math.min(params.clip, c.update[i]!));
      }
      assert.ok(
        Math.abs(sum.weightedSum[i]! - exact) <= bound + Math.abs(exact) * 2 ** -23,
        `coordinate ${i}`,
      );
    }
    const head = peers.find((p) => p.peer.status().role === 'head')!;
    const [round, term] = r.at.split('/').map(Number);
    const agg = head.log.of('secagg_aggregated').find((e) => e.round === round && e.term === term);
    assert.ok(agg && agg.contributors === 3 && agg.dropped === 1, JSON.stringify(agg));
  });

  it('killed after its masked input reached the head: the sum of all 4, exactly, unmasked without it', async () => {
    const r = await killAt('mask');
    peers = r.peers;
    const sum = r.rec.sums.get(r.at)!;
    const all = peers.map((p) => p.peer.peerId).sort();
    assert.deepEqual(sum.contributors, all);
    assert.deepEqual(sum.dropped, []);
    assert.deepEqual(sum.ringSum, ringSumOf(r.rec, r.at, all, sum.ringSum.length - 1));
    const head = peers.find((p) => p.peer.status().role === 'head')!;
    const [round, term] = r.at.split('/').map(Number);
    const stages = head.log
      .of('secagg_stage')
      .filter((e) => e.round === round && e.term === term && e.role === 'head')
      .map((e) => [e.stage, e.count]);
    // 4 inputs in the sum, 3 of 4 answered the unmask request: the victim's seed came from the others.
    assert.deepEqual(stages, [
      ['advertise', 4],
      ['share', 4],
      ['mask', 4],
      ['unmask', 4],
    ]);
  });
});
