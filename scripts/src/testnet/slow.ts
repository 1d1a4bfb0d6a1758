// `testnet --slow K[:SHARE]`: K seeded members run at SHARE of the CPU time they would get, the way
// cpulimit does it: SIGSTOP / SIGCONT in a fixed period, so the process is really slow (its
// training, its heartbeats, its pushes), not told to pretend. Then the straggler policy is checked
// on the logs: a head never holds a round for a slow member past the round deadline, and a slow
// member's late update is refused, never applied to a later round.
import { createRng, deriveSeed } from '@ppfm/meta/light';
import type { PeerEvent } from './events.js';

/** Period of the stop/continue cycle (ms): short enough for heartbeats to go out at all. */
export const SLOW_PERIOD_MS = 100;

/** `--slow K[:SHARE]`, parsed. */
export interface SlowSpec {
  peers: number;
  /** Share of each period the process may run, in (0, 1). */
  share: number;
}

/** Parses `K` or `K:SHARE` (default share 0.1); an error message on bad input. */
export function parseSlow(raw: string, peers: number): SlowSpec | string {
  const m = /^(\d+)(?::([0-9.]+))?$/.exec(raw.trim());
  if (m === null) return `--slow must be K or K:SHARE (e.g. 1:0.1), got '${raw}'`;
  const k = Number(m[1]);
  const share = m[2] === undefined ? 0.1 : Number(m[2]);
  if (!(k >= 1 && k <= Math.max(0, peers - 2)))
    return `--slow K must be between 1 and ${Math.max(0, peers - 2)} (every cluster keeps a head and a member at full speed), got ${k}`;
  if (!(share > 0 && share < 1)) return `--slow SHARE must be in (0, 1), got '${m[2] ?? ''}'`;
  return { peers: k, share };
}

/** Picks `k` of `candidates` (peer ids), seeded, independent of the order they were learnt in. */
export function pickSlow(candidates: readonly string[], k: number, seed: number): string[] {
  const rng = createRng(deriveSeed(seed, 'slow'));
  return rng.shuffle([...candidates].sort()).slice(0, k);
}

/** Stops and continues processes on a duty cycle; always leaves them running when stopped. */
export class Throttler {
  private readonly pids = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private stopTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly share: number,
    private readonly signal: (pid: number, sig: NodeJS.Signals) => void = safeKill,
  ) {}

  /** Slows `pid` from the next period on. */
  add(pid: number): void {
    this.pids.add(pid);
    if (this.timer === undefined) this.timer = setInterval(() => this.cycle(), SLOW_PERIOD_MS);
  }

  /** Stops slowing `pid` (it exited, or the run ends) and lets it run. */
  remove(pid: number): void {
    if (this.pids.delete(pid)) this.signal(pid, 'SIGCONT');
  }

  /** Lets every process run and stops the cycle (a stopped process would ignore SIGTERM). */
  close(): void {
    clearInterval(this.timer);
    clearTimeout(this.stopTimer);
    this.timer = undefined;
    for (const pid of this.pids) this.signal(pid, 'SIGCONT');
    this.pids.clear();
  }

  private cycle(): void {
    for (const pid of this.pids) this.signal(pid, 'SIGCONT');
    clearTimeout(this.stopTimer);
    this.stopTimer = setTimeout(() => {
      for (const pid of this.pids) this.signal(pid, 'SIGSTOP');
    }, this.share * SLOW_PERIOD_MS);
  }
}

