// Block 1 of the simulated ppfm method: the clusters every peer would compute from the same view,
// fingerprints first, then loss-based refinement (refineByLoss with its separation guard) when the
// fingerprints do not separate, exactly as the networked peer decides it.
import {
  clusterFingerprints,
  evaluateModel,
  makeLossReport,
  ppfmSeeds,
  refineByLoss,
  shouldRefine,
  warmupModel,
} from '../core.js';
import type { WeightSet } from '../core.js';
import { initFor } from '../context.js';
import type { SimContext, SimPeer } from '../context.js';

/** Renumbers cluster labels 0..k-1 in order of first appearance. */
export function canonicalLabels(labels: number[]): number[] {
  const map = new Map<number, number>();
  return labels.map((l) => {
    if (!map.has(l)) map.set(l, map.size);
    return map.get(l)!;
  });
}

/** How the clusters were found. */
export type ClusterSource = 'fingerprints' | 'loss' | 'one cluster';

/**
 * Loss-based refinement of `members`: each trains a warm-up model from the cluster's initial model
 * (scaler pooled over `members`, seed ppfmSeeds.warmup), scores every member's warm-up model on
 * its own train split, and the reports are clustered by refineByLoss. Labels per member, or
 * undefined when the reports do not split them (or someone could not be placed).
 */
async function lossSplit(ctx: SimContext, members: SimPeer[]): Promise<number[] | undefined> {
  const init = initFor(ctx, members);
  const warm: WeightSet[] = [];
  for (const p of members)
    warm.push(await warmupModel(ctx.task, init, p.train, ctx.config, ppfmSeeds.warmup(p.seed)));
  const reports = [];
  for (const p of members) {
    const losses = new Map<string, number>();
    for (let j = 0; j < members.length; j++)
      losses.set(members[j]!.id, (await evaluateModel(ctx.task, warm[j]!, p.train)).loss);
    reports.push(makeLossReport(p.id, 1, 0, losses));
  }
  const r = refineByLoss(reports, { members: members.map((p) => p.id), round: 0 });
  if (!r.separated || r.unplaced.length > 0) return undefined;
  const index = new Map(r.clusters.map((c, i) => [c.id, i]));
  return members.map((p) => index.get(r.byPeer.get(p.id)!)!);
}

/** The ppfm clusters of the simulated view: labels 0..k-1 per peer and where they came from. */
export async function findClusters(ctx: SimContext): Promise<{ labels: number[]; source: ClusterSource }> {
  const items = ctx.peers.map((p) => ({ id: p.id, fp: p.fp }));
  const r = clusterFingerprints(items);
  const fpLabels = canonicalLabels(ctx.peers.map((p) => r.assignment.get(p.id) ?? 0));
  const separated = r.separated && r.k > 1 && ctx.ppfmClustering !== 'loss';
  if (separated) return { labels: fpLabels, source: 'fingerprints' };
  // Not separated: one view-wide refinement, as a peer runs it over its whole view.
  if (!shouldRefine(ctx.peers.length, false))
    return { labels: ctx.peers.map(() => 0), source: 'one cluster' };
  const split = await lossSplit(ctx, ctx.peers);
  if (split === undefined) return { labels: ctx.peers.map(() => 0), source: 'one cluster' };
  return { labels: canonicalLabels(split), source: 'loss' };
}
