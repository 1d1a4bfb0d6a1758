/** Seeded partitioners: split one dataset into disjoint per-peer shards with a known group structure. */
import { createRng, deriveSeed, type Rng } from '../rng.js';
import { DataError, selectSamples, type Dataset } from './dataset.js';
import { applyShift, shiftParameters, type FeatureShift } from './shift.js';
import { classShards } from './classes-partition.js';
import { generateSynthetic } from './synthetic.js';
import { labelPermutations, permuteLabels, rotateImages } from './transform.js';
import { partitionZeroShot, type ZeroShotInfo } from './zeroshot-partition.js';

/** A parsed partition spec. */
export type PartitionSpec =
  | { kind: 'iid' }
  | { kind: 'dirichlet'; alpha: number }
  | { kind: 'rotate'; k: number }
  | { kind: 'labelswap'; k: number }
  | { kind: 'synthetic'; alpha: number; beta: number }
  | { kind: 'shift'; k: number }
  | { kind: 'classes'; n: number }
  | { kind: 'zeroshot'; unseen: number; groups?: number };

/** The result of partitionDataset. */
export interface Partition {
  /** One dataset per peer, in peer order. */
  peers: Dataset[];
  /** Peer index -> true group (0-based). */
  truth: number[];
  /** The spec string as given, and the seed. */
  spec: string;
  seed: number;
  /** Number of true groups (1 when the spec has no discrete groups). */
  groups: number;
  /** labelswap only: groups' label permutations (new label = perm[old]). */
  permutations?: number[][];
  /** rotate only: groups' rotation angles in degrees (counter-clockwise). */
  angles?: number[];
  /** shift only: groups' per-feature affine maps x -> scale * x + offset (group 0: identity). */
  shifts?: FeatureShift[];
  /** zeroshot only: unseen classes and who holds which seen classes. */
  zeroShot?: ZeroShotInfo;
}

/** Parses `iid`, `dirichlet:<alpha>`, `rotate:<k>`, `labelswap:<k>`, `shift:<k>`, `synthetic:<alpha>,<beta>`, `classes:<n>` or `zeroshot:<unseen>[,<groups>]`. */
export function parsePartitionSpec(spec: string): PartitionSpec {
  const m = /^\s*([a-z]+)\s*(?::\s*(.*?)\s*)?$/i.exec(spec);
  const kind = m?.[1]?.toLowerCase();
  const arg = m?.[2];
  const num = (s: string | undefined, what: string, integer: boolean, min: number): number => {
    const v = s === undefined || s.trim() === '' ? NaN : Number(s);
    if (
      !Number.isFinite(v) ||
      v < min ||
      (integer && !Number.isInteger(v)) ||
      (!integer && v <= 0 && min === 0)
    ) {
      throw new DataError(
        `bad partition spec '${spec}': ${what} must be ${integer ? `an integer >= ${min}` : 'a positive number'}`,
        {
          field: 'partition',
        },
      );
    }
    return v;
  };
  switch (kind) {
    case 'iid':
      if (arg !== undefined) break;
      return { kind: 'iid' };
    case 'dirichlet':
      return { kind: 'dirichlet', alpha: num(arg, 'alpha', false, 0) };
    case 'rotate':
      return { kind: 'rotate', k: num(arg, 'k', true, 1) };
    case 'labelswap':
      return { kind: 'labelswap', k: num(arg, 'k', true, 1) };
    case 'shift':
      return { kind: 'shift', k: num(arg, 'k', true, 1) };
    case 'classes':
      return { kind: 'classes', n: num(arg, 'n', true, 1) };
    case 'zeroshot': {
      const [u, g, ...rest] = (arg ?? '').split(',');
      if (rest.length > 0) break;
      return {
        kind: 'zeroshot',
        unseen: num(u, 'unseen', true, 1),
        ...(g !== undefined ? { groups: num(g, 'groups', true, 1) } : {}),
      };
    }
    case 'synthetic': {
      const parts = (arg ?? '').split(',');
      if (parts.length !== 2) break;
      const a = Number(parts[0]);
      const b = Number(parts[1]);
      if (!(a >= 0) || !(b >= 0) || parts.some((p) => p.trim() === '')) break;
      return { kind: 'synthetic', alpha: a, beta: b };
    }
  }
  throw new DataError(
    `bad partition spec '${spec}': expected iid, dirichlet:<alpha>, rotate:<k>, labelswap:<k>, shift:<k>, synthetic:<alpha>,<beta>, classes:<n> or zeroshot:<unseen>[,<groups>]`,
    { field: 'partition' },
  );
}

/** Zero-padded peer folder name: peer-00, peer-01, ... (3 digits from 100 peers on). */
export function peerName(index: number, peers: number): string {
  const width = Math.max(2, String(peers - 1).length);
  return `peer-${String(index).padStart(width, '0')}`;
}

/**
 * Partitions `ds` into `peers` disjoint shards, seeded. Shards are iid (shuffled, sizes differ by at most
 * one) except for dirichlet. Groups are assigned round-robin: peer p is in group p % k.
 * - `iid`: truth all 0.
 * - `dirichlet:<alpha>`: label skew; each class is shared among peers by proportions ~ Dir(alpha); every
 *   peer gets at least min(10, N/(4*peers)) samples. No discrete groups: truth all 0.
 * - `rotate:<k>`: group g rotates its images by g*360/k degrees (counter-clockwise, bilinear). Needs an
 *   image inputShape [H, W] or [H, W, C].
 * - `labelswap:<k>`: group g relabels with its own seeded permutation (group 0: identity).
 * - `shift:<k>`: group g measures with its own instrument, x -> a_g * x + b_g per feature (a_g log-uniform
 *   in [0.5, 2], b_g uniform within one standard deviation of the feature; group 0 untouched); see shift.ts.
 * - `classes:<n>`: label skew; every peer holds exactly n classes, each class held by about peers*n/C
 *   peers (see classes-partition.ts). No discrete groups: truth all 0.
 * - `synthetic:<alpha>,<beta>`: ignores `ds` and generates one FedProx Synthetic device per peer (60
 *   features, 10 classes, log-normal sizes in [100, 2000]). Every device has its own model, so there
 *   are no discrete groups: truth all 0.
 * - `zeroshot:<unseen>[,<groups>]`: disjoint label spaces (see zeroshot-partition.ts); truth = class group.
 */
