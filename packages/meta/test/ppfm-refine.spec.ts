import { strict as assert } from 'node:assert';
import {
  agglomerate,
  LossMatrix,
  lowestLoss,
  makeLossReport,
  refineByLoss as refineClusters,
  shouldRefine,
  type LossReport,
  type Refinement,
} from '../src/ppfm/index.js';

// Moved with the rule from packages/node (test/refinement.spec.ts); the wire round trip stays there.
const isValidClusterId = (id: string): boolean => /^[a-z0-9-]{1,64}$/.test(id);

/** Small seeded RNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(xs: readonly T[], r: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Peer ids that do not sort in group order, so a correct split is not an accident of ordering. */
const ids = (n: number): string[] =>
  Array.from({ length: n }, (_, i) => `Qm${((i * 7919) % 1000).toString()}x${i}`);

/**
 * Loss reports for peers in `groups` (peer index -> task): own model ~0.4, a same-task model a little
 * worse, another task's model `cross` worse; `noise` uniform jitter on every entry.
 */
function reports(
  peers: string[],
  groups: number[],
  opts: { cross?: number; same?: number; noise?: number; seed?: number; round?: number } = {},
): LossReport[] {
  const r = rng(opts.seed ?? 1);
  const { cross = 2.5, same = 0.05, noise = 0.02, round = 1 } = opts;
  return peers.map((p, i) => {
    const losses = new Map<string, number>();
    peers.forEach((q, j) => {
      const base = 0.4 + (i === j ? 0 : groups[i] === groups[j] ? same : cross);
      losses.set(q, base + noise * r());
    });
    return makeLossReport(p, 1, round, losses);
  });
}

function partition(res: Refinement): string[][] {
  return res.clusters.map((c) => c.members);
}

