// The networked peers run the simulator's learning rule: on the same partition, seeds, model and
// hyper-parameters, in-process peers over @libp2p/memory find the simulator's clusters and end
// within 0.01 of its mean personalised accuracy.
import assert from 'node:assert/strict';
import {
  adjustedRandIndex,
  loadBuiltin,
  partitionDataset,
  ppfmSeeds,
  simulate,
  subsetDataset,
  type ModelSpec,
  type PpfmConfig,
} from '@ppfm/meta';
import { FAST_TIMING, launch, loopback, stopAll, type TestPeer } from './helpers/peers.js';
import { finished } from './helpers/wait.js';

const N = 4;
const ROUNDS = 3;
const SEED = 5;
const MODEL: ModelSpec = { layers: [{ type: 'flatten' }, { type: 'dense', units: 32, activation: 'relu' }] };
const CONFIG: Partial<PpfmConfig> = { adaptSteps: 40 };

for (const spec of ['rotate:2', 'labelswap:2']) {
  describe(`conformance with the simulator: mnist ${spec}, ${N} in-process peers, ${ROUNDS} rounds`, function () {
    this.timeout(180_000);
    const peers: TestPeer[] = [];
    let simAcc = 0;
    let simLabels: number[] = [];
    let truth: number[] = [];
    before(async () => {
      const mnist = await loadBuiltin('mnist');
      const part = partitionDataset(subsetDataset(mnist, 500 * N, 11), spec, N, SEED);
      truth = part.truth;
      const sim = await simulate({
        dataset: 'mnist',
        partition: spec,
        peers: N,
        rounds: ROUNDS,
        seed: SEED,
        methods: ['ppfm'],
        backend: 'wasm',
        model: MODEL,
        config: CONFIG,
        partitioned: part,
      });
      const r = sim.methods.ppfm;
      assert.ok(r !== undefined && r.clusters !== undefined);
      simAcc = r.meanAcc;
      simLabels = r.clusters;
      for (let i = 0; i < N; i++)
        peers.push(
          await launch(part.truth[i] as number, i, peers.slice(0, 1).flatMap(loopback), {
            data: part.peers[i],
            seed: ppfmSeeds.peer(SEED, i),
            model: MODEL,
            config: CONFIG,
            minPeers: N,
            rounds: ROUNDS,
            timing: {
              ...FAST_TIMING,
              roundDeadlineMs: 60_000,
              quorumFraction: 1,
              globalSyncMs: 30_000,
              progressTimeoutMs: 60_000,
            },
          }),
        );
      await finished(peers, 150_000);
    });
    after(async () => stopAll(peers));

    it('finds the same clusters as the simulator', () => {
      const cluster = peers.map((p) => p.log.of('cluster_assigned').at(-1)?.cluster ?? '?');
      const labels = cluster.map((c) => [...new Set(cluster)].indexOf(c));
      assert.equal(
        adjustedRandIndex(labels, simLabels),
        1,
        `network ${JSON.stringify(labels)}, simulator ${JSON.stringify(simLabels)}`,
      );
      assert.equal(adjustedRandIndex(labels, truth), 1, 'and they are the true groups');
    });

    it("ends within 0.01 of the simulator's mean personalised accuracy", () => {
      const accs = peers.map((p) => {
        const ev = p.log.of('evaluation').filter((e) => e.round === ROUNDS);
        assert.equal(ev.length, 1, `${p.log.peerId}: one evaluation of round ${ROUNDS}`);
        return ev[0]!.accAfter;
      });
      const net = accs.reduce((a, b) => a + b, 0) / accs.length;
      console.log(
        `      network ${net.toFixed(4)} vs simulator ${simAcc.toFixed(4)} (per peer ${accs.map((a) => a.toFixed(3)).join(' ')})`,
      );
      assert.ok(Math.abs(net - simAcc) <= 0.01, `network ${net} vs simulator ${simAcc}`);
    });
  });
}
