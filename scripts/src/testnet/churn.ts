// `testnet --churn F`: a seeded share F of the peers leaves (SIGKILL) when its cluster opens a
// chosen round and comes back CHURN_DOWN_MS later from its own data dir (identity and checkpoint
// kept), as a restarted machine would. Records how long each return takes to catch up: from the
// restart to its first evaluation of a model at least as new as the round it left in; and what it
// came back to (its checkpoint, its cluster's newest model), so tests can tell a catch-up from a
// start from scratch.
import { createRng, deriveSeed } from '@ppfm/meta/light';
import type { PeerEvent } from './events.js';

/** How long a churned peer stays away. */
export const CHURN_DOWN_MS = 5000;

/** One planned departure: peer `index` leaves when its cluster opens `round`. */
export interface ChurnStep {
  index: number;
  round: number;
}

/** What happened to one planned departure. */
export interface ChurnOutcome extends ChurnStep {
  leftAt?: number;
  backAt?: number;
  /** Seconds from the restart to its first evaluation of round >= `round`. */
  catchUpSeconds?: number;
  /** The round its checkpoint restored (undefined: none was restored). */
  restoredRound?: number;
  /** The round of its last checkpoint saved before it left (undefined: it had none). */
  savedRound?: number;
  /** Its cluster's newest published round when it came back (0: none yet). */
  clusterRoundAtReturn?: number;
  /** The round of the evaluation that ended its catch-up. */
  caughtUpRound?: number;
}

/**
 * floor(fraction * peers) peers, never the bootstrap peers 0 and 1, each leaving at a round in
 * [1, rounds - 2] (from 3 rounds; else [1, rounds - 1]); seeded. Two rounds left: a peer that
 * leaves as the last round opens comes back after its cluster finished and stopped, to nobody.
 */
export function churnPlan(peers: number, rounds: number, fraction: number, seed: number): ChurnStep[] {
  const rng = createRng(deriveSeed(seed, 'churn'));
  const candidates = rng.shuffle(Array.from({ length: Math.max(0, peers - 2) }, (_, i) => i + 2));
  const n = Math.min(candidates.length, Math.floor(fraction * peers));
  const last = rounds >= 3 ? rounds - 2 : Math.max(1, rounds - 1);
  return candidates
    .slice(0, n)
    .map((index) => ({ index, round: 1 + rng.int(last) }))
    .sort((a, b) => a.index - b.index);
}

/** Drives a churn plan from the peers' events; the testnet does the killing and restarting. */
export class Churner {
  readonly outcomes: ChurnOutcome[];
  /** Newest published round per cluster id. */
  private readonly published = new Map<string, number>();

  constructor(
    plan: readonly ChurnStep[],
    private readonly io: {
      /** The peer id at `index` (once it started), its cluster and whether its process is up. */
      peer: (index: number) => { id: string; cluster: string | null; up: boolean } | undefined;
      kill: (index: number) => void;
      restart: (index: number) => void;
    },
  ) {
    this.outcomes = plan.map((s) => ({ ...s }));
  }

  /** Feed every event read from the logs. */
  onEvent(e: PeerEvent): void {
    if (e.event === 'cluster_model_published')
      this.published.set(e.cluster, Math.max(this.published.get(e.cluster) ?? 0, e.round));
    if (e.event === 'round_opened') {
      for (const o of this.outcomes) {
        if (o.leftAt !== undefined || e.round < o.round) continue;
        const p = this.io.peer(o.index);
        if (p === undefined || !p.up || p.cluster !== e.cluster) continue;
        o.leftAt = Date.now();
        this.io.kill(o.index);
      }
      return;
    }
    const o = this.outcomes.find((x) => this.io.peer(x.index)?.id === e.peer);
    if (o === undefined) return;
    const saved = e.event === 'other' && e.name === 'checkpoint_saved' ? e.raw.round : undefined;
    // Logs are read late: a checkpoint written before the kill may be read after it.
    if (typeof saved === 'number' && (o.leftAt === undefined || e.time <= o.leftAt)) o.savedRound = saved;
    if (o.backAt === undefined || e.time < o.backAt) return;
    if (e.event === 'other' && e.name === 'checkpoint_restored' && typeof e.raw.round === 'number')
      o.restoredRound = e.raw.round;
    if (e.event === 'evaluation' && o.catchUpSeconds === undefined && e.round >= o.round) {
      o.catchUpSeconds = Math.max(0, (e.time - o.backAt) / 1000);
      o.caughtUpRound = e.round;
    }
  }

  /** Call often: restarts the peers whose time away is over. */
  tick(now: number): void {
    for (const o of this.outcomes) {
      if (o.leftAt === undefined || o.backAt !== undefined || now - o.leftAt < CHURN_DOWN_MS) continue;
      o.backAt = now;
      const cluster = this.io.peer(o.index)?.cluster;
      o.clusterRoundAtReturn = cluster == null ? 0 : (this.published.get(cluster) ?? 0);
      this.io.restart(o.index);
    }
  }

  /** Peers away and not back yet (the run must not end while any is). */
  away(): number {
    return this.outcomes.filter((o) => o.leftAt !== undefined && o.backAt === undefined).length;
  }

  /** How many restarts were done (extra processes in the pool). */
  restarts(): number {
    return this.outcomes.filter((o) => o.backAt !== undefined).length;
  }
}

/** One line per planned departure, for the testnet's summary. */
export function formatChurn(outcomes: readonly ChurnOutcome[]): string {
  const s = (v: number | undefined, unit = ''): string =>
    v === undefined ? 'n/a' : `${v.toFixed(1)}${unit}`;
  const lines = outcomes.map(
    (o) =>
      `  peer-${String(o.index).padStart(2, '0')}: leaves at round ${o.round}` +
      (o.leftAt === undefined
        ? ' (never: its cluster did not get there while it ran)'
        : `, back ${o.backAt === undefined ? 'never' : 'after ' + s((o.backAt - o.leftAt) / 1000, ' s')}` +
          `, restored round ${o.restoredRound ?? 'none'} (saved ${o.savedRound ?? 'none'})` +
          `, cluster at round ${o.clusterRoundAtReturn ?? 'n/a'} on return` +
          `, caught up in ${s(o.catchUpSeconds, ' s')}` +
          (o.caughtUpRound === undefined ? '' : ` (round ${o.caughtUpRound})`)),
  );
  return [
    `churn (${outcomes.filter((o) => o.leftAt !== undefined).length}/${outcomes.length} left):`,
    ...lines,
  ].join('\n');
}
