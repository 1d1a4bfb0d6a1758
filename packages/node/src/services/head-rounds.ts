// The head's side of a round (cluster-level meta training): open a round, collect the members'
// updates (its own included), close on everyone / quorum + grace / deadline, take the cluster
// and global step off the event loop, check the result, publish. One explicit state at a time.
import type { WeightSet } from '@ppfm/meta/light';
import { clusterTopic, encodeGossip, type RoundOpenMsg } from '@ppfm/protocol';
import type { Cancel } from '../clock.js';
import { logEvent, notice } from '../components.js';
import { augmentRound } from './augmentation.js';
import type { SharedSet } from '../learner/learner.js';
import { RoundCollector, type UpdateVerdict } from '../rounds.js';
import type { ClusterSession } from './cluster-session.js';
import { ACTIVITY_ROUNDS, MemberActivity } from './head-activity.js';
import { announceModel, secureSum } from './head-publish.js';
import { headSelfUpdate } from './head-self-update.js';
import type { HeldModel } from './model-store.js';
import type { SecureRound } from './secagg-head.js';
import type { HeadComponents, HeadDeps, HeadState } from './head-types.js';

export type { HeadComponents, HeadDeps, HeadState } from './head-types.js';

/** Drives rounds while this peer heads its cluster. */
export class HeadRounds {
  private st: HeadState = { kind: 'inactive' };
  private session: ClusterSession | undefined;
  private timer: Cancel | undefined;
  private nextRoundAt = 0;
  /** Who contributed under this headship (reset on each: what a member did for a former head of
   * ours, rounds ago, says nothing about whether it keeps up now). */
  private activity = new MemberActivity();
  private readonly startedAt: number;
  /** dp_no_round said under this headship. */
  private spentSaid = false;

  constructor(
    private readonly c: HeadComponents,
    private readonly deps: HeadDeps,
  ) {
    this.startedAt = c.clock.now();
  }

  get state(): HeadState {
    return this.st;
  }

  /** Whether `peer` is a live member of the cluster we head (push admission reads it). */
  isMember(peer: string): boolean {
    return this.st.kind !== 'inactive' && (peer === this.c.self || this.deps.members().includes(peer));
  }

  /** The round whose global sync wait started at syncSince. */
  private syncFor = 0;
  private syncSince = 0;

  /** This peer became head of `session`'s cluster: continue from the newest model we hold. */
  activate(session: ClusterSession): void {
    const { c } = this;
    this.deactivate();
    this.session = session;
    this.deps.catchUp?.reset();
    this.activity = new MemberActivity();
    this.spentSaid = false;
    const base = c.store.baseFor(session.cluster, c.self, session.election.term, this.deps.clusterInit());
    c.store.set(base);
    session.setRound(base.round);
    const now = c.clock.now();
    this.nextRoundAt = Math.max(now, this.deps.lastViewChange() + c.timing.settleMs);
    this.st = { kind: 'waiting', reason: 'settling', since: now };
    this.timer = c.clock.every(c.timing.tickMs, () => this.step());
  }

  /** No longer head (deposed, moved, stopping): the open round is dropped at once. */
  deactivate(): void {
    this.timer?.();
    this.timer = undefined;
    if (this.st.kind === 'open' || this.st.kind === 'closing')
      notice(
        this.c,
        'info',
        `round ${this.roundOf()} cancelled: no longer head of ${this.session?.cluster}`,
        'round_cancelled',
      );
    this.deps.secure?.head.cancelOpen('no longer head');
    this.st = { kind: 'inactive' };
    this.session = undefined;
  }

  /** An update pushed by a member (already decoded and shape-checked by the push handler). */
  offer(
    from: string,
    round: number,
    term: number,
    samples: number,
    delta: WeightSet,
  ): UpdateVerdict | { ok: false; reason: 'not_head' | 'wrong_term' | 'secure_only'; detail: string } {
    const st = this.st;
    if (st.kind !== 'open') return { ok: false, reason: 'not_head', detail: 'no open round here' };
    if (st.secure !== undefined)
      return { ok: false, reason: 'secure_only', detail: 'this cluster aggregates securely (--secure-agg)' };
    if (term !== st.collector.term)
      return { ok: false, reason: 'wrong_term', detail: `term ${st.collector.term}` };
    const v = st.collector.add(round, { from, samples, delta }, this.c.clock.now());
    if (v.ok)
      logEvent(this.c, { event: 'update_received', cluster: st.collector.cluster, round, from, samples });
    return v;
  }

