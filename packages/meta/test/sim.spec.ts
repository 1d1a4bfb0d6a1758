import { strict as assert } from 'node:assert';
import { agglomerate } from '../src/ppfm/index.js';
import { formatSimulationTable, parseMethods, simulate } from '../src/sim/index.js';
import type { SimulationProgress, SimulationResult } from '../src/sim/index.js';

// Small but real: 8 peers on 2400 MNIST digits (~240 training samples each), 3 rounds.
const base = { dataset: 'mnist', peers: 8, rounds: 3, seed: 1, maxSamples: 2400, backend: 'wasm' as const };

describe('simulate (offline federation simulator)', function () {
  this.timeout(60_000);
  let rotate: SimulationResult;
  const events: SimulationProgress[] = [];

  before(async () => {
    rotate = await simulate({
      ...base,
      partition: 'rotate:2',
      methods: ['fedavg', 'oracle', 'ppfm'],
      onProgress: (e) => events.push(e),
    });
  });

  it('recovers the rotation groups exactly and beats FedAvg on rotate:2', () => {
    const ppfm = rotate.methods.ppfm!;
    const fedavg = rotate.methods.fedavg!;
    assert.equal(ppfm.ari, 1);
    assert.equal(rotate.methods.oracle!.ari, 1);
    assert.ok(ppfm.meanAcc > fedavg.meanAcc + 0.1, `ppfm ${ppfm.meanAcc} vs fedavg ${fedavg.meanAcc}`);
    assert.equal(fedavg.ari, undefined);
    for (const m of [ppfm, fedavg]) {
      assert.ok(m.minAcc <= m.meanAcc && m.meanAcc <= 1);
      assert.equal(m.peerAcc.length, 8);
    }
  });

  it('reports progress per method and round', () => {
    const ppfmRounds = events.filter((e) => e.method === 'ppfm').map((e) => e.round);
    assert.deepEqual(ppfmRounds, [0, 1, 2, 3]);
    assert.ok(events.some((e) => e.method === 'fedavg' && e.round === 3));
  });

  it('separates label-swapped groups that input statistics share, and beats FedAvg by far', async () => {
    const r = await simulate({ ...base, partition: 'labelswap:2', methods: ['fedavg', 'ppfm'] });
    const ppfm = r.methods.ppfm!;
    assert.equal(ppfm.ari, 1);
    assert.ok(
      ppfm.meanAcc > r.methods.fedavg!.meanAcc + 0.3,
      `${ppfm.meanAcc} vs ${r.methods.fedavg!.meanAcc}`,
    );
  });

  it('finds label-swapped groups from losses alone when fingerprints are not used', async () => {
    const r = await simulate({
      ...base,
      partition: 'labelswap:2',
      methods: ['ppfm'],
      ppfmClustering: 'loss',
    });
    assert.equal(r.methods.ppfm!.ari, 1);
  });

  it('is deterministic: the same seed gives the same numbers', async () => {
    const again = await simulate({ ...base, partition: 'rotate:2', methods: ['fedavg', 'oracle', 'ppfm'] });
    for (const name of ['fedavg', 'oracle', 'ppfm'] as const) {
      assert.deepEqual(again.methods[name]!.peerAcc, rotate.methods[name]!.peerAcc, name);
      assert.deepEqual(again.methods[name]!.clusters, rotate.methods[name]!.clusters, name);
    }
  });

  it('formats a table with one row per method', () => {
    const lines = formatSimulationTable(rotate).split('\n');
    assert.match(lines[0]!, /rotate:2, 8 peers, 3 rounds/);
    assert.ok(
      lines.some((l) => /^ppfm\s+0\.\d{3}\s+0\.\d{3}\s+0\.\d{3}\s+1\.00\s+2\s/.test(l)),
      lines.join('\n'),
    );
    assert.equal(lines.filter((l) => /^(fedavg|oracle|ppfm)\s/.test(l)).length, 3);
  });

  it('rejects unknown method names', () => {
    assert.deepEqual(parseMethods('local, ppfm'), ['local', 'ppfm']);
    assert.throws(() => parseMethods('local,fedprox'), /unknown method 'fedprox'/);
  });

  it('cuts average linkage at its largest gap, or not at all without structure', () => {
    const pos = [0, 0.1, 0.2, 10, 10.1, 20];
    assert.deepEqual(
      agglomerate(pos.length, (i, j) => Math.abs(pos[i]! - pos[j]!), 3),
      [0, 0, 0, 1, 1, 2],
    );
    const flat = [0, 1, 2, 3, 4];
    assert.deepEqual(
      agglomerate(flat.length, (i, j) => Math.abs(flat[i]! - flat[j]!), 3),
      [0, 0, 0, 0, 0],
    );
  });
});
