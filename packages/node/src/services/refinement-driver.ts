// Loss-based clustering over the network (the IFCA rule), for views whose fingerprints do not
// separate the tasks: every peer trains a warm-up model alone, scores every peer's warm-up model
// on its own data, gossips the losses, and clusters the same loss matrix as everyone else.
// State is an explicit union; the rule itself (refineClusters, with its separation guard) is
// meta's, so the simulator and the peer decide alike.
import {
  clusterInit,
  type Fingerprint,
  LossMatrix,
  makeLossReport,
  ppfmSeeds,
  refineByLoss,
  shouldRefine,
  type LossReport,
} from '@ppfm/meta';
import { encodeGossip, TOPIC_FINGERPRINTS, type LossReportMsg } from '@ppfm/protocol';
import type { Cancel } from '../clock.js';
import { notice, type PeerComponents } from '../components.js';
import type { ClusterMap } from '../clustering.js';
import type { ModelClient } from '../net/model-client.js';

/**
 * idle: nothing to refine. running: refining the view `key` (sorted ids joined), in `phase`.
 * done: the result for `key` (null: no split), covering `members`.
 */
export type RefineState =
  | { kind: 'idle' }
  | {
      kind: 'running';
      key: string;
      members: string[];
      phase: 'warmup' | 'scoring' | 'collecting';
      since: number;
    }
  | { kind: 'done'; key: string; members: ReadonlySet<string>; result: ClusterMap | null };

export type RefinementComponents = Pick<
  PeerComponents,
  'self' | 'clock' | 'bus' | 'timing' | 'settings' | 'gossip' | 'learner' | 'store'
>;

/** Runs and remembers loss-based refinements of the view. */
export class RefinementDriver {
  private st: RefineState = { kind: 'idle' };
  private readonly matrix = new LossMatrix();
  private readonly warmupLoss = new Map<string, number>();
  private ownReport: LossReport | undefined;
  private lossSeq = 0;
  private deadline: Cancel | undefined;
  private republish: Cancel | undefined;
  private collecting: (() => void) | undefined;
  /** Called when a refinement finished: the planner re-plans with its result. */
  onDone: () => void = () => undefined;

  constructor(
    private readonly c: RefinementComponents,
    private readonly client: ModelClient,
    /** The fingerprints of the given peers (from the view). */
    private readonly fingerprints: (ids: readonly string[]) => Fingerprint[],
  ) {}

  get state(): RefineState {
    return this.st;
  }

  /** seq of the latest report held from `peer` (validation of loss reports). */
  knownSeq(peer: string): number | undefined {
    return this.matrix.get(peer)?.seq;
  }

  /** An accepted loss report from the gossip. */
  onReport(m: LossReportMsg): void {
    this.matrix.add({
      peerId: m.peerId,
      seq: m.seq,
      round: m.round,
      candidates: m.candidates,
      losses: m.losses,
    });
    this.collecting?.();
  }

  /**
   * The cluster map to use for a view: the fingerprint map unless a refinement applies. Undefined:
   * keep the current assignment (a forced refinement is still running).
   */
  decide(fpMap: ClusterMap, ids: readonly string[], ready: boolean): ClusterMap | undefined {
    const force = this.c.settings.clustering === 'loss';
    if (!force && fpMap.separated) return fpMap;
    const sorted = [...ids].sort();
    const st = this.st;
    // Peers only left since the split: keep it (no new warm-up, no cluster churn).
    if (st.kind === 'done' && st.result !== null && sorted.every((id) => st.members.has(id)))
      return restrictMap(st.result, sorted);
    if (!ready || !shouldRefine(sorted.length, false)) return force && !ready ? undefined : fpMap;
    const key = sorted.join(',');
    if ((st.kind === 'running' || st.kind === 'done') && st.key === key) {
      if (st.kind === 'running') return force ? undefined : fpMap;
      return st.result ?? fpMap;
    }
    this.begin(key, sorted);
    return force ? undefined : fpMap;
  }

  stop(): void {
    this.deadline?.();
    this.republish?.();
    this.st = { kind: 'idle' };
  }

  private begin(key: string, members: string[]): void {
    this.deadline?.();
    this.matrix.retain(members);
    this.st = { kind: 'running', key, members, phase: 'warmup', since: this.c.clock.now() };
    notice(
      this.c,
      'info',
      `fingerprints do not separate ${members.length} peers: loss-based clustering (warm-up, then losses)`,
      'refinement',
    );
    void this.run(key, members).catch((err: unknown) => {
      if (this.live(key)) {
        notice(
          this.c,
          'warn',
          `loss-based clustering failed: ${(err as Error).message}; keeping the fingerprint clusters`,
          'refinement_failed',
        );
        this.finish(key, members, null);
      }
    });
  }

