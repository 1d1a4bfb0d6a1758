/** Text and JSON renderings of a zero-shot simulation. */
import type { ZeroShotSimResult } from './types.js';

const pct = (v: number): string => (Number.isFinite(v) ? (100 * v).toFixed(1) : '-');

/** A fixed-width table: one row per (variant, setting) with ZSL, and GZSL raw and calibrated. */
export function formatZeroShotTable(r: ZeroShotSimResult): string {
  const names = (cs: number[]): string => cs.map((c) => r.classNames[c] ?? String(c)).join(', ');
  const header = ['variant', 'setting', 'ZSL', 'seen', 'unseen', 'H', 'seen*', 'unseen*', 'H*', 'seconds'];
  const rows = r.rows.map((x) => [
    x.variant,
    x.setting,
    pct(x.raw.zsl),
    pct(x.raw.seen),
    pct(x.raw.unseen),
    pct(x.raw.h),
    pct(x.calibrated.seen),
    pct(x.calibrated.unseen),
    pct(x.calibrated.h),
    x.seconds.toFixed(0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const cal = Object.entries(r.calibration)
    .map(([v, c]) => `${v}: ${c.penalty} (validation classes ${names(c.validationClasses)})`)
    .join('; ');
  return [
    `${r.dataset} ${r.partition}, ${r.peers} peers, ${r.rounds} rounds, seed ${r.seed}, model ${r.model}, backend ${r.backend}`,
    `unseen: ${names(r.unseen)}; class groups: ${r.classGroups.map((g) => `[${names(g)}]`).join(' ')}`,
    `fingerprint clustering on this partition: ${r.fingerprintClusters.k} clusters (ARI vs label groups ${r.fingerprintClusters.ari.toFixed(2)})`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    `accuracies in %, per-class means averaged over peers; ZSL: unseen samples among unseen classes; ` +
      `GZSL among all classes; * = calibrated stacking, seen penalty ${cal || 'none'}`,
  ].join('\n');
}

/** The `--json` shape. */
export function zeroShotJson(r: ZeroShotSimResult): object {
  return { ...r };
}
