import { strict as assert } from 'node:assert';
import {
  computeClustersWith,
  clusterOf,
  sameClusterMap,
  type ClusterFn,
  type ClusterMap,
} from '../src/clustering.js';
import { computeFingerprint, loadBuiltin, partitionDataset, type Fingerprint } from '@ppfm/meta';
import { computeClusters } from '../src/clustering.js';
import { clusterKey, isValidClusterId, type OrderableFingerprint } from '../src/cluster-id.js';
import { MembershipView } from '../src/view.js';

type Fp = OrderableFingerprint;
type Item = { id: string; fp: Fp };

/** Small seeded RNG (mulberry32) so the synthetic fingerprints are reproducible. */
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

/** Group centres in a 16-dim projection space (as meta's default), drawn once from a fixed seed. */
const CENTRES: number[][] = (() => {
  const r = rng(424242);
  return [0, 1, 2].map(() => Array.from({ length: 16 }, () => (r() - 0.5) * 4));
})();

function makeItems(perGroup: number, seed: number, groups = CENTRES.length): Item[] {
  const r = rng(seed);
  const out: Item[] = [];
  for (let g = 0; g < groups; g++) {
    for (let i = 0; i < perGroup; i++) {
      const centre = CENTRES[g] as number[];
      out.push({
        id: `peer-g${g}-${i}-${Math.floor(r() * 1e6).toString(36)}`,
        fp: {
          inputShape: [4],
          numClasses: 3,
          projMean: centre.map((c) => c + (r() - 0.5) * 0.4),
          labelHist: [1 / 3, 1 / 3, 1 / 3],
          classMeans: [],
        },
      });
    }
  }
  return out;
}

const groupOf = (id: string): string => id.split('-')[1] as string;

/**
 * Stand-in for meta's clusterFingerprints: single linkage with a distance threshold. Labels are
 * numbered from the END of the (sorted) input so that the test also proves ids do not depend on
 * the algorithm's label numbering.
 */
const threshold: ClusterFn<Fp> = (items) => {
  const parent = items.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i] as number)));
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const a = (items[i] as Item).fp;
      const b = (items[j] as Item).fp;
      const sameShape = a.inputShape.join() === b.inputShape.join();
      const d = Math.hypot(...a.projMean.map((x, k) => x - (b.projMean[k] as number)));
      if (sameShape && d < 1.5) parent[find(i)] = find(j);
    }
  }
  const labels = new Map<number, number>();
  const assignment = new Map<string, number>();
  for (let i = items.length - 1; i >= 0; i--) {
    const root = find(i);
    if (!labels.has(root)) labels.set(root, labels.size);
    assignment.set((items[i] as Item).id, labels.get(root) as number);
  }
  return { assignment, k: labels.size, separated: labels.size > 1 };
};

function shuffle<T>(xs: T[], seed: number): T[] {
  const r = rng(seed);
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}

/** cluster id -> the synthetic group its members come from (asserting each cluster is one group). */
function idToGroup(map: ClusterMap): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of map.clusters) {
    const groups = new Set(c.members.map(groupOf));
    assert.equal(groups.size, 1, `cluster ${c.id} mixes groups ${[...groups].join(',')}`);
    out.set(c.id, [...groups][0] as string);
  }
  return out;
}

