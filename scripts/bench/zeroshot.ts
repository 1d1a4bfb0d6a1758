/**
 * The zero-shot table on the network (issue 15): for each (model, vectors) row, real `ppfm start`
 * peers run each peer alone (`--alone`), federated (the testnet as is: one cluster by design) and
 * pooled (one peer holding every seen sample, with the federation's steps); per run, the mean over
 * peers of their final `evaluation` event's ZSL and GZSL figures, and the run's wall time.
 */
import { loadavg } from 'node:os';
import type { PeerEvent } from '../src/testnet/events.js';
import { benchRun, out, type BenchOptions } from './common.js';

export type ZsModel = 'generator' | 'compat';
export type ZsVariant = 'name' | 'name+wordnet';
/** `federated-mean`: federated with `--aggregator mean`, the simulator's rule (the peers' auto is a median from 5 updates). */
export type ZsSetting = 'alone' | 'federated' | 'pooled' | 'federated-mean';

/** One row of the table: a model and its class vectors. */
export interface ZsRowSpec {
  model: ZsModel;
  variant: ZsVariant;
}

/** The priority order: the rows most worth having first when time runs out. */
export const ZS_ROWS: readonly ZsRowSpec[] = [
  { model: 'compat', variant: 'name+wordnet' },
  { model: 'generator', variant: 'name' },
  { model: 'compat', variant: 'name' },
  { model: 'generator', variant: 'name+wordnet' },
];
export const ZS_SETTINGS: readonly ZsSetting[] = ['alone', 'federated', 'pooled'];
const ALL_SETTINGS: readonly ZsSetting[] = [...ZS_SETTINGS, 'federated-mean'];

/** Parses `compat:name+wordnet,generator:name` (default: every row in priority order). */
export function parseZsRows(spec: string | undefined): ZsRowSpec[] {
  if (spec === undefined) return [...ZS_ROWS];
  return spec.split(',').map((item) => {
    const [model, variant] = item.trim().split(':');
    if ((model !== 'generator' && model !== 'compat') || (variant !== 'name' && variant !== 'name+wordnet'))
      throw new Error(`--zs-rows: expected generator|compat:name|name+wordnet, got '${item}'`);
    return { model, variant };
  });
}

/** Parses `alone,federated,pooled[,federated-mean]` (default: the first three). */
export function parseZsSettings(spec: string | undefined): ZsSetting[] {
  if (spec === undefined) return [...ZS_SETTINGS];
  return spec.split(',').map((s) => {
    const t = s.trim();
    if (!(ALL_SETTINGS as readonly string[]).includes(t))
      throw new Error(`--zs-settings: expected ${ALL_SETTINGS.join('|')}, got '${s}'`);
    return t as ZsSetting;
  });
}

/** Means over peers of their last evaluation's zero-shot figures (null where no peer reported one). */
export interface ZsMeans {
  peers: number;
  zsl: number | null;
  gzslSeen: number | null;
  gzslUnseen: number | null;
  gzslH: number | null;
}

/** Keeps every peer's latest `evaluation` event that carries zero-shot figures. */
export class ZsFold {
  private last = new Map<string, { time: number; round: number; zs: NonNullable<ZsEvalEvent['zs']> }>();

  apply(e: PeerEvent): void {
    if (e.event !== 'evaluation' || e.zs === undefined) return;
    const prev = this.last.get(e.peer);
    if (prev === undefined || e.round > prev.round || (e.round === prev.round && e.time >= prev.time))
      this.last.set(e.peer, { time: e.time, round: e.round, zs: e.zs });
  }

