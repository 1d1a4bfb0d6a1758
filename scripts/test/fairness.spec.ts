// The testnet's fairness figures on a tiny real run (3 peers, MNIST dirichlet:0.1, 1 round): every
// peer's personalised model, read back from its checkpoint, must score on the rebuilt own split
// exactly what the peer itself reported; the balanced figures are the stats of the per-peer scores;
// a peer whose checkpoint is gone is named, not dropped.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTruth } from '@ppfm/meta';
import { evaluateFairness, fairnessInputOf, modelArg } from '../src/testnet/fairness.js';
import { DEFAULTS, type TestnetOptions } from '../src/testnet/options.js';
import { runTestnet, type RunResult } from '../src/testnet/run.js';
import { formatSummary } from '../src/testnet/summary.js';

describe('testnet fairness figures (3 real peers, 1 round)', function () {
  this.timeout(420_000);
  let out: string;
  let result: RunResult;
  let opts: TestnetOptions;

  before(async () => {
    out = await mkdtemp(join(tmpdir(), 'ppfm-fair-'));
    opts = {
      ...DEFAULTS,
      peers: 3,
      partition: 'dirichlet:0.1',
      rounds: 1,
      seed: 3,
      maxSamples: 900,
      out,
      timeoutSeconds: 300,
    };
    result = await runTestnet(opts, { progress: 'none', baseline: false });
  });

  after(async () => {
    if (result?.summary.fairness?.missing.length === 0) await rm(out, { recursive: true, force: true });
  });

  it('scores every peer and matches the accuracy each peer reported on its own split', () => {
    const f = result.summary.fairness;
    assert.ok(f, `no fairness figures (run dir ${out})`);
    assert.deepEqual(f.missing, []);
    assert.equal(f.peers.length, 3);
    for (const p of f.peers) {
      const reported = result.summary.peerTable.find((r) => r.index === p.index)?.acc;
      assert.ok(typeof reported === 'number', `peer ${p.index} reported no accuracy`);
      // Same split, same weights: the same fraction of correct answers.
      assert.ok(Math.abs(p.own - reported) < 1e-6, `peer ${p.index}: offline ${p.own}, reported ${reported}`);
      assert.ok(
        p.balancedSamples > 0 && p.balancedSamples % 10 === 0,
        `balanced set of ${p.balancedSamples}`,
      );
    }
    // One true group under dirichlet: every peer is scored on the same balanced set.
    assert.equal(new Set(f.peers.map((p) => p.balancedSamples)).size, 1);
  });

  it('reports mean, worst and population std of the per-peer scores', () => {
    const f = result.summary.fairness!;
    const acc = f.peers.map((p) => p.balanced);
    const mean = acc.reduce((a, b) => a + b, 0) / acc.length;
    assert.ok(Math.abs(f.balanced.mean - mean) < 1e-12);
    assert.equal(f.balanced.min, Math.min(...acc));
    const std = Math.sqrt(acc.reduce((a, b) => a + (b - mean) ** 2, 0) / acc.length);
    assert.ok(Math.abs(f.balanced.std - std) < 1e-12);
    assert.match(formatSummary(result.summary), /balanced : mean \d\.\d{3} {2}worst \d\.\d{3} {2}std/);
  });

  it('names a peer whose checkpoint is gone and still scores the others', async () => {
    const truth = (await readTruth(join(out, 'data'))).truth;
    const input = await fairnessInputOf(out, opts, truth);
    input.peerStateDirs[1] = join(out, 'no-such-peer');
    const f = await evaluateFairness(input);
    assert.deepEqual(f.missing, [{ index: 1, reason: 'no checkpoint' }]);
    assert.deepEqual(
      f.peers.map((p) => p.own),
      result.summary.fairness!.peers.filter((p) => p.index !== 1).map((p) => p.own),
    );
  });

  it('finds the peers model among their extra arguments', () => {
    assert.equal(modelArg(['--model', 'a.json']), 'a.json');
    assert.equal(modelArg(['--x', '--model=b.json']), 'b.json');
    assert.equal(modelArg(['--augment', 'member']), undefined);
  });
});
