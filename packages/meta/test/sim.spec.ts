import { strict as assert } from 'node:assert';
import { agglomerate } from '../src/ppfm/index.js';
import { formatSimulationTable, parseMethods, simulate } from '../src/sim/index.js';
import type { SimulationProgress, SimulationResult } from '../src/sim/index.js';
import { rawTabular } from './learning-fixtures.js';

// Small but real: 8 peers on 1600 MNIST digits (~160 training samples each), 3 rounds.
const base = { dataset: 'mnist', peers: 8, rounds: 3, seed: 1, maxSamples: 1600, backend: 'wasm' as const };

describe('simulate (offline federation simulator)', function () {
  this.timeout(180_000);
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
    assert.ok(ppfm.meanAcc > fedavg.meanAcc + 0.05, `ppfm ${ppfm.meanAcc} vs fedavg ${fedavg.meanAcc}`);
    assert.equal(fedavg.ari, undefined);
    for (const m of [ppfm, fedavg]) {
      assert.ok(m.minAcc <= m.meanAcc && m.meanAcc <= 1);
      assert.ok(m.stdAcc >= 0 && m.stdAcc < 0.5);
      assert.equal(m.peerAcc.length, 8);
      assert.deepEqual(m.events, { diverged: 0, discarded: 0, rejected: 0 });
    }
  });

  it('reports progress per method and round', () => {
    const ppfmRounds = events.filter((e) => e.method === 'ppfm').map((e) => e.round);
    assert.deepEqual(ppfmRounds, [0, 1, 2, 3]);
    assert.match(
      events.find((e) => e.method === 'ppfm')!.note!,
      /2 clusters \(fingerprints\), global level shares the (body|head)/,
    );
    assert.ok(events.some((e) => e.method === 'fedavg' && e.round === 3));
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

  it('keeps iid peers in one cluster through the loss fallback (mnist and raw tabular units)', async () => {
    const notes: string[] = [];
    const r = await simulate({
      ...base,
      partition: 'iid',
      methods: ['ppfm'],
      onProgress: (e) => e.note && notes.push(e.note),
    });
    assert.deepEqual(r.methods.ppfm!.clusters, new Array(8).fill(0));
    assert.match(notes[0]!, /1 clusters \(one cluster\)/);
    const peers = Array.from({ length: 8 }, (_, i) => rawTabular({ n: 100, seed: 10 + i }));
    const t = await simulate({
      ...base,
      dataset: 'raw tabular',
      partition: 'iid',
      methods: ['local', 'ppfm'],
      partitioned: { peers, truth: peers.map(() => 0) },
    });
    assert.deepEqual(t.methods.ppfm!.clusters, new Array(8).fill(0));
    assert.ok(t.methods.ppfm!.meanAcc > 0.8, `raw tabular ppfm ${t.methods.ppfm!.meanAcc}`);
  });

  it('transforms hostile members updates; the norm bound discards x-50 updates', async () => {
    const r = await simulate({
      ...base,
      partition: 'rotate:2',
      methods: ['ppfm'],
      byzantine: { fraction: 0.25, attack: 'scale', factor: -50 },
    });
    const ppfm = r.methods.ppfm!;
    // 2 hostile peers x 3 rounds, each discarded by its head.
    assert.equal(ppfm.events!.discarded, 6);
    assert.ok(ppfm.meanAcc > rotate.methods.fedavg!.meanAcc, `${ppfm.meanAcc}`);
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
      lines.some((l) => /^ppfm\s+0\.\d{3}\s+0\.\d{3}\s+0\.\d{3}\s+1\.00\s+2\s+0\.\d{3}\s/.test(l)),
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
