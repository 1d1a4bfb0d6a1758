import assert from 'node:assert/strict';
import {
  DataError,
  type Dataset,
  loadDataset,
  parsePartitionSpec,
  partitionDataset,
  partitionZeroShot,
  readTruth,
  writePartition,
  zeroShotSplit,
} from '../src/data/index.js';
import { parseZeroShotManifest, readZeroShotManifest } from '../src/zeroshot/index.js';
import { useTempDir } from './data-helpers.js';

/** n samples per class of 4 raw-unit features; feature 0 holds the sample id + 1 so shards can be traced. */
function toy(perClass: number, numClasses: number): Dataset {
  const n = perClass * numClasses;
  const x = new Float32Array(n * 4);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    x[i * 4] = i + 1;
    x[i * 4 + 1] = 0.001 * (i % 7);
    x[i * 4 + 2] = 10_000 * (i % 3);
    x[i * 4 + 3] = i % 256;
    y[i] = i % numClasses;
  }
  return { name: 'toy', inputShape: [4], numClasses, x, y };
}

const classes = (ds: Dataset): number[] => [...new Set(ds.y)].sort((a, b) => a - b);
const ids = (ds: Dataset): number[] => Array.from({ length: ds.y.length }, (_, i) => ds.x[i * 4]!);

describe('zeroshot partitioner', () => {
  const tmp = useTempDir();
  it('parses zeroshot:<unseen>[,<groups>] and rejects bad specs', () => {
    assert.deepEqual(parsePartitionSpec('zeroshot:3'), { kind: 'zeroshot', unseen: 3 });
    assert.deepEqual(parsePartitionSpec('zeroshot:3,4'), { kind: 'zeroshot', unseen: 3, groups: 4 });
    for (const bad of [
      'zeroshot',
      'zeroshot:0',
      'zeroshot:x',
      'zeroshot:2.5',
      'zeroshot:3,0',
      'zeroshot:1,2,3',
    ])
      assert.throws(() => parsePartitionSpec(bad), DataError, bad);
  });

  it('holds out the unseen classes and gives peer groups disjoint seen classes, seeded', () => {
    const ds = toy(30, 10);
    const p = partitionDataset(ds, 'zeroshot:3', 8, 5);
    const zs = p.zeroShot!;
    assert.equal(zs.unseen.length, 3);
    assert.deepEqual(
      [...zs.unseen, ...zs.seen].sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    // 7 seen classes, 8 peers: 3 groups of >= 2 classes; peer p in group p % 3.
    assert.equal(p.groups, 3);
    assert.deepEqual(p.truth, [0, 1, 2, 0, 1, 2, 0, 1]);
    assert.deepEqual(
      zs.classGroups.flat().sort((a, b) => a - b),
      zs.seen,
    );
    assert.ok(zs.classGroups.every((g) => g.length >= 2));
    p.peers.forEach((peer, i) => {
      const own = zs.classGroups[p.truth[i]!]!;
      assert.deepEqual(zs.peerClasses[i], own);
      // A shard holds its group's classes plus its share of the unseen ones, nothing else.
      assert.deepEqual(
        classes(peer),
        [...own, ...zs.unseen].sort((a, b) => a - b),
      );
      for (let j = 0; j < p.peers.length; j++) {
        if (p.truth[j] === p.truth[i]) continue;
        const other = new Set(zs.peerClasses[j]);
        assert.ok(
          own.every((c) => !other.has(c)),
          `peers ${i} and ${j} share a seen class`,
        );
      }
    });
    // Every sample is in exactly one shard.
    const all = p.peers.flatMap(ids).sort((a, b) => a - b);
    assert.deepEqual(
      all,
      Array.from({ length: 300 }, (_, i) => i + 1),
    );
    // Same seed, same partition; another seed, another choice of unseen classes or groups.
    const again = partitionDataset(ds, 'zeroshot:3', 8, 5);
    assert.deepEqual(again.zeroShot, zs);
    assert.deepEqual(again.peers.map(ids), p.peers.map(ids));
    const other = [6, 7, 8, 9].map((s) => partitionDataset(ds, 'zeroshot:3', 8, s).zeroShot!);
    assert.ok(other.some((o) => JSON.stringify(o.unseen) !== JSON.stringify(zs.unseen)));
  });

  it('puts every unseen sample in the held-out split and keeps train seen-only', () => {
    const ds = toy(30, 10);
    const p = partitionDataset(ds, 'zeroshot:3,2', 4, 1);
    const zs = p.zeroShot!;
    assert.equal(p.groups, 2);
    p.peers.forEach((peer, i) => {
      const { train, val } = zeroShotSplit(peer, zs.unseen, { valFraction: 0.2, seed: i });
      assert.deepEqual(classes(train), zs.peerClasses[i]);
      // Held-out: the peer's seen classes and every unseen class.
      assert.deepEqual(
        classes(val),
        [...zs.peerClasses[i]!, ...zs.unseen].sort((a, b) => a - b),
      );
      const unseenIn = (d: Dataset): number => d.y.filter((c) => zs.unseen.includes(c)).length;
      assert.equal(unseenIn(val), unseenIn(peer));
      assert.equal(train.y.length + val.y.length, peer.y.length);
      assert.deepEqual(
        [...ids(train), ...ids(val)].sort((a, b) => a - b),
        ids(peer).sort((a, b) => a - b),
      );
    });
  });

  it('rejects impossible layouts with a message naming the field', () => {
    const ds = toy(5, 4);
    assert.throws(() => partitionZeroShot(ds, 4, 2, 1), /unseen must be an integer in 1\.\.3/);
    assert.throws(() => partitionZeroShot(ds, 1, 2, 1, 3), /groups must be an integer in 1\.\.2/);
    assert.throws(() => partitionZeroShot(ds, 1, 20, 1, 1), /class \d has 5 samples for 20 peers/);
    assert.throws(
      () => zeroShotSplit(ds, [7], { valFraction: 0.2, seed: 1 }),
      /unseen class 7 is not in 0\.\.3/,
    );
  });

  it('writes each peer its unseen and seen classes, which a peer reads back', async () => {
    const ds = toy(12, 6);
    const p = partitionDataset(ds, 'zeroshot:2', 3, 4);
    const names = Array.from({ length: 6 }, (_, c) => `c${c}`);
    const dir = tmp.path('zs');
    const { peerDirs } = await writePartition(dir, p);
    const truth = await readTruth(dir);
    assert.deepEqual(truth.zeroShot, p.zeroShot);
    for (let i = 0; i < 3; i++) {
      const m = await readZeroShotManifest(peerDirs[i]!, names);
      assert.deepEqual(m, { unseen: p.zeroShot!.unseen, seen: p.zeroShot!.peerClasses[i] });
      assert.equal((await loadDataset(peerDirs[i]!)).y.length, p.peers[i]!.y.length);
    }
    assert.deepEqual(await readZeroShotManifest(tmp.path('none'), names), {});
    const table = parseZeroShotManifest(
      {
        classEmbeddings: [
          [1, 0],
          [0, 1],
        ],
      },
      'f',
      ['a', 'b'],
    ).table!;
    assert.deepEqual(table.classNames, ['a', 'b']);
    assert.throws(
      () => parseZeroShotManifest({ zeroShot: { unseen: [1, 9] } }, '/d/ppfm.json', names),
      /^DataError: \/d\/ppfm\.json field 'zeroShot\.unseen': must be a list of class indices in 0\.\.5/,
    );
    assert.throws(
      () => parseZeroShotManifest({ zeroShot: { unseen: [1], seen: [1, 2] } }, 'f', names),
      /both seen and unseen/,
    );
  });
});
