// The head's side of a round (cluster-level meta training): open a round, collect the members'
// updates (its own included), close on everyone / quorum + grace / deadline, take the cluster
// and global step off the event loop, check the result, publish. One explicit state at a time.
import { ppfmSeeds, type WeightSet } from '@ppfm/meta/light';
import {
  clusterTopic,
  encodeGossip,
  encodeModelEnvelope,
  TOPIC_HEADS,
  type RoundOpenMsg,
} from '@ppfm/protocol';
import type { Cancel } from '../clock.js';
import { logEvent, notice, type PeerComponents } from '../components.js';
import { augmentRound } from './augmentation.js';
import { unflattenWeights } from '../privacy/vector.js';
import { RoundCollector, type RoundUpdate, type UpdateVerdict } from '../rounds.js';
import type { ClusterSession } from './cluster-session.js';
import type { HeldModel } from './model-store.js';
import { describeAbort, type SecureHead, type SecureRound } from './secagg-head.js';
import type { SecureMember } from './secagg-member.js';
import type { UpdatePrivacy } from './update-privacy.js';

/**
 * inactive: not head. waiting: head, a round is not due yet (`reason` says why, since when).
 * open: collecting the updates of `collector.round` (with --secure-agg, `secure` runs the round and
 * the head ends with their sum). closing: aggregating and publishing it.
 * finished: the target round is published; serving it until the members have it.
 */
export type HeadState =
  | { kind: 'inactive' }
  | { kind: 'waiting'; reason: string; since: number }
  | { kind: 'open'; collector: RoundCollector<WeightSet>; base: HeldModel; secure?: SecureRound }
  | { kind: 'closing'; round: number }
  | { kind: 'finished'; round: number; since: number };

export type HeadComponents = Pick<
  PeerComponents,
  'self' | 'clock' | 'bus' | 'timing' | 'settings' | 'gossip' | 'learner' | 'store' | 'spec'
>;

/** What the head driver needs from the rest of the peer. */
export interface HeadDeps {
  isReady(): boolean;
  /** Live members of our cluster (self included). */
  members(): string[];
  /** When the view last changed (rounds wait for it to settle). */
  lastViewChange(): number;
  /** Other clusters' newest models for the global step (pulled before each close). */
  othersForGlobal(
    signal: AbortSignal,
    beforeRound: number,
  ): Promise<{ cluster: string; weights: WeightSet }[]>;
  sharedPart(): 'body' | 'head';
  /**
   * Why the other clusters are not ready for our round `round` (their heads hold less than round
   * - 1, whose models its global step takes), or undefined when they are.
   */
  othersBehind?(round: number): string | undefined;
  /** The highest round our former head announced (a finished run never goes on alone). */
  headRound(): number;
  /** The first model of this cluster's lineage: the shared network behind the cluster's scaler. */
  clusterInit(): WeightSet;
  /** Differential privacy of the head's own update (--dp-*). */
  privacy?: UpdatePrivacy;
  /** Secure aggregation (--secure-agg): the round yields the members' sum, not their updates. */
  secure?: { head: SecureHead; member: SecureMember };
}

/** A member that sent nothing for this many rounds is not waited for (it may still contribute). */
export const ACTIVITY_ROUNDS = 2;

/**
 * Who contributes: rounds stop waiting for members that were offered the last ACTIVITY_ROUNDS
 * rounds and sent nothing (silent Sybils, stragglers that never make the deadline), so that they
 * cannot hold every round to its deadline. Newcomers are waited for until they had their chance.
 */
export class MemberActivity {
  /** Per member: the first round it was offered, and the last round it contributed to. */
  private readonly offered = new Map<string, number>();
  private readonly contributed = new Map<string, number>();

  /** Records a closed round: who was offered it and who contributed. */
  record(members: Iterable<string>, from: Iterable<string>, round: number): void {
    for (const m of members) if (!this.offered.has(m)) this.offered.set(m, round);
    for (const f of from) this.contributed.set(f, round);
  }

  /** The members round `round` should wait for. */
  expected(members: ReadonlySet<string>, round: number): Set<string> {
    const out = new Set<string>();
    for (const m of members) {
      const first = this.offered.get(m);
      const last = this.contributed.get(m);
      const newcomer = first === undefined || round - first <= ACTIVITY_ROUNDS;
      if (newcomer || (last !== undefined && round - last <= ACTIVITY_ROUNDS)) out.add(m);
    }
    return out;
  }
}

