// Data in raw units for the learning measurements (the data layer ships [0, 1] mnist and unit-scale
// synthetic data): mnist as integer pixels 0-255, synthetic x1000, a wine-like tabular set.
import {
  createRng,
  deriveSeed,
  loadBuiltin,
  partitionDataset,
  subsetDataset,
  type Dataset,
} from '../src/index.js';

/** Peers' data and their true groups, as SimulationOptions.partitioned takes them. */
export interface RawPartition {
  name: string;
  peers: Dataset[];
  truth: number[];
}

function mapX(ds: Dataset, f: (v: number, j: number) => number): Dataset {
  const d = ds.inputShape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(ds.x.length);
  for (let i = 0; i < x.length; i++) x[i] = f(ds.x[i]!, i % d);
  return { ...ds, x };
}

/** mnist partitioned as `spec`, then exported as integer pixels 0-255 (what a PNG or CSV export holds). */
export async function mnistRaw(
  spec: string,
  peers: number,
  seed: number,
  maxSamples?: number,
): Promise<RawPartition> {
  let ds = await loadBuiltin('mnist', { seed });
  if (maxSamples !== undefined) ds = subsetDataset(ds, maxSamples, 7);
  const p = partitionDataset(ds, spec, peers, seed);
  return {
    name: `mnist 0-255 ${spec}`,
    peers: p.peers.map((d) => mapX(d, (v) => Math.round(v * 255))),
    truth: p.truth,
  };
}

/** mnist partitioned as `spec`, in its shipped [0, 1] units (the same split as mnistRaw). */
export async function mnistUnit(
  spec: string,
  peers: number,
  seed: number,
  maxSamples?: number,
): Promise<RawPartition> {
  let ds = await loadBuiltin('mnist', { seed });
  if (maxSamples !== undefined) ds = subsetDataset(ds, maxSamples, 7);
  const p = partitionDataset(ds, spec, peers, seed);
  return { name: `mnist [0,1] ${spec}`, peers: p.peers, truth: p.truth };
}

/** FedProx Synthetic(alpha, beta), one device per peer, every feature multiplied by `factor`. */
export function syntheticScaled(
  alpha: number,
  beta: number,
  factor: number,
  peers: number,
  seed: number,
): RawPartition {
  const empty: Dataset = {
    name: 'none',
    inputShape: [1],
    numClasses: 2,
    x: new Float32Array(0),
    y: new Int32Array(0),
  };
  const p = partitionDataset(empty, `synthetic:${alpha},${beta}`, peers, seed);
  return {
    name: `synthetic:${alpha},${beta} x${factor}`,
    peers: p.peers.map((d) => mapX(d, (v) => v * factor)),
    truth: p.truth,
  };
}

/** Feature scales of the wine-like set: 13 features, log-spaced from 0.1 to 1600. */
export const TABULAR_SCALES = Array.from({ length: 13 }, (_, j) => 0.1 * Math.pow(16000, j / 12));

/**
 * A wine-like tabular task in raw units: 13 features whose scales run from 0.1 to 1600, 3 classes
 * (each class a shifted Gaussian in units of the feature's scale). `groups` > 1 measures each group
 * with another instrument: x -> a_g x + b_g per feature (a in [0.5, 2], b ~ scale), seeded. Peer p
 * is in group p % groups and holds `perPeer` samples.
 */
export function tabularRaw(opts: {
  peers: number;
  perPeer: number;
  groups: number;
  seed: number;
}): RawPartition {
  const F = TABULAR_SCALES.length;
  const C = 3;
  const task = createRng(deriveSeed(opts.seed, 'tabular-task'));
  const base = TABULAR_SCALES.map(() => 1 + task.next());
  const centre = Array.from({ length: C }, () => TABULAR_SCALES.map(() => task.normal() * 0.6));
  const inst = Array.from({ length: opts.groups }, (_, g) =>
    TABULAR_SCALES.map((s) =>
      g === 0 ? { a: 1, b: 0 } : { a: 0.5 + 1.5 * task.next(), b: s * task.normal() * 2 },
    ),
  );
  const peers: Dataset[] = [];
  const truth: number[] = [];
  for (let p = 0; p < opts.peers; p++) {
    const g = p % opts.groups;
    const rng = createRng(deriveSeed(opts.seed, 'tabular-peer', p));
    const x = new Float32Array(opts.perPeer * F);
    const y = new Int32Array(opts.perPeer);
    for (let i = 0; i < opts.perPeer; i++) {
      const c = rng.int(C);
      y[i] = c;
      for (let j = 0; j < F; j++) {
        const raw = TABULAR_SCALES[j]! * (base[j]! + centre[c]![j]! + 0.45 * rng.normal());
        x[i * F + j] = inst[g]![j]!.a * raw + inst[g]![j]!.b;
      }
    }
    peers.push({ name: `tabular/peer-${p}`, inputShape: [F], numClasses: C, x, y });
    truth.push(g);
  }
  return { name: `tabular raw (13 features 0.1..1600) x${opts.groups} instruments`, peers, truth };
}
