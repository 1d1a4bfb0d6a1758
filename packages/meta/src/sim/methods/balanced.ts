import { selectSamples } from '../../data/index.js';
import { createRng, evaluateModel } from '../core.js';
import type { Dataset, WeightSet } from '../core.js';
import { mixSeed } from '../context.js';
import type { SimContext, SimPeer } from '../context.js';
import type { FairnessStats } from '../types.js';

/**
 * A class-balanced test set per peer: the held-out splits of every peer of its true group (data no
 * peer trains on, in the peer's own task units), cut to the same count per class (the rarest class's).
 * Under label skew a peer's own split lacks the classes it lacks; this set has every class of its task.
 */
export function balancedTestSets(ctx: SimContext): Dataset[] {
  return balancedSetsOf(
    ctx.peers.map((p) => p.val),
    ctx.truth,
    ctx.task.numClasses,
    ctx.seed,
  );
}

/**
 * balancedTestSets on plain data (the testnet's, which has no SimContext): `vals[i]` is peer i's
 * held-out split, `truth[i]` its true group; the seeded cut is the simulator's for the same seed.
 */
export function balancedSetsOf(
  vals: Dataset[],
  truth: number[],
  numClasses: number,
  seed: number,
): Dataset[] {
  const byGroup = new Map<number, Dataset>();
  for (const g of new Set(truth)) {
    const pool = vals.filter((_, i) => truth[i] === g);
    const first = pool[0]!;
    const byClass: number[][] = Array.from({ length: numClasses }, () => []);
    const x: Float32Array[] = [];
    const d = first.x.length / Math.max(1, first.y.length);
    let offset = 0;
    for (const v of pool) {
      for (let i = 0; i < v.y.length; i++) byClass[v.y[i]!]!.push(offset + i);
      x.push(v.x);
      offset += v.y.length;
    }
    const all: Dataset = {
      ...first,
      x: concat(x, offset * d),
      y: Int32Array.from(pool.flatMap((v) => [...v.y])),
    };
    const present = byClass.filter((idx) => idx.length > 0);
    const m = Math.min(...present.map((idx) => idx.length));
    const rng = createRng(mixSeed(seed, 606, g));
    const picked = present.flatMap((idx) => rng.shuffle([...idx]).slice(0, m)).sort((a, b) => a - b);
    byGroup.set(g, selectSamples(all, picked, `${first.name}/balanced-group-${g}`));
  }
  return vals.map((_, i) => byGroup.get(truth[i]!)!);
}

function concat(parts: Float32Array[], n: number): Float32Array {
  const out = new Float32Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Mean, worst and (population) standard deviation of per-peer accuracies. */
export function fairnessStats(acc: number[]): FairnessStats {
  const n = acc.length;
  const mean = n === 0 ? 0 : acc.reduce((a, b) => a + b, 0) / n;
  const variance = n === 0 ? 0 : acc.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  return { mean, min: n === 0 ? 0 : Math.min(...acc), std: Math.sqrt(variance) };
}

/** Each peer's final model scored on its balanced test set. */
export async function evaluateBalanced(
  ctx: SimContext,
  sets: Dataset[],
  modelOf: (peer: SimPeer) => WeightSet,
): Promise<number[]> {
  const acc: number[] = [];
  for (const peer of ctx.peers) {
    const r = await evaluateModel(ctx.task, modelOf(peer), sets[peer.index]!);
    acc.push(r.acc);
  }
  return acc;
}
