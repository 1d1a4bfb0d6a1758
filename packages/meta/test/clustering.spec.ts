import assert from 'node:assert/strict';
import { adjustedRandIndex } from '../src/ari.js';
import { clusterFingerprints } from '../src/clustering.js';
import { loadBuiltin, partitionDataset, type Dataset } from '../src/data/index.js';
import { computeFingerprint, type Fingerprint } from '../src/fingerprint.js';
import { createRng } from '../src/rng.js';
import { blobs } from './learning-fixtures.js';

type Item = { id: string; fp: Fingerprint };

/** `groups` x `perGroup` peers; group g shifts inputs by g (or permutes labels when `swap`). */
function peers(
  groups: number,
  perGroup: number,
  opts: { swap?: boolean; n?: number; seed?: number } = {},
): {
  items: Item[];
  truth: number[];
} {
  const perms = [
    [0, 1, 2],
    [1, 2, 0],
    [2, 0, 1],
    [1, 0, 2],
  ];
  const items: Item[] = [];
  const truth: number[] = [];
  for (let g = 0; g < groups; g++) {
    for (let p = 0; p < perGroup; p++) {
      const i = g * perGroup + p;
      const ds = blobs({
        n: opts.n ?? 150,
        seed: (opts.seed ?? 0) * 1000 + i,
        ...(opts.swap ? { perm: perms[g] } : { shift: g }),
      });
      items.push({ id: `peer-${String(i).padStart(2, '0')}`, fp: computeFingerprint(ds) });
      truth.push(g);
    }
  }
  return { items, truth };
}

function labelsOf(items: Item[], a: Map<string, number>): number[] {
  return items.map((it) => a.get(it.id)!);
}

describe('clusterFingerprints', () => {
  it('recovers shifted groups and label-permuted groups exactly', () => {
    for (const swap of [false, true]) {
      const { items, truth } = peers(3, 4, { swap });
      const r = clusterFingerprints(items);
      assert.equal(r.k, 3, `swap=${swap}`);
      assert.equal(r.separated, true);
      assert.equal(adjustedRandIndex(labelsOf(items, r.assignment), truth), 1);
    }
  });

  it('puts peers of one distribution into a single cluster', () => {
    const { items } = peers(1, 12);
    const r = clusterFingerprints(items);
    assert.equal(r.k, 1);
    assert.equal(r.separated, false);
    assert.deepEqual(new Set(r.assignment.values()), new Set([0]));
  });

  it('is deterministic: the same multiset of fingerprints in any order gives the same assignment', () => {
    const { items } = peers(3, 4, { seed: 2 });
    const ref = clusterFingerprints(items);
    const rng = createRng(7);
    for (let t = 0; t < 5; t++) {
      const shuffled = rng.shuffle([...items]);
      assert.deepEqual([...clusterFingerprints(shuffled).assignment].sort(), [...ref.assignment].sort());
    }
    // Labels are canonical: numbered by the smallest id in each cluster.
    assert.equal(ref.assignment.get('peer-00'), 0);
  });

  it('rejects duplicate ids and handles tiny inputs', () => {
    const { items } = peers(1, 2);
    assert.throws(() => clusterFingerprints([items[0]!, items[0]!]), /duplicate id/);
    assert.equal(clusterFingerprints([]).k, 0);
    assert.equal(clusterFingerprints([items[0]!]).k, 1);
    // Two peers of different tasks separate; two of the same do not.
    assert.equal(clusterFingerprints(items).k, 1);
    const far = peers(2, 1);
    assert.equal(clusterFingerprints(far.items).k, 2);
  });

  describe('hysteresis', () => {
    const { items, truth } = peers(2, 4);

    it('keeps a still-valid previous assignment and its label names', () => {
      // Previous labels are arbitrary names (7, 3) for the true groups.
      const previous = new Map(items.map((it, i) => [it.id, truth[i] === 0 ? 7 : 3]));
      const r = clusterFingerprints(items, { previous });
      assert.equal(r.keptPrevious, true);
      assert.deepEqual(
        labelsOf(items, r.assignment),
        truth.map((g) => (g === 0 ? 7 : 3)),
      );
    });

    it('places newcomers into their nearest previous cluster', () => {
      const previous = new Map(items.slice(1).map((it, i) => [it.id, truth[i + 1] === 0 ? 7 : 3]));
      const r = clusterFingerprints(items, { previous });
      assert.equal(r.assignment.get(items[0]!.id), 7);
    });

    it('abandons a previous assignment that no longer separates, renaming clusters by overlap', () => {
      // Previous put everyone in one cluster except a random pair, which does not fit the data.
      const previous = new Map(items.map((it, i) => [it.id, i === 0 || i === 5 ? 1 : 0]));
      const r = clusterFingerprints(items, { previous });
      assert.equal(r.keptPrevious, false);
      assert.equal(adjustedRandIndex(labelsOf(items, r.assignment), truth), 1);
      // Labels are taken over from the previous names by overlap: still only 0 and 1.
      assert.deepEqual(new Set(r.assignment.values()), new Set([0, 1]));
    });

    it('keeps one cluster unless the new structure is clearly better (margin)', () => {
      const previous = new Map(items.map((it) => [it.id, 0]));
      assert.equal(clusterFingerprints(items, { previous, margin: 2 }).k, 1);
      assert.equal(clusterFingerprints(items, { previous }).k, 2);
    });
  });

  describe('on real mnist partitions (16 peers)', () => {
    let mnist: Dataset;
    before(async () => {
      mnist = await loadBuiltin('mnist', { seed: 1 });
    });
    for (const [spec, k] of [
      ['rotate:4', 4],
      ['labelswap:4', 4],
      ['iid', 1],
    ] as const) {
      it(`${spec} -> ${k} cluster(s), ARI 1`, () => {
        const part = partitionDataset(mnist, spec, 16, 1);
        const items = part.peers.map((p, i) => ({
          id: `p${String(i).padStart(2, '0')}`,
          fp: computeFingerprint(p),
        }));
        const r = clusterFingerprints(items);
        assert.equal(r.k, k);
        assert.equal(adjustedRandIndex(labelsOf(items, r.assignment), part.truth), 1);
      });
    }
  });
});
