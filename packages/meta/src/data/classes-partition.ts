/** The `classes:<n>` partitioner: every peer holds exactly n classes, the classes spread evenly over peers. */
import type { Rng } from '../rng.js';
import { DataError, type Dataset } from './dataset.js';

/**
 * The classes of each peer: a seeded permutation of the classes read cyclically, n per peer, so that peer
 * p holds perm[(p*n + j) mod C] for j < n (n distinct classes) and every class is held by
 * floor(peers*n/C) or ceil(peers*n/C) peers.
 */
export function classAssignment(numClasses: number, peers: number, n: number, rng: Rng): number[][] {
  if (!Number.isInteger(n) || n < 1 || n > numClasses) {
    throw new DataError(
      `bad partition spec 'classes:${n}': n must be an integer in 1..${numClasses} (the classes)`,
      {
        field: 'partition',
      },
    );
  }
  const perm = rng.shuffle(Array.from({ length: numClasses }, (_, c) => c));
  return Array.from({ length: peers }, (_, p) =>
    Array.from({ length: n }, (_, j) => perm[(p * n + j) % numClasses]!).sort((a, b) => a - b),
  );
}

/**
 * Sample indices per peer: each class's samples, shuffled, are split evenly (sizes differ by at most one)
 * among the peers that hold the class. Classes no peer holds (peers*n < C) are left out.
 */
export function classShards(ds: Dataset, peers: number, n: number, rng: Rng): number[][] {
  const held = classAssignment(ds.numClasses, peers, n, rng);
  const byClass: number[][] = Array.from({ length: ds.numClasses }, () => []);
  for (let i = 0; i < ds.y.length; i++) byClass[ds.y[i]!]!.push(i);
  const holders: number[][] = Array.from({ length: ds.numClasses }, () => []);
  held.forEach((classes, p) => classes.forEach((c) => holders[c]!.push(p)));
  const shards: number[][] = Array.from({ length: peers }, () => []);
  byClass.forEach((members, c) => {
    const hs = holders[c]!;
    if (hs.length === 0) return;
    const idx = rng.shuffle([...members]);
    hs.forEach((p, h) => {
      const from = Math.floor((h * idx.length) / hs.length);
      const to = Math.floor(((h + 1) * idx.length) / hs.length);
      shards[p]!.push(...idx.slice(from, to));
    });
  });
  shards.forEach((s, p) => {
    if (s.length === 0) {
      throw new DataError(
        `partition 'classes:${n}': peer ${p} got no samples (its classes ${held[p]!.join(', ')} are too small to share among their holders)`,
        { field: 'peers' },
      );
    }
  });
  return shards.map((s) => rng.shuffle(s));
}
