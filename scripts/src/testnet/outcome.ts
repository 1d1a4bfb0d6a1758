// The end of a testnet run: which peers crashed, the local-only baseline, per-peer resources,
// the summary and its summary.json.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { adjustedRandIndex } from '@ppfm/meta';
import { runSimulate } from './baseline.js';
import type { Churner } from './churn.js';
import type { SlowFault } from './slow.js';
import { evaluateFairness, fairnessInputOf } from './fairness.js';
import type { HeadKiller } from './head-kill.js';
import { peerName, tail } from './launch.js';
import type { TestnetOptions } from './options.js';
import type { PeerPool } from './processes.js';
import type { NetworkState } from './state.js';
import { summarise, type TestnetSummary } from './summary.js';
import type { TrafficMeter } from './traffic.js';
import { zeroShotRun } from './verdict.js';

/** Resource figures of the peer processes. */
export interface ResourceStats {
  /** Highest RSS each peer process reached, bytes, in peer index order. */
  peakRss: number[];
  /** Bytes each peer process sent over TCP (kernel socket counters), by peer index; empty if `ss` is missing. */
  socketBytes: number[];
  /** Of socketBytes, what was sent before the peer's cluster opened round 1 (start-up); 0: unknown. */
  startupSocketBytes: number[];
}

/** What the run collected, for its outcome. */
export interface RunRecord {
  opts: TestnetOptions;
  cli: string;
  outDir: string;
  logDir: string;
  /** Peers of the run, late joiners included. */
  total: number;
  truth: number[] | null;
  /** The partition's truth (true groups of the data), for the balanced test sets. */
  partitionTruth: number[];
  state: NetworkState;
  pool: PeerPool;
  traffic: TrafficMeter;
  peakRss: ReadonlyMap<number, number>;
  killer: HeadKiller;
  churner: Churner | undefined;
  slow?: SlowFault | undefined;
  wallSeconds: number;
  timedOut: boolean;
  /** Run the local-only baseline (not after a timeout). */
  baseline: boolean;
  log: (line: string) => void;
}

/** Summarises a finished run and writes its summary.json. */
export async function runOutcome(
  r: RunRecord,
): Promise<{ summary: TestnetSummary; resources: ResourceStats; localAcc: number | null }> {
  const { opts, state, pool, killer, churner, log } = r;
  const failures: string[] = [...killer.failures(), ...(r.slow?.failures() ?? [])];
  if (r.slow !== undefined) {
    const s = r.slow.report;
    log(
      `slow members: ${s.slow.length}; their updates taken ${s.accepted}, refused as late ${s.refusedLate}; ` +
        `${s.rounds} rounds of their clusters, ${s.closedWithout} closed without a slow member, ` +
        `longest ${s.longestRoundSeconds === null ? 'n/a' : s.longestRoundSeconds.toFixed(1)} s`,
    );
  }
  const kill = killer.kill;

  const crashed = new Set<string>();
  for (const p of pool.procs) {
    if (p.killedOnPurpose) continue;
    const id = state.byIndex(p.index)?.id;
    // Exits caused by our own teardown (SIGTERM/SIGKILL after the end) are not crashes.
    const ours = p.signal === 'SIGTERM' || p.signal === 'SIGKILL';
    if (id !== undefined && p.exited && !ours && p.code !== 0 && !(state.peers.get(id)?.finished ?? false)) {
      crashed.add(id);
      log(
        `${peerName(p.index)} exited with code ${p.code}: ${tail(join(r.logDir, `${peerName(p.index)}.stderr`))}`,
      );
    }
    if (id === undefined)
      log(`${peerName(p.index)} never started: ${tail(join(r.logDir, `${peerName(p.index)}.stderr`))}`);
  }
  const killed = new Set<string>(kill ? [kill.peer] : []);

  let localAcc: number | null = null;
  // The baseline is `ppfm simulate`'s classification method: it trains on the unseen classes a
  // zero-shot peer never sees, so its accuracy is no yardstick for a zero-shot cluster.
  const zeroShot = zeroShotRun(opts);
  if (r.baseline && !r.timedOut && zeroShot)
    log('local-only baseline skipped: zero-shot run (the classification baseline trains on unseen classes)');
  if (r.baseline && !r.timedOut && !zeroShot) {
    try {
      const sim = await runSimulate({
        cli: r.cli,
        dataset: opts.dataset,
        partition: opts.partition,
        peers: r.total,
        rounds: opts.rounds,
        seed: opts.seed,
        backend: opts.backend,
        methods: ['local'],
        ...(opts.maxSamples !== undefined ? { maxSamples: opts.maxSamples } : {}),
      });
      localAcc = sim.methods.local?.meanAcc ?? null;
    } catch (err) {
      log(`local-only baseline unavailable: ${(err as Error).message}`);
    }
  }

  const socketBytesByIndex = r.traffic.perPid();
  const socketBytes = new Map<string, number>();
  const startupByPid = r.traffic.startupPerPid();
  const socketArr: number[] = [];
  const startupArr: number[] = [];
  for (const p of pool.procs) {
    const id = state.byIndex(p.index)?.id;
    const b = socketBytesByIndex.get(p.pid);
    // A restarted (churned) peer: its processes' bytes add up; start-up is its first process's.
    if (b !== undefined) socketArr[p.index] = (socketArr[p.index] ?? 0) + b;
    const st = startupByPid.get(p.pid);
    if (st !== undefined && startupArr[p.index] === undefined) startupArr[p.index] = st;
    if (id !== undefined && b !== undefined) socketBytes.set(id, socketArr[p.index] ?? b);
  }
  const summary = summarise(state, {
    truth: r.truth,
    launched: pool.procs.length - (churner?.restarts() ?? 0),
    rounds: opts.rounds,
    wallSeconds: r.wallSeconds,
    killed,
    crashed,
    localAcc,
    headFailoverSeconds: killer.headFailoverSeconds,
    socketBytes,
    timedOut: r.timedOut,
    ari: (a, b) => adjustedRandIndex(a, b),
    failures,
  });
  // Fairness on every classification run (zero-shot peers have no classifier over every label).
  if (!zeroShot) {
    try {
      summary.fairness = await evaluateFairness(await fairnessInputOf(r.outDir, opts, r.partitionTruth));
    } catch (err) {
      log(`fairness figures unavailable: ${(err as Error).message}`);
    }
  }
  const resources: ResourceStats = {
    peakRss: Array.from({ length: pool.procs.length }, (_, i) => r.peakRss.get(i) ?? 0),
    socketBytes: Array.from({ length: pool.procs.length }, (_, i) => socketArr[i] ?? 0),
    startupSocketBytes: Array.from({ length: pool.procs.length }, (_, i) => startupArr[i] ?? 0),
  };
  await writeFile(
    join(r.outDir, 'summary.json'),
    JSON.stringify(
      { ...summary, resources, options: opts, churn: churner?.outcomes, stragglers: r.slow?.report },
      null,
      2,
    ) + '\n',
  );
  return { summary, resources, localAcc };
}
