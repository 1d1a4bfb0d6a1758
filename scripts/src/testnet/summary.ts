/**
 * The end-of-run summary: clusters vs truth (ARI), personalised accuracy, bytes, failover, and whether
 * the run succeeded. Pure functions over the NetworkState so that they can be tested on fixtures.
 */
import { finalClusters } from './clusters.js';
import type { FairnessReport } from './fairness.js';
import type { NetworkState, PeerState } from './state.js';
import { securityFailures } from './verdict.js';

/** The `--json` object of the testnet (the first twelve keys are the documented interface). */
export interface TestnetSummary {
  ok: boolean;
  peers: number;
  clusters: number;
  ari: number | null;
  meanAcc: number | null;
  minAcc: number | null;
  localAcc: number | null;
  rounds: number;
  bytesPerPeerPerRound: number | null;
  modelBytes: number | null;
  wallSeconds: number;
  headFailoverSeconds: number | null;
  /** Where bytesPerPeerPerRound comes from: the peers' own `traffic` events, socket counters, or none. */
  bytesSource: 'peer-logs' | 'sockets' | 'update-logs' | 'none';
  /** CPU seconds of every peer process that stopped cleanly (their own `peer_stopped` reports). */
  cpuSeconds: number | null;
  /** Mean accuracy of the round-0 model before adaptation, for reference. */
  meanAccBefore: number | null;
  survivors: number;
  finished: number;
  killed: string[];
  failures: string[];
  clusterTable: { id: string; members: number[]; head: string | null; round: number }[];
  peerTable: {
    index: number;
    id: string;
    cluster: string | null;
    round: number;
    acc: number | null;
    status: string;
    /** Epsilon this peer spent (differential privacy); null without --dp-*. */
    epsilon: number | null;
  }[];
  /**
   * Privacy of the run: the largest and mean epsilon the peers spent (at `delta`), and the rounds
   * aggregated securely; null when no peer ran with --dp-* or --secure-agg.
   */
  privacy: {
    maxEpsilon: number | null;
    meanEpsilon: number | null;
    delta: number | null;
    secureRounds: number;
    secureDropped: number;
  } | null;
  /**
   * Every peer's final personalised model scored offline on its own held-out split and on a
   * class-balanced test set (fairness.ts); absent in zero-shot runs or when it could not be made.
   */
  fairness?: FairnessReport;
  /** False when the partition has no expected clustering (label skew): `ari` is then null. */
  expectedClusters: boolean;
}

/** Everything about the run that is not in the logs. */
export interface SummaryContext {
  /** Partition index -> expected cluster; null when the partition has none (label skew: verdict.ts). */
  truth: number[] | null;
  /** How many peers the testnet launched (including late joiners). */
  launched: number;
  rounds: number;
  wallSeconds: number;
  /** Peer ids the testnet killed on purpose (fault injection). */
  killed: ReadonlySet<string>;
  /** Peer ids whose process exited with a non-zero code or a signal the testnet did not send. */
  crashed: ReadonlySet<string>;
  localAcc: number | null;
  headFailoverSeconds: number | null;
  /** Bytes sent per peer id measured outside the peers (socket counters), if available. */
  socketBytes?: ReadonlyMap<string, number>;
  timedOut: boolean;
  ari: (a: number[], b: number[]) => number;
  /** Extra failures found by the runner (e.g. a fault that could not be injected). */
  failures?: string[];
}

const mean = (xs: number[]): number | null =>
  xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;

const sumOrNull = (xs: (number | undefined)[]): number | null => {
  const ys = xs.filter((x): x is number => x !== undefined);
  return ys.length === 0 ? null : ys.reduce((a, b) => a + b, 0);
};

