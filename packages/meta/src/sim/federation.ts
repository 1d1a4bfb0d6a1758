import { aggregate, evaluate, personalise, reptileStep, subtract, trainLocal } from './core.js';
import type { Aggregator, WeightSet } from './core.js';
import { mixSeed } from './context.js';
import type { SimContext, SimPeer } from './context.js';
import { hyperFrom } from './hyper.js';
import type { MethodName, MethodResult } from './types.js';

/** One peer's inner loop: local SGD from `weights` on its training split. */
export function trainPeer(
  ctx: SimContext,
  weights: WeightSet,
  peer: SimPeer,
  round: number,
): Promise<WeightSet> {
  const h = hyperFrom(ctx.config);
  // The seed depends only on (run seed, round, peer): every method sees the same batch order.
  return trainLocal(ctx.spec, ctx.inputShape, ctx.numClasses, weights, peer.train, {
    ...(h.innerSteps !== undefined ? { steps: h.innerSteps } : { epochs: h.innerEpochs }),
    batchSize: h.batchSize,
    lr: h.lr,
    momentum: h.momentum,
    seed: mixSeed(ctx.seed, 101, round, peer.index),
  });
}

/**
 * One round of clustered federated training: every member of cluster c trains from models[c],
 * and each cluster model takes a Reptile step toward its members' sample-weighted mean update
 * (eps = 1 is FedAvg). Clusters with no member keep their model.
 */
export async function clusterRound(
  ctx: SimContext,
  models: WeightSet[],
  assignment: number[],
  round: number,
  eps: number,
  aggregator: Aggregator = 'mean',
  trim?: number,
): Promise<WeightSet[]> {
  const deltas: { delta: WeightSet; weight: number }[][] = models.map(() => []);
  for (const peer of ctx.peers) {
    const c = assignment[peer.index] as number;
    const theta = models[c] as WeightSet;
    const phi = await trainPeer(ctx, theta, peer, round);
    (deltas[c] as { delta: WeightSet; weight: number }[]).push({
      delta: subtract(phi, theta),
      weight: peer.samples,
    });
  }
  return models.map((theta, c) => {
    const ds = deltas[c] as { delta: WeightSet; weight: number }[];
    return ds.length === 0 ? theta : reptileStep(theta, aggregate(ds, aggregator, trim), eps);
  });
}

/** Per-peer scores on the held-out splits. */
export interface PeerScores {
  acc: number[];
  balancedAcc: number[];
}

/** Evaluates each peer's model on that peer's own held-out split. */
export async function evaluatePeers(
  ctx: SimContext,
  modelOf: (peer: SimPeer) => WeightSet,
): Promise<PeerScores> {
  const acc: number[] = [];
  const balancedAcc: number[] = [];
  for (const peer of ctx.peers) {
    const r = await evaluate(ctx.spec, ctx.inputShape, ctx.numClasses, modelOf(peer), peer.val);
    acc.push(r.acc);
    balancedAcc.push(r.balancedAcc);
  }
  return { acc, balancedAcc };
}

/** Personalises each peer's starting model (a few adaptation steps on its training split). */
export async function personalisePeers(
  ctx: SimContext,
  modelOf: (peer: SimPeer) => WeightSet,
): Promise<WeightSet[]> {
  const h = hyperFrom(ctx.config);
  const out: WeightSet[] = [];
  for (const peer of ctx.peers) {
    if (h.adaptSteps <= 0) {
      out.push(modelOf(peer));
      continue;
    }
    const r = await personalise(
      ctx.spec,
      ctx.inputShape,
      ctx.numClasses,
      modelOf(peer),
      peer.train,
      peer.val,
      {
        steps: h.adaptSteps,
        batchSize: h.batchSize,
        lr: h.adaptLr,
        momentum: h.momentum,
        seed: mixSeed(ctx.seed, 202, peer.index),
      },
    );
    out.push(r.weights);
  }
  return out;
}

/** Reports a round's progress, evaluating the peers first when per-round accuracy was asked for. */
export async function reportRound(
  ctx: SimContext,
  method: MethodName,
  round: number,
  modelOf: (peer: SimPeer) => WeightSet,
  clusters?: number[],
): Promise<void> {
  const meanAcc = ctx.evalEachRound ? mean((await evaluatePeers(ctx, modelOf)).acc) : undefined;
  ctx.progress({ method, round, rounds: ctx.rounds, meanAcc, clusters });
}

/** Arithmetic mean (0 for an empty list). */
export function mean(xs: number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Builds a method's result from its final per-peer scores. */
export function summarise(
  ctx: SimContext,
  scores: PeerScores,
  seconds: number,
  extra: { ari?: number; clusters?: number[] } = {},
): MethodResult {
  return {
    meanAcc: mean(scores.acc),
    minAcc: Math.min(...scores.acc),
    balancedAcc: mean(scores.balancedAcc),
    // Against a truth with a single group (iid, dirichlet, synthetic) the index says nothing.
    ...(extra.ari !== undefined && ctx.groups > 1 ? { ari: extra.ari } : {}),
    rounds: ctx.rounds,
    seconds,
    ...(extra.clusters ? { clusters: extra.clusters } : {}),
    peerAcc: scores.acc,
  };
}

/** Seconds elapsed since `start` (a performance.now() reading). */
export function since(start: number): number {
  return (performance.now() - start) / 1000;
}
