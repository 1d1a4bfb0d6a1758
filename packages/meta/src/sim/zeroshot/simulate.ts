/** `simulateZeroShot`: the zero-shot settings on one partition, seed and set of splits. */
import { adjustedRandIndex } from '../../ari.js';
import { clusterFingerprints } from '../../clustering.js';
import { computeFingerprint } from '../../fingerprint.js';
import { createZsContext, tableFor, variantsOf, type ZsSimContext } from './context.js';
import { choosePenalty, runClusters, runPooled, toRow } from './settings.js';
import { ZS_SETTINGS, type ZeroShotSimOptions, type ZeroShotSimResult, type ZsSetting } from './types.js';
import { since } from '../federation.js';

/** What clustering on data statistics (label histograms and class-conditional sketches) does here. */
function fingerprintClusters(ctx: ZsSimContext): { k: number; ari: number } {
  const items = ctx.peers.map((p) => ({
    id: `peer-${String(p.index).padStart(3, '0')}`,
    fp: computeFingerprint(p.train),
  }));
  const r = clusterFingerprints(items);
  const labels = items.map((it) => r.assignment.get(it.id)!);
  return { k: r.k, ari: adjustedRandIndex(labels, ctx.truth) };
}

/** The peer groups of a setting: singletons, the label groups, or everyone. */
function clustersOf(ctx: ZsSimContext, setting: 'alone' | 'grouped' | 'federated'): number[][] {
  const all = ctx.peers.map((p) => p.index);
  if (setting === 'alone') return all.map((i) => [i]);
  if (setting === 'federated') return [all];
  const groups = new Map<number, number[]>();
  all.forEach((i) =>
    (groups.get(ctx.truth[i]!) ?? groups.set(ctx.truth[i]!, []).get(ctx.truth[i]!)!).push(i),
  );
  return [...groups.values()];
}

/**
 * Runs each setting (default: alone, federated, grouped, pooled) for each semantic variant on identical
 * splits and seeds, and scores ZSL and GZSL (raw and calibrated) on every peer's held-out split.
 */
export async function simulateZeroShot(opts: ZeroShotSimOptions): Promise<ZeroShotSimResult> {
  const ctx = await createZsContext(opts);
  const settings = new Set<ZsSetting>(opts.settings ?? ZS_SETTINGS);
  const config = { ...(opts.config ?? {}), ...(opts.model ? { method: opts.model } : {}) };
  const result: ZeroShotSimResult = {
    dataset: opts.dataset,
    partition: opts.partition,
    peers: opts.peers,
    rounds: opts.rounds,
    seed: opts.seed,
    backend: ctx.backend,
    model: config.method ?? 'generator',
    classNames: ctx.classNames,
    unseen: ctx.zeroShot.unseen,
    classGroups: ctx.zeroShot.classGroups,
    fingerprintClusters: fingerprintClusters(ctx),
    calibration: {},
    rows: [],
  };
  for (const variant of variantsOf(opts)) {
    const table = await tableFor(ctx, variant);
    const progress = (setting: ZsSetting | 'calibrate') => (round: number) =>
      opts.onProgress?.({ variant, setting, round, rounds: opts.rounds });
    let penalty = config.seenPenalty ?? 0;
    if (opts.calibrate ?? true) {
      const cal = await choosePenalty(ctx, table, config, progress('calibrate'));
      result.calibration[variant] = cal;
      penalty = cal.penalty;
    }
    for (const setting of ZS_SETTINGS) {
      if (!settings.has(setting)) continue;
      const start = performance.now();
      const peers =
        setting === 'pooled'
          ? await runPooled(ctx, table, config, penalty, progress(setting))
          : await runClusters(ctx, table, config, clustersOf(ctx, setting), penalty, progress(setting));
      const row = toRow(setting, variant, peers, since(start));
      result.rows.push(row);
      opts.onRow?.(row);
    }
  }
  return result;
}
