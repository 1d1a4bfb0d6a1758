// The testnet's --alone option and the verdict's truth for zero-shot runs (issue 15), and the pure
// parts of the zeroshot bench suite (row parsing, the fold of final evaluations, the table).
import assert from 'node:assert/strict';
import { adjustedRandIndex } from '@ppfm/meta';
import { parseEventLine, type PeerEvent } from '../src/testnet/events.js';
import { peerArgs } from '../src/testnet/launch.js';
import { DEFAULTS, parseTestnetArgs, type TestnetOptions } from '../src/testnet/options.js';
import { NetworkState } from '../src/testnet/state.js';
import { summarise, type SummaryContext } from '../src/testnet/summary.js';
import { expectedTruth, zeroShotRun } from '../src/testnet/verdict.js';
import { formatZsTable, parseZsRows, parseZsSettings, zsRunFlags, ZsFold } from '../bench/zeroshot.js';

const ev = (o: Record<string, unknown>): PeerEvent => {
  const e = parseEventLine(JSON.stringify({ level: 30, ...o }));
  if (e === undefined) throw new Error(`bad fixture event ${JSON.stringify(o)}`);
  return e;
};

/** Three peers that finished 2 rounds; `clusterOf(i)` is the cluster peer i reports, with its members. */
function run(clusterOf: (i: number, ids: string[]) => { cluster: string; members: string[] }): NetworkState {
  const s = new NetworkState();
  const ids = ['A', 'B', 'C'];
  ids.forEach((peer, i) => {
    s.apply(ev({ time: 1, peer, event: 'peer_started', addrs: [], dataPath: `/r/data/peer-0${i}` }));
    const c = clusterOf(i, ids);
    s.apply(ev({ time: 2, peer, event: 'cluster_assigned', cluster: c.cluster, members: c.members }));
    s.apply(ev({ time: 3, peer, event: 'evaluation', cluster: c.cluster, round: 2, accAfter: 0.5 }));
    s.apply(ev({ time: 4, peer, event: 'rounds_completed', cluster: c.cluster, round: 2 }));
  });
  return s;
}

function ctx(truth: number[] | null): SummaryContext {
  return {
    truth,
    launched: 3,
    rounds: 2,
    wallSeconds: 1,
    killed: new Set(),
    crashed: new Set(),
    localAcc: null,
    headFailoverSeconds: null,
    timedOut: false,
    ari: (a, b) => adjustedRandIndex(a, b),
  };
}

const opts = (over: Partial<TestnetOptions>): TestnetOptions => ({ ...DEFAULTS, ...over });

describe('testnet --alone', () => {
  it('parses --alone and refuses it with faults or late joiners', () => {
    const r = parseTestnetArgs(['--alone', '--peers', '3']);
    assert.equal(r.kind, 'run');
    if (r.kind === 'run') assert.equal(r.options.alone, true);
    const d = parseTestnetArgs([]);
    if (d.kind === 'run') assert.equal(d.options.alone, false);
    for (const extra of [
      ['--churn', '0.5'],
      ['--late-join', '1'],
      ['--kill-head-at-round', '2'],
      ['--slow', '1'],
    ]) {
      const bad = parseTestnetArgs(['--alone', ...extra]);
      assert.equal(bad.kind, 'error', extra.join(' '));
      if (bad.kind === 'error')
        assert.match(bad.message, new RegExp(`--alone cannot be combined with ${extra[0]}`));
    }
  });

  it('starts a peer without --bootstrap and --min-peers', () => {
    const launch = {
      index: 2,
      data: '/d',
      dataDir: '/p',
      logDir: '/l',
      listen: '/ip4/127.0.0.1/tcp/0',
      bootstrap: ['/ip4/127.0.0.1/tcp/1/p2p/X'],
      minPeers: true,
    };
    const together = peerArgs(opts({}), launch);
    assert.ok(together.includes('--bootstrap') && together.includes('--min-peers'));
    const alone = peerArgs(opts({ alone: true, extraPeerArgs: ['--zs-model', 'compat'] }), launch);
    assert.ok(!alone.includes('--bootstrap'), alone.join(' '));
    assert.ok(!alone.includes('--min-peers'), alone.join(' '));
    assert.deepEqual(alone.slice(-2), ['--zs-model', 'compat']);
  });
});

