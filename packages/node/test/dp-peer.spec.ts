// Differential privacy in running peers (4 in-process peers, secure aggregation on): every update
// leaves its peer clipped and noised, the epsilon each peer spent is in its evaluation events (and
// the head's round_closed), and a peer whose budget allows one round stops after it, says so, and
// the others finish the run.
import assert from 'node:assert/strict';
import { gaussianEpsilon } from '@ppfm/meta';
import { FAST_TIMING, launch, loopback, stopAll, type TestPeer } from './helpers/peers.js';
import { finished } from './helpers/wait.js';

const SIGMA = 0.8;
const DELTA = 1e-5;

describe('differential privacy in running peers (4 in-process peers, secure aggregation)', function () {
  this.timeout(120_000);
  const peers: TestPeer[] = [];
  let thrifty: TestPeer;
  before(async () => {
    // Room for exactly one round: between the epsilon of one release and of two.
    const budget = (gaussianEpsilon(SIGMA, 1, DELTA) + gaussianEpsilon(SIGMA, 2, DELTA)) / 2;
    const common = {
      rounds: 3,
      minPeers: 4,
      learner: 'worker' as const,
      timing: { ...FAST_TIMING, leaseTtlMs: 4000, viewTtlMs: 6000 },
    };
    for (let i = 0; i < 4; i++) {
      const dp = { clip: 1, noise: SIGMA, delta: DELTA, ...(i === 3 ? { maxEpsilon: budget } : {}) };
      const boot = peers.slice(0, 1).flatMap(loopback);
      peers.push(await launch(0, i, boot, { ...common, privacy: { secureAgg: true, dp } }));
    }
    thrifty = peers[3] as TestPeer;
    await finished(peers, 100_000);
  });
  after(async () => stopAll(peers));

  it('every peer finishes; each reports the epsilon of the releases it made', () => {
    for (const p of peers) {
      assert.equal(p.log.of('rounds_completed').length, 1, p.log.peerId);
      const releases = p.log.of('dp_release');
      assert.ok(releases.length >= 1, `${p.log.peerId}: no dp_release`);
      releases.forEach((r, i) => {
        assert.equal(r.sigma, SIGMA);
        assert.ok(Math.abs(r.noiseMultiplier - SIGMA / Math.sqrt(3)) < 1e-12, 'a share of t = 3');
        const want = gaussianEpsilon(SIGMA, i + 1, DELTA);
        assert.ok(
          Math.abs((r.epsilon ?? NaN) - want) < 1e-9,
          `${p.log.peerId}: release ${i + 1} (round ${r.round}) reports epsilon ${r.epsilon}, expected ${want}; ` +
            `releases at rounds ${releases.map((x) => x.round).join(',')}`,
        );
      });
      const last = p.log.of('evaluation').at(-1);
      assert.ok(last?.epsilon !== undefined, `${p.log.peerId}: evaluation without epsilon`);
      const spent = gaussianEpsilon(SIGMA, releases.length, DELTA);
      assert.ok(
        Math.abs(last.epsilon - spent) < 1e-9,
        `${p.log.peerId}: last evaluation (round ${last.round}) reports epsilon ${last.epsilon}, ` +
          `${releases.length} releases (rounds ${releases.map((x) => x.round).join(',')}) spent ${spent}; ` +
          `evaluations at rounds ${p.log
            .of('evaluation')
            .map((x) => `${x.round}:${x.epsilon}`)
            .join(',')}`,
      );
    }
    const closed = peers.flatMap((p) => p.log.of('round_closed'));
    assert.ok(closed.length >= 3 && closed.every((e) => e.epsilon !== undefined), JSON.stringify(closed));
  });

  it('a peer at its budget stops sending updates and says so once; the others carry on', () => {
    assert.equal(thrifty.log.of('dp_release').length, 1);
    const said = thrifty.log.of('notice').filter((n) => n.code === 'dp_budget_exhausted');
    assert.equal(said.length, 1);
    assert.match(said[0]!.message, /no longer sends updates/);
    for (const p of peers.filter((q) => q !== thrifty)) assert.ok(p.log.of('dp_release').length >= 2);
  });
});
