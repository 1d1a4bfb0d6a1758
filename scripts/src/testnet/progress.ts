/**
 * Live progress of a testnet run: a refreshing table on a terminal, plain change lines otherwise.
 * The text is produced by pure functions (tested); only TtyProgress writes ANSI control codes.
 */
import { clusterKey, clusterNames, type NetworkState } from './state.js';
import { pad } from './summary.js';

/** Per-run facts the progress display needs besides the state. */
export interface ProgressContext {
  rounds: number;
  launched: number;
  startedAt: number;
  now?: number;
  /** Free-form notes (kills, late joins) shown under the table. */
  notes: string[];
}

const bar = (done: number, total: number, width = 20): string => {
  const f = total <= 0 ? 0 : Math.max(0, Math.min(width, Math.round((done / total) * width)));
  return '[' + '#'.repeat(f) + '-'.repeat(width - f) + ']';
};

const meanOf = (xs: number[]): number | undefined =>
  xs.length === 0 ? undefined : xs.reduce((a, b) => a + b, 0) / xs.length;

/** The progress table as plain text lines (no control codes). */
export function progressTable(state: NetworkState, ctx: ProgressContext): string[] {
  const now = ctx.now ?? Date.now();
  const peers = [...state.peers.values()].filter((p) => p.index !== undefined);
  const idx = new Map(peers.map((p) => [p.id, p.index as number]));
  const byCluster = new Map<string, typeof peers>();
  for (const p of peers) {
    const key = clusterKey(p);
    if (key === undefined) continue;
    const list = byCluster.get(key) ?? [];
    list.push(p);
    byCluster.set(key, list);
  }
  const finished = peers.filter((p) => p.finished).length;
  const lines = [
    `ppfm testnet  ${((now - ctx.startedAt) / 1000).toFixed(0)}s  peers ${peers.length}/${ctx.launched}  ` +
      `clusters ${byCluster.size}  finished ${finished}`,
    'cluster     head     round              members  acc',
  ];
  const names = clusterNames(byCluster.keys());
  for (const [key, members] of [...byCluster.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    const id = key.slice(0, key.indexOf('|'));
    const c = state.clusters.get(id);
    const head =
      c?.head !== undefined && idx.has(c.head) ? `peer-${pad(idx.get(c.head))}` : c?.head ? '?' : '-';
    const round = c?.round ?? 0;
    const acc = meanOf(members.map((m) => m.acc).filter((a): a is number => a !== undefined));
    lines.push(
      `${(names.get(key) ?? id).slice(0, 10).padEnd(11)} ${head.padEnd(8)} ${bar(round, ctx.rounds, 10)} ${`${round}/${ctx.rounds}`.padEnd(
        6,
      )} ${String(members.length).padStart(3)}  ${acc === undefined ? '-' : acc.toFixed(3)}`,
    );
  }
  const unassigned = peers.filter((p) => p.cluster === undefined).length;
  if (unassigned > 0) lines.push(`(${unassigned} peer(s) not yet in a cluster)`);
  for (const n of ctx.notes.slice(-3)) lines.push(n);
  return lines;
}

/** Emits one plain line per change (cluster formed, head change, round opened, peer finished). */
export class PlainProgress {
  private readonly seen = new Map<string, string>();
  private notes = 0;

  /** Lines describing what changed since the previous call. */
  update(state: NetworkState, ctx: ProgressContext): string[] {
    const out: string[] = [];
    const t = (((ctx.now ?? Date.now()) - ctx.startedAt) / 1000).toFixed(1).padStart(6);
    const idx = new Map<string, number>();
    for (const p of state.peers.values()) if (p.index !== undefined) idx.set(p.id, p.index);
    const name = (id: string | undefined): string =>
      id === undefined ? '-' : idx.has(id) ? `peer-${pad(idx.get(id))}` : id.slice(-8);
    const changed = (key: string, value: string): boolean => {
      if (this.seen.get(key) === value) return false;
      this.seen.set(key, value);
      return true;
    };
    for (const p of state.peers.values()) {
      if (p.index === undefined) continue;
      if (changed(`start:${p.id}`, '1')) out.push(`[${t}s] ${name(p.id)} started (${p.id})`);
      if (p.cluster !== undefined && changed(`cl:${p.id}`, p.cluster))
        out.push(`[${t}s] ${name(p.id)} joined cluster ${p.cluster}`);
      if (p.finished && changed(`fin:${p.id}`, '1'))
        out.push(`[${t}s] ${name(p.id)} finished, acc ${p.acc === undefined ? '-' : p.acc.toFixed(3)}`);
    }
    for (const c of state.clusters.values()) {
      if (c.head !== undefined && changed(`head:${c.id}`, `${c.head}@${c.term}`))
        out.push(`[${t}s] cluster ${c.id}: head ${name(c.head)} (term ${c.term})`);
      if (c.round > 0 && changed(`round:${c.id}`, String(c.round))) {
        const accs = [...state.peers.values()]
          .filter((p) => p.cluster === c.id && p.acc !== undefined)
          .map((p) => p.acc as number);
        const acc = meanOf(accs);
        out.push(
          `[${t}s] cluster ${c.id}: round ${c.round}/${ctx.rounds}` +
            (acc === undefined ? '' : `, mean acc ${acc.toFixed(3)}`),
        );
      }
    }
    for (; this.notes < ctx.notes.length; this.notes++) out.push(`[${t}s] ${ctx.notes[this.notes]}`);
    return out;
  }
}

/** Redraws the progress table in place on a terminal. */
export class TtyProgress {
  private drawn = 0;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  /** Replaces the previous drawing with the current table. */
  render(state: NetworkState, ctx: ProgressContext): void {
    const lines = progressTable(state, ctx);
    const cols = this.stream.columns || 100;
    let s = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    for (const l of lines) s += '\x1b[2K' + l.slice(0, cols - 1) + '\n';
    // Clear lines left over from a taller previous drawing.
    for (let i = lines.length; i < this.drawn; i++) s += '\x1b[2K\n';
    const extra = Math.max(0, this.drawn - lines.length);
    if (extra > 0) s += `\x1b[${extra}A`;
    this.drawn = lines.length;
    this.stream.write(s);
  }
}