  /** Means over the peers that reported. */
  means(): ZsMeans {
    const all = [...this.last.values()].map((v) => v.zs);
    const m = (k: 'zsl' | 'gzslSeen' | 'gzslUnseen' | 'gzslH'): number | null => {
      const xs = all.map((z) => z[k]).filter((x): x is number => x !== undefined);
      return xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    return {
      peers: all.length,
      zsl: m('zsl'),
      gzslSeen: m('gzslSeen'),
      gzslUnseen: m('gzslUnseen'),
      gzslH: m('gzslH'),
    };
  }
}
type ZsEvalEvent = Extract<PeerEvent, { event: 'evaluation' }>;

/** One measured run of the table. */
export interface ZsRunResult extends ZsRowSpec, ZsMeans {
  setting: ZsSetting;
  ok: boolean;
  failures: string[];
  clusters: number;
  finished: number;
  wallSeconds: number;
  load: { start: number; end: number };
  command: string;
}

const pct = (v: number | null): string => (v === null ? '-' : (v * 100).toFixed(1));

/** The markdown table of the measured runs (percentages, per-peer means). */
export function formatZsTable(rows: readonly ZsRunResult[]): string[] {
  const lines = [
    '| model     | vectors      | setting   | ZSL  | GZSL seen | GZSL unseen | GZSL H | peers | clusters | ok  | wall s | load start/end |',
    '| --------- | ------------ | --------- | ---: | --------: | ----------: | -----: | ----: | -------: | --- | -----: | -------------- |',
  ];
  for (const r of rows)
    lines.push(
      `| ${r.model.padEnd(9)} | ${r.variant.padEnd(12)} | ${r.setting.padEnd(9)} | ${pct(r.zsl)} | ${pct(r.gzslSeen)} | ` +
        `${pct(r.gzslUnseen)} | ${pct(r.gzslH)} | ${r.finished}/${r.peers} | ${r.clusters} | ${r.ok ? 'yes' : 'no'} | ` +
        `${r.wallSeconds.toFixed(0)} | ${r.load.start.toFixed(1)}/${r.load.end.toFixed(1)} |`,
    );
  return lines;
}

/** The testnet flags of one run (also printed, so a row can be re-made by hand). */
export function zsRunFlags(
  b: BenchOptions,
  row: ZsRowSpec,
  setting: ZsSetting,
  steps: number,
): { peers: number; alone: boolean; aggregator?: 'mean'; peerArgs: string[] } {
  // Pooled: one learner with the federation's compute, as `ppfm simulate`'s pooled setting.
  const peers = setting === 'pooled' ? 1 : b.peers;
  const zsSteps = setting === 'pooled' ? steps * b.peers : steps;
  return {
    peers,
    alone: setting === 'alone',
    ...(setting === 'federated-mean' ? { aggregator: 'mean' as const } : {}),
    peerArgs: ['--zs-model', row.model, '--semantic', row.variant, '--zs-steps', String(zsSteps)],
  };
}

/** Runs the table's runs one after another and prints each row as it is measured, then the table. */
export async function benchZeroShot(
  b: BenchOptions,
  rows: readonly ZsRowSpec[],
  settings: readonly ZsSetting[],
  steps: number,
): Promise<Record<string, unknown>> {
  out(
    `\n== zero-shot on the network (${b.dataset} ${b.partition}, ${b.peers} peers, ${b.rounds} rounds, ` +
      `seed ${b.seed}, ${b.maxSamples ?? 'all'} samples, --zs-steps ${steps}) ==`,
  );
  const results: ZsRunResult[] = [];
  for (const row of rows) {
    for (const setting of settings) {
      const f = zsRunFlags(b, row, setting, steps);
      const command =
        `node scripts/dist/src/testnet.js --dataset ${b.dataset} --partition ${b.partition} --peers ${f.peers} ` +
        `--rounds ${b.rounds} --seed ${b.seed}` +
        (b.maxSamples !== undefined ? ` --max-samples ${b.maxSamples}` : '') +
        (f.alone ? ' --alone' : '') +
        (f.aggregator !== undefined ? ` --aggregator ${f.aggregator}` : '') +
        f.peerArgs.map((a) => ` --peer-arg=${a}`).join('');
      const fold = new ZsFold();
      const loadStart = loadavg()[0] ?? 0;
      const r = await benchRun(
        b,
        `zs-${row.model}-${row.variant.replace('+', '-')}-${setting}`,
        {
          peers: f.peers,
          alone: f.alone,
          extraPeerArgs: f.peerArgs,
          ...(f.aggregator !== undefined ? { aggregator: f.aggregator } : {}),
        },
        (e) => fold.apply(e),
      );
      const s = r.summary;
      const res: ZsRunResult = {
        ...row,
        setting,
        ...fold.means(),
        ok: s.ok,
        failures: s.failures,
        clusters: s.clusters,
        finished: s.finished,
        wallSeconds: s.wallSeconds,
        load: { start: loadStart, end: loadavg()[0] ?? 0 },
        command,
      };
      results.push(res);
      out(`  $ ${command}`);
      out(formatZsTable([res])[2] as string);
      if (!s.ok) out(`  (not ok: ${s.failures.slice(0, 3).join('; ')})`);
    }
  }
  out('');
  for (const l of formatZsTable(results)) out(l);
  return { steps, rows: results };
}