/** Computes the summary of a finished (or timed-out) run. */
export function summarise(state: NetworkState, ctx: SummaryContext): TestnetSummary {
  const failures = [...(ctx.failures ?? [])];
  const started = [...state.peers.values()].filter((p) => p.index !== undefined);
  started.sort((a, b) => (a.index as number) - (b.index as number));
  const survivors = started.filter((p) => !ctx.killed.has(p.id));
  if (ctx.timedOut) failures.push('timed out');
  if (started.length < ctx.launched) failures.push(`only ${started.length} of ${ctx.launched} peers started`);
  for (const p of survivors) {
    if (ctx.crashed.has(p.id)) failures.push(`peer-${pad(p.index)} exited abnormally`);
    else if (!p.finished) failures.push(`peer-${pad(p.index)} did not finish (round ${p.round})`);
  }

  // Final clusters (see clusters.ts), snapshot just before the first peer stopped; ARI vs truth.
  const stops = started.map((p) => p.stoppedAt).filter((t): t is number => t !== undefined);
  const asOf = stops.length > 0 ? Math.min(...stops) - 1 : undefined;
  const final = finalClusters(survivors, asOf);
  const clusterOf = new Map<string, string>();
  for (const c of final) for (const p of c.peers) clusterOf.set(p.id, c.id);
  const labelOf = new Map<string, number>();
  const predicted: number[] = [];
  const truth: number[] = [];
  for (const p of survivors) {
    const t = ctx.truth?.[p.index as number];
    if (t === undefined) continue;
    const c = clusterOf.get(p.id) ?? `unassigned:${p.id}`;
    if (!labelOf.has(c)) labelOf.set(c, labelOf.size);
    predicted.push(labelOf.get(c) as number);
    truth.push(t);
  }
  const ari = truth.length >= 2 ? ctx.ari(truth, predicted) : null;
  // No expected clustering (label skew) leaves nothing to compare. A lone peer (--peers 1) has
  // nothing to cluster with: one cluster is the truth.
  if (ctx.truth !== null) {
    if (ari === null && !(truth.length === 1 && ctx.launched === 1))
      failures.push('not enough assigned peers to compare clusters with truth');
    else if (ari !== null && Math.abs(ari - 1) > 1e-9)
      failures.push(`clusters do not match truth (ARI ${ari.toFixed(3)})`);
  }

  // Security verdict: no hijacked head, no collapsed cluster (verdict.ts).
  const idOf = new Map(started.map((p) => [p.id, `peer-${pad(p.index)}`]));
  failures.push(...securityFailures(state, final, ctx.localAcc, (id) => idOf.get(id) ?? id));

  const accs = survivors.map((p) => p.acc).filter((a): a is number => a !== undefined);
  const before = survivors.map((p) => p.firstAccBefore).filter((a): a is number => a !== undefined);
  const modelBytes = maxOrNull([...state.clusters.values()].map((c) => c.modelBytes));

  const { bytes, source } = bytesPerPeerPerRound(started, ctx);
  const idxOf = new Map(started.map((p) => [p.id, p.index as number]));
  const clusterTable = final.map((c) => {
    const st = state.clusters.get(c.id.replace(/#\d+$/, ''));
    return {
      id: c.id,
      members: c.peers.map((p) => p.index as number),
      head:
        st?.head !== undefined ? (idxOf.has(st.head) ? `peer-${pad(idxOf.get(st.head))}` : st.head) : null,
      round: st?.round ?? 0,
    };
  });
  const peerTable = started.map((p) => ({
    index: p.index as number,
    id: p.id,
    cluster: clusterOf.get(p.id) ?? p.cluster ?? null,
    round: p.round,
    acc: p.acc ?? null,
    epsilon: p.epsilon ?? null,
    status: ctx.killed.has(p.id)
      ? 'killed'
      : ctx.crashed.has(p.id)
        ? 'crashed'
        : p.finished
          ? 'finished'
          : 'running',
  }));

  return {
    ok: failures.length === 0,
    expectedClusters: ctx.truth !== null,
    peers: ctx.launched,
    clusters: final.length,
    ari,
    meanAcc: mean(accs),
    minAcc: accs.length > 0 ? Math.min(...accs) : null,
    localAcc: ctx.localAcc,
    rounds: ctx.rounds,
    bytesPerPeerPerRound: bytes,
    modelBytes,
    wallSeconds: ctx.wallSeconds,
    headFailoverSeconds: ctx.headFailoverSeconds,
    bytesSource: source,
    cpuSeconds: sumOrNull(started.map((p) => p.cpuSeconds)),
    meanAccBefore: mean(before),
    survivors: survivors.length,
    finished: survivors.filter((p) => p.finished).length,
    killed: started.filter((p) => ctx.killed.has(p.id)).map((p) => `peer-${pad(p.index)}`),
    failures,
    clusterTable,
    peerTable,
    privacy: privacyOf(state, started),
  };
}

/** The run's privacy figures, or null when it ran without --dp-* and --secure-agg. */
function privacyOf(state: NetworkState, peers: PeerState[]): TestnetSummary['privacy'] {
  const eps = peers.map((p) => p.epsilon).filter((e): e is number => e !== undefined);
  const clusters = [...state.clusters.values()];
  const secureRounds = sum(clusters.map((c) => c.secureRounds));
  if (eps.length === 0 && secureRounds === 0) return null;
  return {
    maxEpsilon: eps.length > 0 ? Math.max(...eps) : null,
    meanEpsilon: mean(eps),
    delta: peers.find((p) => p.delta !== undefined)?.delta ?? null,
    secureRounds,
    secureDropped: sum(clusters.map((c) => c.secureDropped)),
  };
}

function bytesPerPeerPerRound(
  peers: PeerState[],
  ctx: SummaryContext,
): { bytes: number | null; source: TestnetSummary['bytesSource'] } {
  const denom = peers.length * Math.max(1, ctx.rounds);
  if (peers.length === 0) return { bytes: null, source: 'none' };
  // Prefer the peers' own counters, then the kernel's per-socket counters, then update sizes alone.
  if (peers.every((p) => p.bytesSent !== undefined)) {
    return { bytes: sum(peers.map((p) => p.bytesSent as number)) / denom, source: 'peer-logs' };
  }
  if (ctx.socketBytes && ctx.socketBytes.size > 0) {
    return { bytes: sum(peers.map((p) => ctx.socketBytes?.get(p.id) ?? 0)) / denom, source: 'sockets' };
  }
  const upd = sum(peers.map((p) => p.updateBytesSent));
  if (upd > 0) return { bytes: upd / denom, source: 'update-logs' };
  return { bytes: null, source: 'none' };
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
function maxOrNull(xs: (number | undefined)[]): number | null {
  const v = xs.filter((x): x is number => x !== undefined);
  return v.length === 0 ? null : Math.max(...v);
}

/** Two-digit peer index, as in the partition directory names. */
export function pad(i: number | undefined): string {
  return i === undefined ? '??' : String(i).padStart(2, '0');
}

const fmt = (v: number | null, digits = 3): string => (v === null ? '-' : v.toFixed(digits));

/** Human-readable summary (tables and verdict) for the terminal. */
export function formatSummary(s: TestnetSummary): string {
  const lines: string[] = [];
  lines.push('');
  lines.push('cluster    members                      head      round');
  for (const c of s.clusterTable) {
    lines.push(
      `${c.id.slice(0, 10).padEnd(10)} ${c.members
        .map((m) => pad(m))
        .join(',')
        .padEnd(28)} ${(c.head ?? '-').padEnd(9)} ${c.round}`,
    );
  }
  lines.push('');
  const dp = s.peerTable.some((p) => p.epsilon !== null);
  lines.push(`peer     cluster     round  acc     ${dp ? 'epsilon ' : ''}status`);
  for (const p of s.peerTable) {
    lines.push(
      `peer-${pad(p.index)}  ${(p.cluster ?? '-').slice(0, 10).padEnd(11)} ${String(p.round).padEnd(6)} ${fmt(p.acc).padEnd(7)} ` +
        `${dp ? fmt(p.epsilon).padEnd(8) : ''}${p.status}`,
    );
  }
  lines.push('');
  const mb = s.modelBytes;
  const ratio = mb !== null && s.bytesPerPeerPerRound !== null ? s.bytesPerPeerPerRound / mb : null;
  lines.push(
    `peers ${s.peers} (${s.survivors} surviving, ${s.finished} finished)   clusters ${s.clusters}   ARI ${s.expectedClusters ? fmt(s.ari) : '- (label skew: no expected clustering)'}`,
  );
  lines.push(
    `accuracy: mean ${fmt(s.meanAcc)}  min ${fmt(s.minAcc)}  local-only ${fmt(s.localAcc)}  round-0 ${fmt(s.meanAccBefore)}`,
  );
  lines.push(
    `bytes/peer/round ${s.bytesPerPeerPerRound === null ? '-' : Math.round(s.bytesPerPeerPerRound)} (${s.bytesSource})` +
      `   model ${mb ?? '-'} B   ratio ${fmt(ratio, 2)}`,
  );
  lines.push(
    `wall ${s.wallSeconds.toFixed(1)} s   rounds ${s.rounds}` +
      (s.killed.length > 0
        ? `   killed ${s.killed.join(',')}   head failover ${fmt(s.headFailoverSeconds, 2)} s`
        : ''),
  );
  if (s.privacy !== null)
    lines.push(
      `privacy: epsilon max ${fmt(s.privacy.maxEpsilon)} mean ${fmt(s.privacy.meanEpsilon)}` +
        (s.privacy.delta !== null ? ` (delta ${s.privacy.delta})` : '') +
        `   secure rounds ${s.privacy.secureRounds} (${s.privacy.secureDropped} members dropped)`,
    );
  if (s.fairness !== undefined) lines.push(formatFairness(s.fairness));
  lines.push(s.ok ? 'OK' : `FAILED: ${s.failures.join('; ')}`);
  return lines.join('\n');
}

/** The summary's fairness lines: mean / worst / std on the own splits and on the balanced sets. */
export function formatFairness(r: FairnessReport): string {
  const line = (what: string, st: FairnessReport['own']): string =>
    `${what}: mean ${fmt(st.mean)}  worst ${fmt(st.min)}  std ${fmt(st.std)}`;
  const lines = [
    `fairness of ${r.peers.length} personalised models (offline, from their checkpoints):`,
    '  ' + line('own split', r.own),
    '  ' + line('balanced ', r.balanced),
  ];
  for (const m of r.missing) lines.push(`  peer-${pad(m.index)} not scored: ${m.reason}`);
  return lines.join('\n');
}