  private live(key: string): boolean {
    return this.st.kind === 'running' && this.st.key === key;
  }

  private async run(key: string, members: string[]): Promise<void> {
    const { c } = this;
    // The warm-up starts from the initial model of the peers being refined (their pooled scaler),
    // as the simulator's refinement does.
    c.store.warmup ??= await c.learner.warmup(
      clusterInit(c.learner.info.task, this.fingerprints(members), c.settings.cfg),
      ppfmSeeds.warmup(c.settings.seed),
    );
    if (!this.live(key)) return;
    this.st = { kind: 'running', key, members, phase: 'scoring', since: c.clock.now() };
    const end = c.clock.now() + c.timing.roundDeadlineMs;
    // Score every member's warm-up model on our data; absent ones are retried until the deadline.
    while (this.live(key) && c.clock.now() < end) {
      for (const id of members) {
        if (this.warmupLoss.has(id) || !this.live(key)) continue;
        const w = id === c.self ? c.store.warmup : await this.client.fetchWarmup(id);
        if (w === undefined || !this.live(key)) continue;
        this.warmupLoss.set(id, (await c.learner.evaluate(w, 'train')).loss);
      }
      if (members.every((id) => this.warmupLoss.has(id))) break;
      await new Promise<void>((r) => c.clock.after(200, r));
    }
    if (!this.live(key)) return;
    const losses = new Map<string, number>();
    for (const id of members) {
      const l = this.warmupLoss.get(id);
      if (l !== undefined) losses.set(id, l);
    }
    const missing = members.filter((id) => !losses.has(id));
    if (missing.length > 0)
      notice(
        c,
        'warn',
        `loss-based clustering: no warm-up model from ${missing.length} peers (${missing.map(short).join(', ')})`,
        'refinement_missing',
      );
    const report = makeLossReport(c.self, ++this.lossSeq, 0, losses);
    this.matrix.add(report);
    this.ownReport = report;
    this.publishReport();
    this.republish?.();
    this.republish = c.clock.every(c.timing.heartbeatMs, () => this.publishReport());
    this.st = { kind: 'running', key, members, phase: 'collecting', since: c.clock.now() };
    await this.collect(key, members);
  }

  /** Waits (on report arrivals, not polling) for every member's report or the deadline. */
  private collect(key: string, members: string[]): Promise<void> {
    return new Promise((resolve) => {
      const complete = (): boolean =>
        members.every((id) => {
          const r = this.matrix.get(id);
          return r !== undefined && members.every((m) => r.candidates.includes(m));
        });
      const settle = (timedOut: boolean): void => {
        this.collecting = undefined;
        this.deadline?.();
        if (!this.live(key)) return resolve();
        if (timedOut) {
          const silent = members.filter((id) => this.matrix.get(id) === undefined);
          notice(
            this.c,
            'warn',
            `loss-based clustering: deadline passed without reports from ${silent.length} peers`,
            'refinement_deadline',
          );
        }
        const r = refineByLoss(this.matrix.reports(0), { members, round: 0 });
        const split = r.separated && r.unplaced.length === 0;
        this.finish(key, members, split ? { clusters: r.clusters, byPeer: r.byPeer, separated: true } : null);
        resolve();
      };
      this.collecting = () => {
        if (complete()) settle(false);
      };
      this.deadline = this.c.clock.after(this.c.timing.roundDeadlineMs, () => settle(true));
      this.collecting();
    });
  }

  private finish(key: string, members: string[], result: ClusterMap | null): void {
    this.st = { kind: 'done', key, members: new Set(members), result };
    notice(
      this.c,
      'info',
      result
        ? `loss-based clustering: ${result.clusters.length} clusters (${result.clusters.map((x) => x.members.length).join('+')})`
        : 'loss-based clustering: no split, keeping the fingerprint clusters',
      'refinement_done',
    );
    this.onDone();
  }

  private publishReport(): void {
    const r = this.ownReport;
    if (r !== undefined)
      void this.c.gossip.publish(
        TOPIC_FINGERPRINTS,
        encodeGossip({ kind: 'loss_report', ...r, sentAt: this.c.clock.now() }),
      );
  }
}

function short(id: string): string {
  return id.slice(-6);
}

/** A cluster map restricted to `ids` (empty clusters dropped). */
export function restrictMap(map: ClusterMap, ids: readonly string[]): ClusterMap {
  const keep = new Set(ids);
  const clusters = map.clusters
    .map((c) => ({ id: c.id, members: c.members.filter((m) => keep.has(m)) }))
    .filter((c) => c.members.length > 0);
  const byPeer = new Map<string, string>();
  for (const c of clusters) for (const m of c.members) byPeer.set(m, c.id);
  return { clusters, byPeer, separated: clusters.length > 1 };
}