  /** One evaluation of the state machine (on the driver's timer). */
  step(): void {
    const s = this.session;
    if (s === undefined || s.closed || !s.isHead) return;
    const now = this.c.clock.now();
    const st = this.st;
    if (st.kind === 'open') {
      if (st.secure ? st.secure.shouldClose(now) : st.collector.shouldClose(now))
        void this.close(s, st.collector, st.base, st.secure);
      return;
    }
    if (st.kind !== 'waiting') return;
    const why = this.notDue(now) ?? this.deps.catchUp?.check(s, Math.max(s.announcedRound, s.headRound));
    if (why !== undefined) {
      if (why !== st.reason) this.st = { kind: 'waiting', reason: why, since: now };
      return;
    }
    this.open(s, now);
  }

  /** Why no round opens now, or undefined when one is due. */
  private notDue(now: number): string | undefined {
    const { c } = this;
    const held = c.store.model;
    if (held === undefined) return 'no model';
    const target = c.settings.rounds;
    if (target !== undefined && (held.round >= target || this.deps.headRound() >= target))
      return 'run complete';
    if (!this.deps.isReady()) return 'start-up gate';
    const size = this.deps.members().length;
    if (size < c.settings.minClusterSize) return `cluster smaller than ${c.settings.minClusterSize}`;
    if (size <= 1 && held.round === 0 && now - this.startedAt < c.timing.soloStartMs)
      return 'alone: looking for peers';
    // Our own update is the only one a round could get, and our budget allows none: a round would
    // close empty and reopen forever (a DP test once did, 100 s of round_empty).
    if (size <= 1 && this.deps.privacy?.spent === true) {
      if (!this.spentSaid) {
        this.spentSaid = true;
        notice(
          c,
          'warn',
          'no round opens: our privacy budget allows no update and no other member is in the cluster; ' +
            'waiting for members to join',
          'dp_no_round',
        );
      }
      return 'privacy budget spent; no member to aggregate';
    }
    if (now < this.nextRoundAt) return 'round gap';
    if (now - this.deps.lastViewChange() < c.timing.settleMs) return 'view settling';
    // Clusters move in near lockstep, as the simulator's: round r's global step takes the other
    // clusters' models of round r - 1, so a cluster ahead waits for them (bounded, then goes on).
    const next = held.round + 1;
    const behind = next >= 2 ? this.deps.othersBehind?.(next) : undefined;
    if (behind !== undefined) {
      if (this.syncFor !== next) {
        this.syncFor = next;
        this.syncSince = now;
        notice(
          c,
          'info',
          `round ${next}: waiting up to ${(c.timing.globalSyncMs / 1000).toFixed(1)} s for other clusters (${behind})`,
          'global_sync',
        );
      }
      if (now - this.syncSince < c.timing.globalSyncMs) return `other clusters behind: ${behind}`;
    }
    return undefined;
  }

  private roundOf(): number {
    const st = this.st;
    return st.kind === 'open'
      ? st.collector.round
      : st.kind === 'closing' || st.kind === 'finished'
        ? st.round
        : 0;
  }

  private open(s: ClusterSession, now: number): void {
    const { c } = this;
    let base = c.store.model as HeldModel;
    if (base.round === 0) {
      // The initial model's input scaler pools the members' fingerprints: rebuild it over the
      // cluster as it opens its first round (the head may have been elected before all arrived).
      base = { ...base, weights: this.deps.clusterInit() };
      c.store.set(base);
    }
    const term = s.election.term;
    const round = base.round + 1;
    const members = new Set(this.deps.members());
    members.add(c.self);
    const expected = this.activity.expected(members, round);
    const sorted = [...members].sort();
    const secure = this.deps.secure?.head.open({
      cluster: s.cluster,
      round,
      term,
      members: sorted,
      // The head's own update reaches a secure round in process: it is never a silent member.
      expected: new Set([...expected, c.self]),
      openedAt: now,
    });
    const collector = new RoundCollector<WeightSet>(
      s.cluster,
      round,
      term,
      members,
      now,
      {
        deadlineMs: c.timing.roundDeadlineMs,
        quorumFraction: c.timing.quorumFraction,
        quorumGraceMs: c.timing.quorumGraceMs,
      },
      expected,
    );
    if (expected.size < members.size)
      notice(
        c,
        'info',
        `round ${round}: not waiting for ${members.size - expected.size} members that sent nothing in the last ${ACTIVITY_ROUNDS} rounds`,
        'inactive_members',
      );
    this.st = { kind: 'open', collector, base, ...(secure ? { secure } : {}) };
    const ro: RoundOpenMsg = {
      kind: 'round_open',
      cluster: s.cluster,
      round,
      term,
      head: c.self,
      deadlineMs: c.timing.roundDeadlineMs,
      specHash: c.spec,
      members: sorted,
      sentAt: now,
    };
    void c.gossip.publish(clusterTopic(s.cluster), encodeGossip(ro));
    logEvent(c, { event: 'round_opened', cluster: s.cluster, round, term, head: c.self });
    const current = (): boolean => this.st.kind === 'open' && this.st.collector === collector;
    void headSelfUpdate(c, this.deps, s, collector, base.weights, secure, current);
  }

