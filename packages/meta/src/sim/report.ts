import { ALL_METHODS } from './types.js';
import type { SimulationResult } from './types.js';

const fmt = (v: number | undefined, digits = 3): string =>
  v === undefined || Number.isNaN(v) ? '-' : v.toFixed(digits);

/** Formats a simulation result as a fixed-width text table, one row per method. */
export function formatSimulationTable(result: SimulationResult): string {
  const header = ['method', 'meanAcc', 'minAcc', 'balAcc', 'ARI', 'clusters', 'stdAcc', 'rounds', 'seconds'];
  const rows: string[][] = [];
  for (const name of ALL_METHODS) {
    const m = result.methods[name];
    if (!m) continue;
    rows.push([
      name,
      fmt(m.meanAcc),
      fmt(m.minAcc),
      fmt(m.balancedAcc),
      fmt(m.ari, 2),
      m.clusters ? String(new Set(m.clusters).size) : '-',
      fmt(m.stdAcc),
      String(m.rounds),
      fmt(m.seconds, 1),
    ]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
      .join('  ');
  const title =
    `${result.dataset} ${result.partition}, ${result.peers} peers, ${result.rounds} rounds, ` +
    `seed ${result.seed}, backend ${result.backend}`;
  const eps = result.methods.ppfm?.epsilon;
  const note =
    eps !== undefined ? [`ppfm under differential privacy: each member spent epsilon ${fmt(eps)}`] : [];
  return [title, line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), ...note].join('\n');
}

/** The `--json` shape: `{ methods: { name: { meanAcc, minAcc, stdAcc, balancedAcc, ari, rounds, seconds, clusters, events } } }`. */
export function simulationJson(result: SimulationResult): object {
  const methods: Record<string, object> = {};
  for (const name of ALL_METHODS) {
    const m = result.methods[name];
    if (!m) continue;
    methods[name] = {
      meanAcc: m.meanAcc,
      minAcc: m.minAcc,
      stdAcc: m.stdAcc,
      balancedAcc: m.balancedAcc,
      ...(m.ari !== undefined ? { ari: m.ari } : {}),
      rounds: m.rounds,
      seconds: m.seconds,
      ...(m.clusters ? { clusters: m.clusters } : {}),
      ...(m.events ? { events: m.events } : {}),
      ...(m.epsilon !== undefined ? { epsilon: m.epsilon } : {}),
    };
  }
  return {
    dataset: result.dataset,
    partition: result.partition,
    peers: result.peers,
    seed: result.seed,
    methods,
  };
}