export function partitionDataset(ds: Dataset, spec: string, peers: number, seed: number): Partition {
  if (!Number.isInteger(peers) || peers <= 0)
    throw new RangeError(`peers must be a positive integer, got ${peers}`);
  const parsed = parsePartitionSpec(spec);
  const names = Array.from({ length: peers }, (_, p) => peerName(p, peers));
  const base: Pick<Partition, 'spec' | 'seed'> = { spec, seed };
  if (parsed.kind === 'synthetic') {
    const devices = generateSynthetic({ alpha: parsed.alpha, beta: parsed.beta, devices: peers, seed });
    devices.forEach((d, p) => (d.name = `synthetic(${parsed.alpha},${parsed.beta})/${names[p]}`));
    return { ...base, peers: devices, truth: new Array<number>(peers).fill(0), groups: 1 };
  }
  if (parsed.kind === 'zeroshot') {
    return { ...base, ...partitionZeroShot(ds, parsed.unseen, peers, seed, parsed.groups) };
  }
  const n = ds.y.length;
  if (n < peers) {
    throw new DataError(`cannot split ${n} samples among ${peers} peers (need at least one each)`, {
      field: 'peers',
    });
  }
  const rng = createRng(deriveSeed(seed, 'partition', spec));
  const shards =
    parsed.kind === 'dirichlet'
      ? dirichletShards(ds, peers, parsed.alpha, rng)
      : parsed.kind === 'classes'
        ? classShards(ds, peers, parsed.n, rng)
        : iidShards(n, peers, rng);
  const plain = shards.map((idx, p) => selectSamples(ds, idx, `${ds.name}/${names[p]}`));
  switch (parsed.kind) {
    case 'iid':
    case 'dirichlet':
    case 'classes':
      return { ...base, peers: plain, truth: new Array<number>(peers).fill(0), groups: 1 };
    case 'rotate': {
      const k = parsed.k;
      const angles = Array.from({ length: k }, (_, g) => (g * 360) / k);
      const truth = plain.map((_, p) => p % k);
      const out = plain.map((d, p) => {
        const angle = angles[truth[p] as number] as number;
        return angle === 0 ? d : { ...rotateImages(d, angle), name: d.name };
      });
      return { ...base, peers: out, truth, groups: k, angles };
    }
    case 'labelswap': {
      const k = parsed.k;
      const perms = labelPermutations(ds.numClasses, k, createRng(deriveSeed(seed, 'labelswap', k)));
      const truth = plain.map((_, p) => p % k);
      const out = plain.map((d, p) =>
        truth[p] === 0 ? d : permuteLabels(d, perms[truth[p] as number] as number[]),
      );
      return { ...base, peers: out, truth, groups: k, permutations: perms };
    }
    case 'shift': {
      const k = parsed.k;
      const shifts = shiftParameters(ds, k, seed);
      const truth = plain.map((_, p) => p % k);
      const out = plain.map((d, p) =>
        truth[p] === 0 ? d : applyShift(d, shifts[truth[p] as number] as FeatureShift),
      );
      return { ...base, peers: out, truth, groups: k, shifts };
    }
  }
}

function iidShards(n: number, peers: number, rng: Rng): number[][] {
  const idx = rng.shuffle(Array.from({ length: n }, (_, i) => i));
  const out: number[][] = [];
  let start = 0;
  for (let p = 0; p < peers; p++) {
    const size = Math.floor(n / peers) + (p < n % peers ? 1 : 0);
    out.push(idx.slice(start, start + size));
    start += size;
  }
  return out;
}

function dirichletShards(ds: Dataset, peers: number, alpha: number, rng: Rng): number[][] {
  const n = ds.y.length;
  const minSize = Math.max(1, Math.min(10, Math.floor(n / (4 * peers))));
  const byClass: number[][] = Array.from({ length: ds.numClasses }, () => []);
  for (let i = 0; i < n; i++) (byClass[ds.y[i] as number] as number[]).push(i);
  let shards: number[][] = [];
  for (let attempt = 0; attempt < 100; attempt++) {
    shards = Array.from({ length: peers }, () => []);
    for (const members of byClass) {
      const idx = rng.shuffle([...members]);
      const g = Array.from({ length: peers }, () => rng.gamma(alpha));
      const total = g.reduce((a, b) => a + b, 0);
      // Cumulative rounding keeps the counts summing to the class size exactly.
      let acc = 0;
      let start = 0;
      for (let p = 0; p < peers; p++) {
        acc += total > 0 ? (g[p] as number) / total : 1 / peers;
        const end = p === peers - 1 ? idx.length : Math.round(acc * idx.length);
        for (let i = start; i < end; i++) (shards[p] as number[]).push(idx[i] as number);
        start = Math.max(start, end);
      }
    }
    if (shards.every((s) => s.length >= minSize)) break;
  }
  // Very small alpha may keep leaving a peer short: top it up from the largest shard.
  for (const s of shards) {
    while (s.length < minSize) {
      const donor = shards.reduce((a, b) => (b.length > a.length ? b : a));
      s.push(donor.pop() as number);
    }
  }
  return shards.map((s) => rng.shuffle(s));
}