describe('computeClustersWith', () => {
  it('finds the groups, with sorted members, valid ids and a consistent byPeer', () => {
    const items = makeItems(4, 1);
    const map = computeClustersWith(threshold, items);
    assert.equal(map.clusters.length, 3);
    assert.equal(map.separated, true);
    for (const c of map.clusters) {
      assert.ok(isValidClusterId(c.id), c.id);
      assert.deepEqual(c.members, [...c.members].sort());
      for (const m of c.members) assert.equal(map.byPeer.get(m), c.id);
    }
    assert.equal(map.byPeer.size, items.length);
    assert.equal(new Set(map.clusters.map((c) => c.id)).size, 3);
    const first = items[0] as Item;
    assert.equal(clusterOf(map, first.id)?.id, map.byPeer.get(first.id));
    assert.equal(clusterOf(map, 'nobody'), undefined);
  });

  it('gives identical ids on every peer whatever the input order', () => {
    const items = makeItems(5, 2);
    const ref = computeClustersWith(threshold, items);
    for (let s = 0; s < 20; s++) {
      const other = computeClustersWith(threshold, shuffle(items, 100 + s));
      assert.ok(sameClusterMap(ref, other), `shuffle ${s} gave different clusters`);
    }
  });

  it('names clusters by their data, not by peer ids: different peers of the same groups get the same ids', () => {
    const a = idToGroup(computeClustersWith(threshold, makeItems(4, 3)));
    const b = idToGroup(computeClustersWith(threshold, makeItems(6, 4)));
    assert.deepEqual([...a], [...b]);
  });

  it('keeps every id when any single member leaves (including a head)', () => {
    const items = makeItems(4, 5);
    const before = computeClustersWith(threshold, items);
    const names = idToGroup(before);
    for (const gone of items) {
      const rest = items.filter((i) => i !== gone);
      const after = computeClustersWith(threshold, rest, before);
      assert.deepEqual(idToGroup(after), names, `ids changed when ${gone.id} left`);
      for (const m of rest) assert.equal(after.byPeer.get(m.id), before.byPeer.get(m.id));
    }
  });

  it('keeps every id when a member joins', () => {
    const items = makeItems(3, 6);
    const before = computeClustersWith(threshold, items);
    const joiners = makeItems(1, 77);
    for (const j of joiners) {
      const after = computeClustersWith(threshold, [...items, j], before);
      assert.deepEqual(idToGroup(after), idToGroup(before));
    }
  });

  it('a late joiner without history computes the same ids as peers that lived through churn', () => {
    const all = makeItems(4, 8);
    // Old peer: saw the view grow one peer at a time, then two members leave, always passing previous.
    let old: ClusterMap | undefined;
    const seen: Item[] = [];
    for (const item of shuffle(all, 9)) {
      seen.push(item);
      old = computeClustersWith(threshold, seen, old);
    }
    const final = seen.filter((_, i) => i !== 2 && i !== 7);
    old = computeClustersWith(threshold, final, old);
    const late = computeClustersWith(threshold, shuffle(final, 10));
    assert.ok(sameClusterMap(old, late));
  });

  it('orders clusters of different task shapes by shape first', () => {
    const items = makeItems(2, 11);
    const wide = items.map((i, n) => ({
      id: `wide-${n}`,
      fp: { ...i.fp, inputShape: [2], projMean: i.fp.projMean.map((x) => x + 10) },
    }));
    const map = computeClustersWith(threshold, [...items, ...wide]);
    const first = map.clusters[0];
    assert.ok(
      first?.members.every((m) => m.startsWith('wide-')),
      'inputShape [2] sorts before [4]',
    );
  });

  it('handles an empty view and rejects duplicate or unassigned peers', () => {
    assert.deepEqual(computeClustersWith(threshold, []).clusters, []);
    const items = makeItems(1, 12);
    assert.throws(() => computeClustersWith(threshold, [...items, items[0] as Item]), /duplicate/);
    const lossy: ClusterFn<Fp> = () => ({ assignment: new Map(), k: 0, separated: false });
    assert.throws(() => computeClustersWith(lossy, items), /unassigned/);
  });

  it('hands the previous map to the algorithm as peer -> cluster index', () => {
    const items = makeItems(2, 13);
    const before = computeClustersWith(threshold, items);
    let seen: Map<string, number> | undefined;
    const spy: ClusterFn<Fp> = (xs, opts) => {
      seen = opts?.previous;
      return threshold(xs, opts);
    };
    computeClustersWith(spy, items, before);
    assert.equal(seen?.size, items.length);
    for (const [peer, idx] of seen ?? []) assert.equal(before.clusters[idx]?.id, before.byPeer.get(peer));
  });
});