  private async close(
    s: ClusterSession,
    col: RoundCollector<WeightSet>,
    base: HeldModel,
    secure: SecureRound | undefined,
  ): Promise<void> {
    const { c } = this;
    const plain = col.close();
    // Under --secure-agg, taking part is advertising a key (the head never sees who sent what).
    if (secure === undefined)
      this.activity.record(
        col.members,
        plain.map((u) => u.from),
        col.round,
      );
    else this.activity.record(col.members, secure.advertised(), col.round);
    this.st = { kind: 'closing', round: col.round };
    const live = (): boolean => !s.closed && s.isHead && this.session === s && this.st.kind === 'closing';
    const sum = secure ? await secureSum(c, this.deps.secure?.head, secure) : undefined;
    if (secure && !live()) return;
    const updates = sum?.updates ?? plain;
    const epsilon = this.deps.privacy?.epsilon();
    logEvent(c, {
      event: 'round_closed',
      cluster: col.cluster,
      round: col.round,
      updates: sum?.contributors ?? updates.length,
      quorum: col.quorum,
      ...(epsilon !== undefined ? { epsilon } : {}),
    });
    try {
      if (sum?.failed) return this.reopenLater();
      if (updates.length === 0) {
        notice(
          c,
          'warn',
          `round ${col.round}: no update arrived before the deadline; model unchanged`,
          'round_empty',
        );
        return this.reopenLater();
      }
      const others = await this.deps.othersForGlobal(s.signal, col.round);
      if (!live()) return;
      const out = await c.learner.headRound({
        theta: base.weights,
        updates: updates.map((u) => ({ from: u.from, delta: u.delta, samples: u.samples })),
        others: others.map((o) => o.weights),
        global: c.store.global,
        sharedPart: this.deps.sharedPart(),
      });
      if (!live()) return;
      for (const d of out.discarded)
        notice(
          c,
          'warn',
          `round ${col.round}: update of ${d.from} discarded (${d.reason})`,
          'update_discarded',
        );
      if (!out.verdict.ok)
        notice(
          c,
          'warn',
          `round ${col.round}: aggregate refused on our own data, model kept: ${out.verdict.reason}`,
          'aggregate_refused',
        );
      c.store.global = out.global;
      if (others.length > 0)
        logEvent(c, {
          event: 'global_model_updated',
          round: col.round,
          clusters: [col.cluster, ...others.map((o) => o.cluster)].sort(),
        });
      // FedZDA head: fine-tune the accepted aggregate on a class-balanced synthetic set before publishing.
      let weights = out.theta;
      let zdaSet: SharedSet | undefined;
      if (c.settings.augment === 'head' && out.verdict.ok) {
        const z = await augmentRound(c, 'head', col.cluster, col.round, out.theta, this.deps.teachers);
        if (!live()) return;
        weights = z?.weights ?? weights;
        zdaSet = z?.samples;
      }
      const held: HeldModel = {
        cluster: col.cluster,
        round: col.round,
        term: col.term,
        weights,
        source: c.self,
      };
      c.store.set(held);
      s.setRound(col.round);
      await announceModel(c, s.cluster, held);
      // FedZDA head (headShares): the members train and personalise on the head's set too.
      if (zdaSet !== undefined)
        void this.deps.shareSet?.({ cluster: col.cluster, round: col.round, term: col.term }, zdaSet, [
          ...col.members,
        ]);
      const target = c.settings.rounds;
      if (target !== undefined && col.round >= target)
        this.st = { kind: 'finished', round: col.round, since: c.clock.now() };
      else this.reopenLater();
      c.bus.emit('model:adopted', { model: held });
    } catch (err) {
      if (live()) {
        notice(c, 'warn', `round ${col.round} could not close: ${(err as Error).message}`, 'round_failed');
        this.reopenLater();
      }
    }
  }

  private reopenLater(): void {
    const now = this.c.clock.now();
    this.nextRoundAt = now + this.c.timing.roundGapMs;
    this.st = { kind: 'waiting', reason: 'round gap', since: now };
  }
}
