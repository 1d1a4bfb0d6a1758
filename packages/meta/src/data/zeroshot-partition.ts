/**
 * The `zeroshot:<unseen>[,<groups>]` partitioner: disjoint label spaces plus classes nobody trains on.
 * `unseen` classes are held out from every peer's training data; the seen classes are dealt into
 * `groups` disjoint class groups and every peer holds the classes of exactly one group (peers of one
 * group share its classes, never its samples). A peer's shard also carries its share of the unseen
 * classes' samples, which `zeroShotSplit` always puts in the held-out split.
 */
import { createRng, deriveSeed } from '../rng.js';
import { concatDatasets, DataError, selectSamples, type Dataset } from './dataset.js';
import { splitDataset, type SplitOptions } from './split.js';

/** Who holds which classes in a zero-shot partition. */
export interface ZeroShotInfo {
  /** Classes held out from every peer's training data (sorted). */
  unseen: number[];
  /** Classes some peer trains on (sorted). */
  seen: number[];
  /** The disjoint class groups of the seen classes (each sorted); peer p holds group truth[p]. */
  classGroups: number[][];
  /** Per peer: the seen classes it holds (= its group's). */
  peerClasses: number[][];
}

/** The shards of a zero-shot partition: one dataset per peer, the peer's group, and the class layout. */
export interface ZeroShotShards {
  peers: Dataset[];
  truth: number[];
  groups: number;
  zeroShot: ZeroShotInfo;
}

/** The default number of class groups: every peer gets at least two seen classes when it can. */
export function defaultZeroShotGroups(seen: number, peers: number): number {
  return Math.max(1, Math.min(peers, Math.floor(seen / 2)));
}

/**
 * Partitions `ds` for zero-shot learning (seeded). The unseen classes are a seeded choice of `unseen` of
 * the dataset's classes; the seen ones are shuffled and dealt into `groups` groups (default
 * defaultZeroShotGroups); peer p is in group p % groups. Each seen class's samples are shared evenly among
 * the peers of its group, each unseen class's samples among all peers.
 */
export function partitionZeroShot(
  ds: Dataset,
  unseen: number,
  peers: number,
  seed: number,
  groups?: number,
): ZeroShotShards {
  const C = ds.numClasses;
  if (!Number.isInteger(unseen) || unseen < 1 || unseen >= C) {
    throw new DataError(
      `zeroshot: unseen must be an integer in 1..${C - 1} for ${C} classes, got ${unseen}`,
      {
        field: 'partition',
      },
    );
  }
  const seenCount = C - unseen;
  const g = groups ?? defaultZeroShotGroups(seenCount, peers);
  if (!Number.isInteger(g) || g < 1 || g > seenCount || g > peers) {
    throw new DataError(
      `zeroshot: groups must be an integer in 1..${Math.min(seenCount, peers)} (seen classes ${seenCount}, peers ${peers}), got ${g}`,
      { field: 'partition' },
    );
  }
  const classOrder = createRng(deriveSeed(seed, 'zeroshot', 'classes')).shuffle(
    Array.from({ length: C }, (_, c) => c),
  );
  const unseenSet = classOrder.slice(0, unseen).sort((a, b) => a - b);
  const seenShuffled = classOrder.slice(unseen);
  const classGroups: number[][] = Array.from({ length: g }, () => []);
  seenShuffled.forEach((c, i) => classGroups[i % g]!.push(c));
  classGroups.forEach((grp) => grp.sort((a, b) => a - b));
  const truth = Array.from({ length: peers }, (_, p) => p % g);
  const groupOf = new Int32Array(C).fill(-1);
  classGroups.forEach((grp, k) => grp.forEach((c) => (groupOf[c] = k)));

  const byClass: number[][] = Array.from({ length: C }, () => []);
  for (let i = 0; i < ds.y.length; i++) byClass[ds.y[i]!]!.push(i);
  const shards: number[][] = Array.from({ length: peers }, () => []);
  const rng = createRng(deriveSeed(seed, 'zeroshot', 'samples'));
  for (let c = 0; c < C; c++) {
    const owners =
      groupOf[c]! < 0 ? truth.map((_, p) => p) : truth.flatMap((grp, p) => (grp === groupOf[c] ? [p] : []));
    const idx = rng.shuffle([...byClass[c]!]);
    if (groupOf[c]! >= 0 && idx.length < owners.length) {
      throw new DataError(
        `zeroshot: class ${c} has ${idx.length} samples for ${owners.length} peers; use fewer peers`,
        { field: 'peers' },
      );
    }
    idx.forEach((i, k) => shards[owners[k % owners.length]!]!.push(i));
  }
  const width = Math.max(2, String(peers - 1).length);
  const out = shards.map((s) => {
    s.sort((a, b) => a - b);
    return selectSamples(ds, s, ds.name);
  });
  out.forEach((d, p) => (d.name = `${ds.name}/peer-${String(p).padStart(width, '0')}`));
  return {
    peers: out,
    truth,
    groups: g,
    zeroShot: {
      unseen: unseenSet,
      seen: [...seenShuffled].sort((a, b) => a - b),
      classGroups,
      peerClasses: truth.map((grp) => [...classGroups[grp]!]),
    },
  };
}

/**
 * Splits a zero-shot peer shard: every sample of an `unseen` class goes to the held-out split; the seen
 * classes are split by splitDataset (stratified, seeded). Train never holds an unseen class.
 */
export function zeroShotSplit(
  ds: Dataset,
  unseen: readonly number[],
  opts: SplitOptions,
): { train: Dataset; val: Dataset } {
  const isUnseen = new Uint8Array(ds.numClasses);
  for (const c of unseen) {
    if (!Number.isInteger(c) || c < 0 || c >= ds.numClasses)
      throw new DataError(`zeroshot: unseen class ${c} is not in 0..${ds.numClasses - 1}`, {
        field: 'unseen',
      });
    isUnseen[c] = 1;
  }
  const seenIdx: number[] = [];
  const unseenIdx: number[] = [];
  for (let i = 0; i < ds.y.length; i++) (isUnseen[ds.y[i]!] ? unseenIdx : seenIdx).push(i);
  if (seenIdx.length === 0) throw new DataError('zeroshot: the shard holds no seen-class sample', {});
  const { train, val } = splitDataset(selectSamples(ds, seenIdx), opts);
  if (unseenIdx.length === 0) return { train, val };
  return { train, val: concatDatasets([val, selectSamples(ds, unseenIdx)], ds.name) };
}
