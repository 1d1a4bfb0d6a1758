// End-to-end acceptance: a real testnet of `ppfm start` processes on 127.0.0.1 (libp2p over TCP).
// 6 peers on MNIST rotate:2, 3 rounds, the head of one cluster SIGKILLed when its round 2 opens:
// the run must succeed, clusters must match the truth exactly, every surviving peer must finish,
// and personalised accuracy must beat the local-only baseline on the same partition.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULTS } from '../src/testnet/options.js';
import { runTestnet, type RunResult } from '../src/testnet/run.js';
import { formatSummary } from '../src/testnet/summary.js';

describe('testnet end to end (6 real peers, head killed at round 2)', function () {
  // Real processes on a 2-core CI machine: minutes, not seconds.
  this.timeout(420_000);
  let out: string;
  let result: RunResult;

  before(async () => {
    out = await mkdtemp(join(tmpdir(), 'ppfm-e2e-'));
    result = await runTestnet(
      {
        ...DEFAULTS,
        peers: 6,
        partition: 'rotate:2',
        rounds: 3,
        seed: 1,
        maxSamples: 3000,
        killHeadAtRound: 2,
        out,
        timeoutSeconds: 300,
      },
      { progress: process.env.PPFM_E2E_VERBOSE === '1' ? 'plain' : 'none', baseline: true },
    );
    if (!result.summary.ok) process.stderr.write(formatSummary(result.summary) + `\nrun directory: ${out}\n`);
  });

  after(async () => {
    // Keep the run directory of a failed run for `ppfm inspect`.
    if (result?.summary.ok) await rm(out, { recursive: true, force: true });
  });

  it('succeeds with clusters equal to the truth (ARI 1)', () => {
    const s = result.summary;
    assert.equal(s.ok, true, s.failures.join('; '));
    assert.equal(s.peers, 6);
    assert.equal(s.clusters, 2);
    assert.equal(s.ari, 1);
  });

  it('killed exactly one head, elected a new one and every surviving peer finished', () => {
    const s = result.summary;
    assert.equal(s.killed.length, 1);
    assert.ok(result.kill, 'a head was killed');
    assert.equal(s.survivors, 5);
    assert.equal(s.finished, 5);
    assert.ok(s.headFailoverSeconds !== null && s.headFailoverSeconds >= 0, 'failover measured');
    assert.ok(s.headFailoverSeconds < 60, `failover took ${s.headFailoverSeconds} s`);
  });

  it('beats the local-only baseline on the same partition', () => {
    const s = result.summary;
    assert.ok(s.localAcc !== null, 'local-only baseline ran');
    assert.ok(s.meanAcc !== null, 'peers reported accuracy');
    assert.ok(s.meanAcc > s.localAcc, `meanAcc ${s.meanAcc} <= localAcc ${s.localAcc}`);
  });
});
