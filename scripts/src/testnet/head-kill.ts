// Fault injection (--kill-head-at-round R): kill the head named by the first round_opened of
// round R that is still current, then measure how long its members take to elect a new head.
import type { PeerEvent } from './events.js';
import type { PeerPool } from './processes.js';
import type { NetworkState } from './state.js';

/** When (ms epoch) the testnet killed a head, and which cluster's. */
export interface HeadKill {
  at: number;
  cluster: string;
  peer: string;
  index: number;
}

/** The cluster assignment `peer` held at time `t`, if it had one (events are applied file by file, not in time order). */
function assignmentAtTime(state: NetworkState, peer: string, t: number): { members: string[] } | undefined {
  const p = state.peers.get(peer);
  return p ? [...p.assignments].reverse().find((a) => a.time <= t) : undefined;
}

/** Picks the head to kill from the logs, kills it, and times the failover. */
export class HeadKiller {
  kill: HeadKill | undefined;
  headFailoverSeconds: number | null = null;
  private failoverMeasured = false;
  private killMembers: string[] = [];
  /**
   * round_opened events of round R by heads with members, in the order read; `tick` picks the
   * first whose head is still current (a deposed head that has not noticed yet is not a head).
   */
  private readonly candidates: { cluster: string; head: string; term: number }[] = [];

  constructor(
    private readonly atRound: number | undefined,
    private readonly state: NetworkState,
    private readonly note: (line: string) => void,
    private readonly name: (index: number) => string,
  ) {}

  /** Reads an event (after the state applied it). */
  onEvent(e: PeerEvent): void {
    if (
      this.atRound !== undefined &&
      e.event === 'round_opened' &&
      e.round >= this.atRound &&
      e.peer === e.head &&
      // Only a head with members can fail over (a lone peer's "cluster" has nobody to elect).
      (assignmentAtTime(this.state, e.head, e.time)?.members.length ?? 0) > 1
    )
      this.candidates.push({ cluster: e.cluster, head: e.head, term: e.term });
  }

  /** Kills the head once one is known, then looks for its successor. */
  tick(pool: PeerPool): void {
    const { state, name } = this;
    while (this.candidates.length > 0 && this.kill === undefined) {
      const { cluster, head, term } = this.candidates.shift() as (typeof this.candidates)[number];
      if (term < (state.clusters.get(cluster)?.term ?? 0)) continue; // deposed already
      const hp = state.peers.get(head);
      const proc = hp?.index !== undefined ? pool.procs.find((p) => p.index === hp.index) : undefined;
      if (!proc || proc.exited) continue;
      // The head's cluster as its members see it: they name the same cluster id and the head.
      this.killMembers = [...state.peers.values()]
        .filter((p) => p.id !== head && p.cluster === cluster && p.members.includes(head))
        .map((p) => p.id);
      pool.killOnPurpose(proc);
      this.kill = { at: proc.killedAt as number, cluster, peer: head, index: proc.index };
      this.note(
        `killed head ${name(proc.index)} of cluster ${cluster} (term ${term}) as its round ${this.atRound} opened`,
      );
    }
    if (this.kill && !this.failoverMeasured) {
      const el = state.electionsAfter(this.kill.at, this.killMembers, this.kill.peer)[0];
      if (el) {
        this.failoverMeasured = true;
        this.headFailoverSeconds = Math.max(0, (el.time - this.kill.at) / 1000);
        const who = state.peers.get(el.head)?.index;
        this.note(
          `new head ${who !== undefined ? name(who) : el.head} after ${this.headFailoverSeconds.toFixed(2)} s`,
        );
      }
    }
  }

  /** Why the fault injection failed, if it did. */
  failures(): string[] {
    const out: string[] = [];
    if (this.atRound !== undefined && this.kill === undefined)
      out.push(`no head to kill at round ${this.atRound}`);
    if (this.kill && !this.failoverMeasured) out.push('no new head was elected after the kill');
    return out;
  }
}