function safeKill(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

/** What the logs say about the slow peers and the rounds of their clusters. */
export interface StragglerReport {
  /** Peer ids slowed. */
  slow: string[];
  /** Updates of slow peers a head took, and pushes of theirs a head refused as late. */
  accepted: number;
  refusedLate: number;
  /** Rounds of clusters with a slow member: how many, and the longest open-to-close (s). */
  rounds: number;
  longestRoundSeconds: number | null;
  /** Rounds that closed without a slow member's update. */
  closedWithout: number;
}

/** Folds peer events into the straggler report (heads' round events, members' push refusals). */
export class StragglerWatch {
  /** cluster/round -> open time, for rounds opened by their head. */
  private readonly opened = new Map<string, number>();
  /** cluster/round -> peers whose update the head took. */
  private readonly contributed = new Map<string, Set<string>>();
  /** Peer -> the cluster it last said it is in. */
  private readonly clusterOf = new Map<string, string>();
  readonly report: StragglerReport = {
    slow: [],
    accepted: 0,
    refusedLate: 0,
    rounds: 0,
    longestRoundSeconds: null,
    closedWithout: 0,
  };

  /** `slowIds`: ids of the slowed peers known so far (they are learnt from their peer_started). */
  constructor(private readonly slowIds: () => ReadonlySet<string>) {}

  onEvent(e: PeerEvent): void {
    const slow = this.slowIds();
    this.report.slow = [...slow];
    const key = 'cluster' in e && 'round' in e ? `${e.cluster}/${e.round}` : '';
    switch (e.event) {
      case 'cluster_assigned':
        this.clusterOf.set(e.peer, e.cluster);
        break;
      case 'round_opened':
        if (e.peer === e.head) {
          this.opened.set(key, e.time);
          this.contributed.set(key, new Set());
        }
        break;
      case 'update_received':
        this.contributed.get(key)?.add(e.from);
        if (slow.has(e.from)) this.report.accepted++;
        break;
      case 'round_closed': {
        const at = this.opened.get(key);
        const slowIn = [...slow].filter((id) => this.clusterOf.get(id) === e.cluster);
        if (at === undefined || slowIn.length === 0) break;
        this.report.rounds++;
        const secs = (e.time - at) / 1000;
        this.report.longestRoundSeconds = Math.max(this.report.longestRoundSeconds ?? 0, secs);
        const got = this.contributed.get(key) ?? new Set<string>();
        if (slowIn.some((id) => !got.has(id))) this.report.closedWithout++;
        break;
      }
      case 'other':
        if (e.name === 'notice' && e.raw.code === 'push_refused' && slow.has(e.peer))
          this.report.refusedLate++;
        break;
      default:
        break;
    }
  }
}

/** A round of a cluster with a slow member may last the round deadline plus this (close, publish). */
export const SLOW_ROUND_SLACK_MS = 10_000;

/**
 * The whole fault: at the first round, K members (never a head) are chosen and slowed; the watch
 * folds the logs; failures() names a round held past the deadline.
 */
export class SlowFault {
  private readonly throttler: Throttler;
  private readonly watch: StragglerWatch;
  private readonly roles = new Map<string, string>();
  private chosen: string[] = [];

  constructor(
    private readonly spec: SlowSpec,
    private readonly seed: number,
    private readonly io: { pidOf(id: string): number | undefined; note(line: string): void },
    private readonly roundDeadlineMs = 30_000,
  ) {
    this.throttler = new Throttler(spec.share);
    this.watch = new StragglerWatch(() => new Set(this.chosen));
  }

  get report(): StragglerReport {
    return this.watch.report;
  }

  onEvent(e: PeerEvent): void {
    if (e.event === 'cluster_assigned' && e.head !== undefined) this.roles.set(e.peer, e.head);
    if (this.chosen.length === 0 && e.event === 'round_opened' && e.peer === e.head) {
      const members = [...this.roles].filter(([id, head]) => head !== id).map(([id]) => id);
      this.chosen = pickSlow(members, this.spec.peers, this.seed);
      for (const id of this.chosen) {
        const pid = this.io.pidOf(id);
        if (pid !== undefined) this.throttler.add(pid);
      }
      this.io.note(
        `slow: ${this.chosen.length} member(s) run at ${Math.round(this.spec.share * 100)} % CPU from round ${e.round}`,
      );
    }
    this.watch.onEvent(e);
  }

  /** Lets every slowed process run again (before the testnet stops them). */
  close(): void {
    this.throttler.close();
  }

  /** Why the straggler policy failed, if it did. */
  failures(): string[] {
    const r = this.watch.report;
    const out: string[] = [];
    if (this.chosen.length === 0) out.push('--slow: no member to slow (no round opened with members)');
    const limit = (this.roundDeadlineMs + SLOW_ROUND_SLACK_MS) / 1000;
    if (r.longestRoundSeconds !== null && r.longestRoundSeconds > limit)
      out.push(
        `--slow: a round with a slow member lasted ${r.longestRoundSeconds.toFixed(1)} s (deadline + slack ${limit} s)`,
      );
    return out;
  }
}