describe('cluster ids on label-swapped groups (projection means equal, class means permuted)', () => {
  const fixed = rng(77);
  /** Per class: its mean in projection space. */
  const base = [0, 1, 2].map(() => Array.from({ length: 16 }, () => fixed() * 4));

  /** Groups share projMean and labelHist up to noise; each group has its own class order. */
  function swapped(perGroup: number, seed: number): Item[] {
    const r = rng(seed);
    const perms = [
      [0, 1, 2],
      [2, 0, 1],
      [1, 2, 0],
    ];
    const noise = (): number => (r() - 0.5) * 0.4;
    const out: Item[] = [];
    perms.forEach((perm, g) => {
      for (let i = 0; i < perGroup; i++) {
        out.push({
          id: `peer-g${g}-${i}-${Math.floor(r() * 1e6).toString(36)}`,
          fp: {
            inputShape: [3],
            numClasses: 3,
            projMean: Array.from({ length: 16 }, noise),
            labelHist: [1 / 3, 1 / 3, 1 / 3],
            classMeans: perm.map((c) => (base[c] as number[]).map((x) => x + noise())),
          },
        });
      }
    });
    return out;
  }
  const byClassMeans: ClusterFn<Fp> = (items) => {
    const assignment = new Map<string, number>();
    for (const it of items) {
      // The group is which class sits first: nearest base mean to class 0's mean.
      const first = it.fp.classMeans[0] ?? [];
      const dist = base.map((b) => Math.hypot(...b.map((x, k) => x - (first[k] as number))));
      assignment.set(it.id, dist.indexOf(Math.min(...dist)));
    }
    return { assignment, k: new Set(assignment.values()).size, separated: true };
  };

  /** Group order by lexicographic centroid features: the naive rule, as a baseline. */
  function lexicographicOrder(items: Item[]): string {
    const groups = [0, 1, 2].map((g) => items.filter((i) => groupOf(i.id) === `g${g}`));
    const keyed = groups.map((g) => ({ g: groupOf((g[0] as Item).id), f: clusterKey(g).features }));
    keyed.sort((a, b) => {
      for (let j = 0; j < a.f.length; j++)
        if (a.f[j] !== b.f[j]) return (a.f[j] as number) - (b.f[j] as number);
      return 0;
    });
    return keyed.map((k) => k.g).join();
  }

  it('rarely reorders when a member leaves, far less than a lexicographic order', () => {
    let events = 0;
    let flips = 0;
    let lexFlips = 0;
    for (let seed = 0; seed < 30; seed++) {
      const items = swapped(3, 1000 + seed);
      const before = computeClustersWith(byClassMeans, items);
      const names = JSON.stringify([...idToGroup(before)]);
      const lex = lexicographicOrder(items);
      for (const gone of items) {
        const rest = items.filter((i) => i !== gone);
        const after = computeClustersWith(byClassMeans, rest, before);
        events++;
        if (JSON.stringify([...idToGroup(after)]) !== names) flips++;
        if (lexicographicOrder(rest) !== lex) lexFlips++;
      }
    }
    assert.ok(flips / events < 0.1, `${flips} of ${events} departures renamed clusters`);
    assert.ok(flips * 2 < lexFlips, `fixed direction ${flips} vs lexicographic ${lexFlips}`);
  });
});

describe('computeClusters with meta fingerprints and clusterFingerprints', () => {
  const groupsOf = new Map<string, number>();
  let items: { id: string; fp: Fingerprint }[] = [];

  before(async () => {
    const ds = await loadBuiltin('synthetic', { seed: 1 });
    const part = partitionDataset(ds, 'labelswap:3', 12, 5);
    items = part.peers.map((d, i) => {
      // Fingerprints go through JSON as on the wire, so every "peer" holds the same numbers.
      const id = `12D3KooW${(i * 7919).toString(36)}x${i}`;
      groupsOf.set(id, part.truth[i] as number);
      return { id, fp: JSON.parse(JSON.stringify(computeFingerprint(d))) as Fingerprint };
    });
  });

  /** cluster id -> true group, asserting that clusters match the partition's groups. */
  function names(map: ClusterMap): Map<string, number> {
    const out = new Map<string, number>();
    for (const c of map.clusters) {
      const g = new Set(c.members.map((m) => groupsOf.get(m)));
      assert.equal(g.size, 1, `cluster ${c.id} mixes groups`);
      out.set(c.id, [...g][0] as number);
    }
    return out;
  }

  it('recovers the label-swap groups with identical ids and digests on differently ordered views', () => {
    const a = computeClusters(items);
    assert.equal(a.clusters.length, 3);
    assert.equal(names(a).size, 3);
    const views = [items, shuffle(items, 1), shuffle(items, 2)].map((order) => {
      type Entry = { id: string; fp: Fingerprint };
      const [self, ...rest] = order as [Entry, ...Entry[]];
      const v = new MembershipView<Fingerprint>({
        selfId: self.id,
        ttlMs: 1000,
        self: { fingerprint: self.fp, seq: 1, capacity: 1 },
        now: 0,
      });
      for (const it of rest) v.upsert(it.id, { fingerprint: it.fp, seq: 1, capacity: 1 }, 0);
      return v;
    });
    for (const v of views) {
      assert.equal(v.digest(), views[0]?.digest());
      assert.ok(sameClusterMap(computeClusters(v.items()), a));
    }
  });

  it('keeps ids when any member (a head among them) leaves, and a late joiner agrees', () => {
    const before = computeClusters(items);
    for (const gone of items) {
      const rest = items.filter((i) => i !== gone);
      const after = computeClusters(rest, { previous: before });
      assert.deepEqual(names(after), names(before), `ids changed when ${gone.id} left`);
      assert.ok(sameClusterMap(after, computeClusters(shuffle(rest, 3))), 'late joiner differs');
    }
  });

  it('a peer that saw the view grow one by one ends with the ids of a fresh peer', () => {
    let map: ClusterMap | undefined;
    const seen: { id: string; fp: Fingerprint }[] = [];
    for (const it of shuffle(items, 4)) {
      seen.push(it);
      map = computeClusters(seen, map === undefined ? {} : { previous: map });
    }
    assert.ok(map && sameClusterMap(map, computeClusters(items)));
  });
});