describe('the verdict truth of zero-shot and alone runs', () => {
  it('is one cluster for zero-shot, one per peer alone, the partition otherwise', () => {
    const groups = [0, 1, 2, 0, 1];
    assert.deepEqual(expectedTruth(opts({ partition: 'rotate:2' }), groups), groups);
    assert.deepEqual(expectedTruth(opts({ partition: 'zeroshot:3' }), groups), [0, 0, 0, 0, 0]);
    assert.deepEqual(expectedTruth(opts({ partition: 'zeroshot:3', alone: true }), groups), [0, 1, 2, 3, 4]);
    // --task in the peer args decides over the partition.
    assert.equal(
      zeroShotRun(opts({ partition: 'zeroshot:3', extraPeerArgs: ['--task', 'classification'] })),
      false,
    );
    assert.equal(zeroShotRun(opts({ partition: 'iid', extraPeerArgs: ['--task=zero-shot'] })), true);
    assert.equal(zeroShotRun(opts({ partition: 'iid' })), false);
  });

  it('ends ok for one zero-shot cluster and for peers alone; a split zero-shot run fails', () => {
    const groups = [0, 1, 2];
    const one = run((_, ids) => ({ cluster: 'c0', members: ids }));
    const zs = summarise(one, ctx(expectedTruth(opts({ partition: 'zeroshot:3' }), groups)));
    assert.equal(zs.ok, true, zs.failures.join('; '));
    assert.equal(zs.clusters, 1);
    // The old truth (the partition's label groups) reports a mismatch for the same run.
    assert.match(summarise(one, ctx(groups)).failures.join(), /do not match truth/);

    // Isolated peers all call their cluster c0: three clusters of one.
    const lone = run((i, ids) => ({ cluster: 'c0', members: [ids[i] as string] }));
    const alone = summarise(lone, ctx(expectedTruth(opts({ partition: 'zeroshot:3', alone: true }), groups)));
    assert.equal(alone.ok, true, alone.failures.join('; '));
    assert.equal(alone.clusters, 3);
    const notAlone = summarise(lone, ctx(expectedTruth(opts({ partition: 'zeroshot:3' }), groups)));
    assert.match(notAlone.failures.join(), /do not match truth/);
  });

  it('has no expected clustering under label skew: a split run is ok, a lost peer still fails', () => {
    const allZero = [0, 0, 0];
    for (const partition of ['dirichlet:0.1', 'classes:2']) {
      assert.equal(expectedTruth(opts({ partition }), allZero), null);
      const split = run((i, ids) =>
        i === 0 ? { cluster: 'c0', members: ['A'] } : { cluster: 'c1', members: ids.slice(1) },
      );
      const s = summarise(split, ctx(expectedTruth(opts({ partition }), allZero)));
      assert.equal(s.ok, true, s.failures.join('; '));
      assert.equal(s.ari, null);
      assert.equal(s.expectedClusters, false);
      // The same split under a partition with groups (rotate) is judged on ARI.
      assert.match(
        summarise(split, ctx(expectedTruth(opts({ partition: 'rotate:2' }), allZero))).failures.join(),
        /do not match truth/,
      );
    }
    // Label skew does not excuse a peer that never finished.
    const s = new NetworkState();
    s.apply(ev({ time: 1, peer: 'A', event: 'peer_started', addrs: [], dataPath: '/r/data/peer-00' }));
    const f = summarise(s, { ...ctx(null), launched: 1 });
    assert.match(f.failures.join(), /did not finish/);
  });
});

describe('zeroshot bench suite', () => {
  it('parses rows and settings and names bad ones', () => {
    assert.equal(parseZsRows(undefined)[0]?.model, 'compat');
    assert.deepEqual(parseZsRows('generator:name'), [{ model: 'generator', variant: 'name' }]);
    assert.throws(() => parseZsRows('gan:name'), /--zs-rows/);
    assert.deepEqual(parseZsSettings('pooled, alone'), ['pooled', 'alone']);
    assert.throws(() => parseZsSettings('grouped'), /--zs-settings/);
  });

  it('gives pooled one peer with the federation steps and alone the --alone flag', () => {
    const b = {
      dataset: 'fashion-mnist',
      partition: 'zeroshot:3',
      seed: 1,
      rounds: 12,
      peers: 8,
      backend: 'auto' as const,
      outDir: '/tmp',
      timeoutSeconds: 1,
      verbose: false,
    };
    const row = { model: 'compat' as const, variant: 'name' as const };
    assert.deepEqual(zsRunFlags(b, row, 'pooled', 12), {
      peers: 1,
      alone: false,
      peerArgs: ['--zs-model', 'compat', '--semantic', 'name', '--zs-steps', '96'],
    });
    assert.equal(zsRunFlags(b, row, 'alone', 12).alone, true);
    assert.equal(zsRunFlags(b, row, 'federated', 12).peers, 8);
    assert.equal(zsRunFlags(b, row, 'federated', 12).aggregator, undefined);
    assert.equal(zsRunFlags(b, row, 'federated-mean', 12).aggregator, 'mean');
  });

  it("averages each peer's last zero-shot evaluation", () => {
    const fold = new ZsFold();
    const e = (peer: string, round: number, zsl: number, h?: number): PeerEvent =>
      ev({ time: round, peer, event: 'evaluation', cluster: 'c0', round, accAfter: 0.3, zsl, gzslH: h });
    fold.apply(e('A', 5, 0.1, 0.0));
    fold.apply(e('A', 12, 0.6, 0.2));
    fold.apply(e('B', 12, 0.4));
    fold.apply(ev({ time: 1, peer: 'C', event: 'evaluation', cluster: 'c0', round: 12, accAfter: 0.9 }));
    const m = fold.means();
    assert.equal(m.peers, 2, 'C reported no zero-shot figures');
    assert.ok(Math.abs((m.zsl as number) - 0.5) < 1e-12);
    assert.ok(Math.abs((m.gzslH as number) - 0.2) < 1e-12);
    assert.equal(m.gzslSeen, null);
    const table = formatZsTable([
      {
        model: 'compat',
        variant: 'name',
        setting: 'alone',
        ...m,
        ok: true,
        failures: [],
        clusters: 8,
        finished: 8,
        wallSeconds: 300.4,
        load: { start: 20, end: 25.5 },
        command: 'x',
      },
    ]);
    assert.match(
      table[2] as string,
      /\| compat +\| name +\| alone +\| 50\.0 \| - \| - \| 20\.0 \| 8\/2 \| 8 \| yes \| 300 \| 20\.0\/25\.5 \|/,
    );
  });
});
