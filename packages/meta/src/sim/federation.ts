// The in-memory exchange: members run memberUpdate and hand their updates to their head, which
// runs headStep, exactly as networked peers do over streams. Shared by every method.
import { evaluateModel, headStep, memberUpdate, personaliseModel, ppfmSeeds, scale } from './core.js';
import type { HeadUpdate, PersonaliseResult, PpfmConfig, WeightSet } from './core.js';
import type { SimContext, SimPeer } from './context.js';
import type { MethodName, MethodResult, RuleEvents } from './types.js';

/** Fresh guard counters. */
export function noEvents(): RuleEvents {
  return { diverged: 0, discarded: 0, rejected: 0 };
}

/**
 * One member's round: memberUpdate from `theta` with the seed ppfmSeeds.round(peer seed, round).
 * Undefined when it diverged (nothing is sent). A hostile member's update is transformed here, on
 * its way to the head.
 */
export async function memberRound(
  ctx: SimContext,
  peer: SimPeer,
  theta: WeightSet,
  round: number,
  events: RuleEvents,
): Promise<HeadUpdate | undefined> {
  const r = await memberUpdate(ctx.task, theta, peer.train, ctx.config, ppfmSeeds.round(peer.seed, round));
  if (r.kind === 'diverged') {
    events.diverged++;
    return undefined;
  }
  let delta = r.delta;
  const b = ctx.byzantine;
  if (peer.byzantine && b !== undefined) {
    const factor = b.attack === 'scale' ? (b.factor ?? -50) : -(b.factor ?? 1);
    delta = scale(delta, factor);
  }
  return { from: peer.id, delta, samples: r.samples };
}

/**
 * One round of clustered training without a global level (local-only clusters): every member of
 * cluster c trains from models[c] and the cluster's head steps with `cfg` (others = []). Clusters
 * with no update keep their model.
 */
export async function clusterRound(
  ctx: SimContext,
  models: WeightSet[],
  assignment: number[],
  round: number,
  cfg: PpfmConfig,
  events: RuleEvents,
): Promise<WeightSet[]> {
  const updates: HeadUpdate[][] = models.map(() => []);
  for (const peer of ctx.peers) {
    const c = assignment[peer.index]!;
    const u = await memberRound(ctx, peer, models[c]!, round, events);
    if (u !== undefined) updates[c]!.push(u);
  }
  return models.map((theta, c) => {
    if (updates[c]!.length === 0) return theta;
    const r = headStep({
      theta,
      updates: updates[c]!,
      others: [],
      global: undefined,
      sharedPart: 'body',
      cfg,
    });
    events.discarded += r.discarded.length;
    return r.theta;
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
    const r = await evaluateModel(ctx.task, modelOf(peer), peer.val);
    acc.push(r.acc);
    balancedAcc.push(r.balancedAcc);
  }
  return { acc, balancedAcc };
}

/** Personalises each peer's model after the last round (personaliseModel, seed ppfmSeeds.adapt). */
export async function personalisePeers(
  ctx: SimContext,
  modelOf: (peer: SimPeer) => WeightSet,
): Promise<{ results: PersonaliseResult[]; scores: PeerScores }> {
  const results: PersonaliseResult[] = [];
  for (const peer of ctx.peers) {
    const seed = ppfmSeeds.adapt(peer.seed, ctx.rounds);
    results.push(await personaliseModel(ctx.task, modelOf(peer), peer.train, peer.val, ctx.config, seed));
  }
  return {
    results,
    scores: { acc: results.map((r) => r.after.acc), balancedAcc: results.map((r) => r.after.balancedAcc) },
  };
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

function std(xs: number[]): number {
  const m = mean(xs);
  return Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
}

/** Builds a method's result from its final per-peer scores (statistics over honest peers). */
export function summarise(
  ctx: SimContext,
  scores: PeerScores,
  seconds: number,
  extra: { ari?: number; clusters?: number[]; events?: RuleEvents; epsilon?: number } = {},
): MethodResult {
  const honest = ctx.peers.filter((p) => !p.byzantine).map((p) => p.index);
  const acc = honest.map((i) => scores.acc[i]!);
  return {
    meanAcc: mean(acc),
    minAcc: Math.min(...acc),
    stdAcc: std(acc),
    balancedAcc: mean(honest.map((i) => scores.balancedAcc[i]!)),
    // Against a truth with a single group (iid, dirichlet, synthetic) the index says nothing.
    ...(extra.ari !== undefined && ctx.groups > 1 ? { ari: extra.ari } : {}),
    rounds: ctx.rounds,
    seconds,
    ...(extra.clusters ? { clusters: extra.clusters } : {}),
    peerAcc: scores.acc,
    ...(extra.events ? { events: extra.events } : {}),
    ...(extra.epsilon !== undefined ? { epsilon: extra.epsilon } : {}),
  };
}

/** Seconds elapsed since `start` (a performance.now() reading). */
export function since(start: number): number {
  return (performance.now() - start) / 1000;
}