function expectedPartition(peers: string[], groups: number[]): string[][] {
  const by = new Map<number, string[]>();
  peers.forEach((p, i) => by.set(groups[i] as number, [...(by.get(groups[i] as number) ?? []), p]));
  return [...by.values()].map((m) => [...m].sort()).sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

describe('ppfm refineByLoss (loss-based clustering)', () => {
  const peers = ids(10);
  const groups = [0, 1, 0, 1, 1, 0, 0, 1, 0, 1];

  it('splits two tasks exactly, whatever the order of reports and candidates', () => {
    const base = reports(peers, groups);
    const want = expectedPartition(peers, groups);
    const first = refineClusters(base);
    assert.equal(first.separated, true);
    assert.deepEqual(partition(first), want);
    assert.deepEqual(
      first.clusters.map((c) => c.id),
      ['l0', 'l1'],
    );
    assert.ok(first.clusters.every((c) => isValidClusterId(c.id)));
    for (const p of peers)
      assert.equal(first.byPeer.get(p), first.clusters.find((c) => c.members.includes(p))?.id);
    assert.deepEqual(first.unplaced, []);
    const r = rng(99);
    for (let t = 0; t < 20; t++) {
      // Reports arrive in any order and list their candidates in any order.
      const scrambled = shuffle(base, r).map((rep) => {
        const order = shuffle(
          rep.candidates.map((_, i) => i),
          r,
        );
        return {
          ...rep,
          candidates: order.map((i) => rep.candidates[i]!),
          losses: order.map((i) => rep.losses[i]!),
        };
      });
      const res = refineClusters(scrambled);
      assert.deepEqual(res.clusters, first.clusters);
      assert.deepEqual([...res.byPeer].sort(), [...first.byPeer].sort());
    }
  });

  it('finds three tasks and names clusters by their smallest member id', () => {
    const g3 = [2, 0, 1, 2, 0, 1, 2, 0, 1, 1];
    const res = refineClusters(reports(peers, g3, { seed: 5 }));
    assert.deepEqual(partition(res), expectedPartition(peers, g3));
    const firsts = res.clusters.map((c) => c.members[0]!);
    assert.deepEqual(firsts, [...firsts].sort());
  });

  it('gives one cluster for uniform losses, with or without noise', () => {
    const one = peers.map(() => 0);
    const flat = peers.map((p) => makeLossReport(p, 1, 1, new Map(peers.map((q) => [q, 0.7]))));
    const res = refineClusters(flat);
    assert.equal(res.separated, false);
    assert.deepEqual(partition(res), [[...peers].sort()]);
    assert.equal(res.clusters[0]?.id, 'l0');
    for (let seed = 1; seed <= 30; seed++) {
      const noisy = refineClusters(reports(peers, one, { seed, noise: 0.2, same: 0.05 }));
      assert.equal(noisy.separated, false, `seed ${seed}: ${JSON.stringify(partition(noisy))}`);
    }
  });

  it('the separation guard is what keeps pure noise in one cluster', () => {
    // Two near-duplicate peers (tiny mutual excess) make the bare rule cut at noise level.
    const one = peers.map(() => 0);
    const reps = reports(peers, one, { seed: 3, noise: 0.2 });
    const dup = reps.map((rep) => ({
      ...rep,
      losses: rep.candidates.map((c, i) =>
        (rep.peerId === peers[0] && c === peers[1]) || (rep.peerId === peers[1] && c === peers[0])
          ? rep.losses[rep.candidates.indexOf(rep.peerId)]!
          : rep.losses[i]!,
      ),
    }));
    const bare = refineClusters(dup, { minExcessLoss: 0, minRelativeExcess: 0 });
    assert.ok(bare.separated, 'fixture should fool the unguarded rule');
    assert.equal(refineClusters(dup).separated, false);
  });

  it('with the guard off it reproduces the simulator (meta agglomerate on the symmetric excess)', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const reps = reports(peers, groups, { seed, noise: 1.5, cross: 1 });
      const sorted = [...peers].sort();
      const L = sorted.map((p) => {
        const rep = reps.find((x) => x.peerId === p)!;
        return sorted.map((q) => rep.losses[rep.candidates.indexOf(q)]!);
      });
      const dist = (i: number, j: number): number =>
        Math.max(0, (L[i]![j]! - L[i]![i]! + L[j]![i]! - L[j]![j]!) / 2);
      const labels = agglomerate(sorted.length, dist, 3);
      const sim = new Map<number, string[]>();
      labels.forEach((l, i) => sim.set(l, [...(sim.get(l) ?? []), sorted[i]!]));
      const simParts = [...sim.values()].sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
      const res = refineClusters(reps, { minExcessLoss: 0, minRelativeExcess: 0 });
      assert.deepEqual(partition(res), simParts, `seed ${seed}`);
    }
  });

  it('LossMatrix keeps the latest report per peer and ignores stale ones', () => {
    const m = new LossMatrix();
    const good = reports(peers, groups);
    const want = expectedPartition(peers, groups);
    // A misleading report of peer 0: its own task's models look terrible, the other task's fine.
    const p0 = good[0]!;
    const stale: LossReport = {
      ...p0,
      losses: p0.candidates.map((c) =>
        c === p0.peerId ? 0.4 : groups[peers.indexOf(c)] === groups[0] ? 100 : 0.4,
      ),
    };
    for (const r of good) assert.equal(m.add({ ...r, seq: 5 }), 'added');
    assert.equal(m.add({ ...stale, seq: 4 }), 'stale');
    assert.equal(m.add({ ...stale, seq: 5 }), 'stale');
    assert.equal(m.size, peers.length);
    assert.deepEqual(partition(refineClusters(m.reports())), want);
    // refineClusters itself also keeps the highest seq when given several reports of one peer.
    assert.deepEqual(partition(refineClusters([...m.reports(), { ...stale, seq: 3 }])), want);
    assert.deepEqual(partition(refineClusters([{ ...stale, seq: 3 }, ...m.reports()])), want);
    // A newer one replaces it (and does change the outcome: the fixture has teeth).
    assert.equal(m.add({ ...stale, seq: 6 }), 'updated');
    assert.notDeepEqual(partition(refineClusters(m.reports())), want);
    assert.equal(m.add({ ...stale, seq: 7, losses: [1] }), 'invalid');
    assert.equal(m.add({ ...stale, seq: 7, losses: stale.losses.map(() => NaN) }), 'invalid');
    assert.equal(m.get(p0.peerId)?.seq, 6);
    m.retain(peers.slice(1));
    assert.equal(m.get(p0.peerId), undefined);
    assert.equal(m.size, peers.length - 1);
  });

  it('filters by round', () => {
    const now = reports(peers, groups, { round: 2 });
    const old = reports(
      peers,
      peers.map(() => 0),
      { round: 1 },
    );
    const res = refineClusters([...old.slice(0, 5).map((r) => ({ ...r, seq: 9 })), ...now], { round: 2 });
    assert.deepEqual(partition(res), expectedPartition(peers, groups));
  });

  it('handles missing entries: partial rows, unscored pairs, absent or useless reports', () => {
    const want = expectedPartition(peers, groups);
    const base = reports(peers, groups, { seed: 7 });
    const drop = (rep: LossReport, keep: (c: string) => boolean): LossReport => {
      const idx = rep.candidates.map((_, i) => i).filter((i) => keep(rep.candidates[i]!));
      return {
        ...rep,
        candidates: idx.map((i) => rep.candidates[i]!),
        losses: idx.map((i) => rep.losses[i]!),
      };
    };
    // Peer 0 scored only itself and two others; peer 1 did not score itself.
    const partial = base.map((rep) => {
      if (rep.peerId === peers[0]) return drop(rep, (c) => [peers[0], peers[3], peers[2]].includes(c));
      if (rep.peerId === peers[1]) return drop(rep, (c) => c !== peers[1]);
      return rep;
    });
    assert.deepEqual(partition(refineClusters(partial)), want);
    // Peers 2 and 4 (different tasks) and 2 and 5 (same task) never scored each other.
    const unscored = base.map((rep) => {
      if (rep.peerId === peers[2]) return drop(rep, (c) => c !== peers[4] && c !== peers[5]);
      if (rep.peerId === peers[4]) return drop(rep, (c) => c !== peers[2]);
      if (rep.peerId === peers[5]) return drop(rep, (c) => c !== peers[2]);
      return rep;
    });
    assert.deepEqual(partition(refineClusters(unscored)), want);
    // Every peer scored only half of the others (a random half, seeded).
    const r = rng(11);
    const half = base.map((rep) => drop(rep, (c) => c === rep.peerId || r() < 0.5));
    assert.deepEqual(partition(refineClusters(half)), want);
    // A member without a report, and a reporter nobody can relate to anyone, are left unplaced.
    const lonely = 'QmLonely';
    const res = refineClusters([...base.slice(1), makeLossReport(lonely, 1, 1, new Map([[lonely, 0.3]]))], {
      members: [...peers, lonely],
    });
    assert.deepEqual(res.unplaced, [peers[0], lonely].sort());
    assert.equal(res.byPeer.has(peers[0]!), false);
    assert.deepEqual(partition(res), expectedPartition(peers.slice(1), groups.slice(1)));
  });

  it('members restricts the refinement to one fingerprint cluster; ids take a prefix', () => {
    const half = peers.slice(0, 6);
    const res = refineClusters(reports(peers, groups), { members: half, idPrefix: 'c0-l' });
    assert.deepEqual(partition(res), expectedPartition(half, groups.slice(0, 6)));
    assert.deepEqual(
      res.clusters.map((c) => c.id),
      ['c0-l0', 'c0-l1'],
    );
    assert.throws(() => refineClusters(reports(peers, groups), { idPrefix: 'L/' }), RangeError);
  });

  it('is identical from reports holding float32 losses (what every receiver decodes)', () => {
    const base = reports(peers, groups, { seed: 13, noise: 0.3 });
    const wire = base.map((rep) => ({ ...rep, losses: rep.losses.map((x) => Math.fround(x)) }));
    assert.deepEqual(wire, base);
    assert.deepEqual(refineClusters(wire), refineClusters(base));
  });

  it('makeLossReport sorts candidates and leaves out non-finite losses', () => {
    const rep = makeLossReport(
      'Qm1',
      3,
      2,
      new Map([
        ['b', 1.1],
        ['a', NaN],
        ['c', Infinity],
        ['Qm1', 0.1],
      ]),
    );
    assert.deepEqual(rep.candidates, ['Qm1', 'b']);
    assert.deepEqual(rep.losses, [Math.fround(0.1), Math.fround(1.1)]);
  });

  it('lowestLoss: the IFCA choice, ties to the smallest id, optionally among given candidates', () => {
    const rep = makeLossReport(
      'Qm1',
      1,
      1,
      new Map([
        ['c2', 0.5],
        ['c1', 0.5],
        ['c0', 0.9],
      ]),
    );
    assert.equal(lowestLoss(rep), 'c1');
    assert.equal(lowestLoss(rep, ['c0', 'c2']), 'c2');
    assert.equal(lowestLoss(rep, ['c9']), undefined);
    assert.equal(lowestLoss({ ...rep, candidates: [], losses: [] }), undefined);
  });

  it('shouldRefine: only when fingerprints did not separate and the view can split', () => {
    assert.equal(shouldRefine(8, false), true);
    assert.equal(shouldRefine(8, true), false);
    assert.equal(shouldRefine(3, false), false);
    assert.equal(shouldRefine(3, false, { enabled: true, minPeers: 3 }), true);
    assert.equal(shouldRefine(2, false, { enabled: true, minPeers: 1 }), false);
    assert.equal(shouldRefine(8, false, { enabled: false, minPeers: 4 }), false);
  });
});
