// The end of a run (--rounds N): when this peer holds an evaluated model of round N it has
// completed. A member then stops; a head keeps serving its final model until every live member
// fetched it (at most 3 grace periods). A member whose head announced the final round and then
// vanished gets the final model from another member, or ends where it is, saying so.
import type { Cancel } from '../clock.js';
import { logEvent, notice, type PeerComponents } from '../components.js';
import type { ModelClient } from '../net/model-client.js';
import type { HeldModel } from './model-store.js';

/** running: rounds to go. finishing: head serving its final model. completed: done (stopping). */
export type RunState =
  | { kind: 'running' }
  | { kind: 'finishing'; round: number; since: number }
  | { kind: 'completed'; round: number };

export type RunComponents = Pick<PeerComponents, 'self' | 'bus' | 'clock' | 'timing' | 'settings' | 'store'>;

export interface RunDeps {
  isHead(): boolean;
  /** Our cluster and its live members (self included). */
  cluster(): string | undefined;
  members(): string[];
  /** Highest round our head announced, and the head we follow. */
  headRound(): number;
  head(): string | undefined;
  client: ModelClient;
  /** Freezes clustering (peers leaving at the end must not reshuffle clusters). */
  freeze(): void;
  /** Adopts and evaluates a model fetched from a member (orphan finish). */
  adoptFinal(m: HeldModel): void;
  stop(reason: string): void;
}

/** Tracks completion and ends the run. */
export class RunTracker {
  private st: RunState = { kind: 'running' };
  private timer: Cancel | undefined;
  private orphanTrying = false;
  /** The newest round of our model each peer fetched (members often fetch the final model before
   * the head has evaluated it and entered `finishing`). */
  private readonly served = new Map<string, number>();

  constructor(
    private readonly c: RunComponents,
    private readonly deps: RunDeps,
  ) {}

  get state(): RunState {
    return this.st;
  }

  /** Whether rounds are still expected. */
  get roundsDue(): boolean {
    return this.st.kind === 'running';
  }

  start(): void {
    const target = this.c.settings.rounds;
    const round = this.c.store.model?.round ?? 0;
    if (target !== undefined && round >= target) {
      // A checkpoint already at --rounds opens no round and evaluates nothing: end now, saying so.
      notice(
        this.c,
        'warn',
        `the checkpoint is at round ${round}, --rounds is ${target}: nothing to do ` +
          '(give a higher --rounds to go on, or --fresh to start over)',
        'already_complete',
      );
      this.st = { kind: 'completed', round };
      this.timer = this.c.clock.after(0, () => this.deps.stop('rounds_completed'));
      return;
    }
    this.timer = this.c.clock.every(this.c.timing.tickMs * 2, () => this.tick());
  }

  stop(): void {
    this.timer?.();
  }

  /** A model was evaluated and checkpointed. */
  onEvaluated(m: HeldModel): void {
    const target = this.c.settings.rounds;
    if (target === undefined || this.st.kind !== 'running' || m.round < target) return;
    logEvent(this.c, { event: 'rounds_completed', cluster: m.cluster, round: m.round });
    this.deps.freeze();
    if (this.deps.isHead() && m.source === this.c.self) {
      this.st = { kind: 'finishing', round: m.round, since: this.c.clock.now() };
      notice(
        this.c,
        'info',
        `round ${m.round} done; serving the final model until the members have it`,
        'finishing',
      );
    } else {
      this.st = { kind: 'completed', round: m.round };
      this.deps.stop('rounds_completed');
    }
  }

  /** The fetch handler served our model of `round` to `from`. */
  onServed(from: string, round: number): void {
    if (round > (this.served.get(from) ?? -1)) this.served.set(from, round);
  }

  private tick(): void {
    const now = this.c.clock.now();
    const st = this.st;
    if (st.kind === 'finishing') {
      const pending = this.deps
        .members()
        .filter((id) => id !== this.c.self && (this.served.get(id) ?? -1) < st.round);
      const elapsed = now - st.since;
      if (
        (pending.length === 0 && elapsed >= Math.min(this.c.timing.graceMs, 1000)) ||
        elapsed >= 3 * this.c.timing.graceMs
      ) {
        if (pending.length > 0)
          notice(
            this.c,
            'warn',
            `stopping although ${pending.length} members did not fetch the final model`,
            'finish_timeout',
          );
        this.st = { kind: 'completed', round: st.round };
        this.deps.stop('rounds_completed');
      }
      return;
    }
    const target = this.c.settings.rounds;
    if (st.kind !== 'running' || target === undefined || this.orphanTrying) return;
    if (this.deps.headRound() < target || (this.c.store.model?.round ?? 0) >= target) return;
    if (this.deps.head() !== undefined && !this.deps.isHead()) return; // head still there: catch-up runs
    this.orphanTrying = true;
    void this.finishOrphan(target);
  }

  private async finishOrphan(target: number): Promise<void> {
    const cluster = this.deps.cluster();
    if (cluster === undefined) return;
    for (const id of this.deps.members()) {
      if (id === this.c.self) continue;
      const got = await this.deps.client.fetch(id, cluster, target);
      if (got !== undefined && got.round >= target) {
        this.deps.adoptFinal(got);
        return;
      }
    }
    if (this.st.kind !== 'running') return;
    const round = this.c.store.model?.round ?? 0;
    notice(
      this.c,
      'warn',
      `head left after the final round ${this.deps.headRound()}; ending at round ${round}`,
      'orphaned',
    );
    logEvent(this.c, { event: 'rounds_completed', cluster, round });
    this.st = { kind: 'completed', round };
    this.deps.stop('rounds_completed');
  }
}