/** Drives rounds while this peer heads its cluster. */
export class HeadRounds {
  private st: HeadState = { kind: 'inactive' };
  private session: ClusterSession | undefined;
  private timer: Cancel | undefined;
  private nextRoundAt = 0;
  private readonly activity = new MemberActivity();
  private readonly startedAt: number;

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
    const why = this.notDue(now);
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
    void this.selfUpdate(s, collector, base.weights, secure);
  }

  /** The head is a member too: its own update goes straight into the collector. */
  private async selfUpdate(
    s: ClusterSession,
    col: RoundCollector<WeightSet>,
    theta: WeightSet,
    secure: SecureRound | undefined,
  ): Promise<void> {
    const { c } = this;
    const ref = { cluster: col.cluster, round: col.round, term: col.term, members: [...col.members].sort() };
    try {
      if (this.deps.privacy?.admit(col.round, ref) === false) return;
      if (c.settings.augment === 'member') await augmentRound(c, 'member', col.cluster, col.round, theta);
      if (s.closed || this.st.kind !== 'open' || this.st.collector !== col) return;
      const r = await c.learner.train(theta, ppfmSeeds.round(c.settings.seed, col.round));
      if (s.closed || this.st.kind !== 'open' || this.st.collector !== col) return;
      if (r.kind === 'diverged') {
        notice(c, 'warn', `round ${col.round}: own update withheld: ${r.reason}`, 'update_withheld');
        return;
      }
      const out = this.deps.privacy ? await this.deps.privacy.prepare(ref, r.delta) : r;
      if (secure !== undefined && this.deps.secure !== undefined) {
        const own = { ...ref, head: c.self, deadlineMs: c.timing.roundDeadlineMs };
        await this.deps.secure.member.contributeOwn(secure, own, out.delta, out.samples, s.signal);
        return;
      }
      if (col.add(col.round, { from: c.self, samples: out.samples, delta: out.delta }, c.clock.now()).ok)
        logEvent(c, {
          event: 'update_received',
          cluster: col.cluster,
          round: col.round,
          from: c.self,
          samples: out.samples,
        });
    } catch (err) {
      if (!s.closed)
        notice(
          c,
          'warn',
          `round ${col.round}: own training failed: ${(err as Error).message}`,
          'train_failed',
        );
    }
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
    const sum = secure ? await this.secureSum(secure) : undefined;
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
      if (c.settings.augment === 'head' && out.verdict.ok) {
        const z = await augmentRound(c, 'head', col.cluster, col.round, out.theta);
        if (!live()) return;
        weights = z?.weights ?? weights;
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
      await this.announce(s, held);
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

  /** Runs the secure round to its end: the members' mean as one update (weighted by their weight sum). */
  private async secureSum(
    sr: SecureRound,
  ): Promise<{ updates: RoundUpdate<WeightSet>[]; contributors: number; failed: boolean }> {
    const out = await sr.finish();
    this.deps.secure?.head.close(sr);
    if (out.kind === 'aborted') {
      notice(
        this.c,
        'warn',
        `round ${sr.round.round}: secure aggregation failed, model unchanged: ${describeAbort(out.abort)}`,
        'secagg_failed',
      );
      return { updates: [], contributors: 0, failed: true };
    }
    const { mean, weightSum, contributors } = out.result;
    if (mean === undefined) return { updates: [], contributors: contributors.length, failed: false };
    const delta = unflattenWeights(mean, this.c.store.template);
    return {
      updates: [{ from: 'secure-sum', samples: weightSum, delta }],
      contributors: contributors.length,
      failed: false,
    };
  }

  private reopenLater(): void {
    const now = this.c.clock.now();
    this.nextRoundAt = now + this.c.timing.roundGapMs;
    this.st = { kind: 'waiting', reason: 'round gap', since: now };
  }

  /** Announces the new model on the cluster topic (members fetch it) and to the other heads. */
  private async announce(s: ClusterSession, m: HeldModel): Promise<void> {
    const { c } = this;
    const announce = encodeGossip({
      kind: 'model_announce',
      cluster: m.cluster,
      round: m.round,
      term: m.term,
      head: c.self,
      specHash: c.spec,
      sentAt: c.clock.now(),
    });
    await c.gossip.publish(clusterTopic(s.cluster), announce);
    await c.gossip.publish(TOPIC_HEADS, announce);
    const bytes = encodeModelEnvelope({
      modelId: `${m.cluster}/round-${m.round}`,
      scope: { kind: 'cluster', cluster: m.cluster },
      round: m.round,
      term: m.term,
      specHash: c.spec,
      codec: c.settings.codec,
      weights: m.weights,
    }).length;
    logEvent(c, {
      event: 'cluster_model_published',
      cluster: m.cluster,
      round: m.round,
      term: m.term,
      bytes,
    });
  }
}
