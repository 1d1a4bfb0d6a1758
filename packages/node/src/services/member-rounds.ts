// The member's side of a round (task-level training): on the head's RoundOpen, get exactly the
// round's base model, train on local data (in the learning engine), push the difference. Between
// rounds, catch up with the head's newest model. A head that makes no progress, or publishes a
// model worse than chance on our data, is deposed. One explicit state at a time.
import { peerIdFromString } from '@libp2p/peer-id';
import { acceptCandidate, ppfmSeeds, type EvalResult, type WeightSet } from '@ppfm/meta/light';
import { decodeDirect, encodeUpdateEnvelope, PROTOCOL_UPDATE_PUSH, type RoundOpenMsg } from '@ppfm/protocol';
import type { Cancel } from '../clock.js';
import { notice, type PeerComponents } from '../components.js';
import { augmentRound } from './augmentation.js';
import type { ModelClient } from '../net/model-client.js';
import { request } from '../streams.js';
import type { ClusterSession } from './cluster-session.js';
import type { HeldModel } from './model-store.js';
import type { SecureMember } from './secagg-member.js';
import type { TeacherSource } from './teachers.js';
import type { UpdatePrivacy } from './update-privacy.js';

/** inactive: not a member (head, or no cluster). idle: following a head, no work. busy: doing `what` for `round`. */
export type MemberState =
  | { kind: 'inactive' }
  | { kind: 'idle'; since: number }
  | {
      kind: 'busy';
      what: 'fetching' | 'training' | 'pushing' | 'catching_up';
      round: number;
      head: string;
      since: number;
    };

export type MemberComponents = Pick<
  PeerComponents,
  'self' | 'clock' | 'bus' | 'timing' | 'settings' | 'learner' | 'store' | 'spec' | 'libp2p'
>;

export interface MemberDeps {
  isReady(): boolean;
  client: ModelClient;
  /** Whether the run still expects rounds (progress watchdog). */
  roundsDue(): boolean;
  /** Differential privacy of the update as it leaves this peer (--dp-*). */
  privacy?: UpdatePrivacy;
  /** Secure aggregation (--secure-agg): the update goes through SecAgg instead of a plain push. */
  secure?: SecureMember;
  /** FedZDA teachers (--augment member): other clusters' models for the classes ours lacks. */
  teachers?: TeacherSource;
}

/** How long a deposed head may not lead again. */
const BAN_MS = 60_000;

/** Drives this peer's part in its head's rounds. */
export class MemberRounds {
  private st: MemberState = { kind: 'inactive' };
  private session: ClusterSession | undefined;
  private pending: RoundOpenMsg | undefined;
  private catchUp: { head: string; round: number } | undefined;
  private watchdog: Cancel | undefined;
  private gate: Cancel | undefined;
  /** Validation-split evaluation of the model we hold (to refuse a poisoned successor). */
  private heldEval: { round: number; source: string; eval: EvalResult } | undefined;
  /** The last newer_model_kept said (head, lineage, round): said once, not on every lease. */
  private keptSaid = '';

  constructor(
    private readonly c: MemberComponents,
    private readonly deps: MemberDeps,
  ) {}

  get state(): MemberState {
    return this.st;
  }

  /** This peer is a member of `session`'s cluster now. */
  activate(session: ClusterSession): void {
    this.deactivate();
    this.session = session;
    this.st = { kind: 'idle', since: this.c.clock.now() };
    this.armWatchdog();
  }

  deactivate(): void {
    this.watchdog?.();
    this.gate?.();
    this.watchdog = this.gate = undefined;
    this.session = undefined;
    this.pending = undefined;
    this.catchUp = undefined;
    this.st = { kind: 'inactive' };
  }

  /** The followed head opened a round. */
  onRoundOpen(m: RoundOpenMsg, s: ClusterSession): void {
    if (s !== this.session) return;
    this.pending = m;
    this.armWatchdog();
    this.kick();
  }

  /** The followed head has a newer model than ours (announcement or lease). */
  onNewModel(head: string, round: number, s: ClusterSession): void {
    if (s !== this.session) return;
    if (this.catchUp === undefined || round > this.catchUp.round) this.catchUp = { head, round };
    this.armWatchdog();
    this.kick();
  }

  /** Runs queued work, one piece at a time: a pending round first, then a catch-up. */
  private kick(): void {
    if (this.st.kind !== 'idle') return;
    const s = this.session;
    if (s === undefined || s.closed) return;
    if (this.pending !== undefined && !this.deps.isReady()) {
      // The start-up gate holds the round; re-check shortly (the gate says what it waits for).
      this.gate ??= this.c.clock.after(200, () => {
        this.gate = undefined;
        this.kick();
      });
      return;
    }
    const work =
      this.pending !== undefined
        ? this.contribute(s, this.pending)
        : this.catchUp !== undefined
          ? this.fetchNewer(s, this.catchUp)
          : undefined;
    if (this.pending !== undefined) this.pending = undefined;
    else this.catchUp = undefined;
    if (work === undefined) return;
    void work
      .catch((err: unknown) => {
        if (!s.closed)
          notice(this.c, 'warn', `member work failed: ${(err as Error).message}`, 'member_failed');
      })
      .finally(() => {
        if (this.session !== s) return;
        this.st = { kind: 'idle', since: this.c.clock.now() };
        this.kick();
      });
  }

  private busy(what: Extract<MemberState, { kind: 'busy' }>['what'], round: number, head: string): void {
    this.st = { kind: 'busy', what, round, head, since: this.c.clock.now() };
  }

  /** One round: base model, local training, push. */
  private async contribute(s: ClusterSession, ro: RoundOpenMsg): Promise<void> {
    const { c } = this;
    if (s.election.head !== ro.head || s.isHead) return;
    if (this.deps.privacy?.admit(ro.round, ro) === false) return;
    // Under --secure-agg an update never leaves in the clear: no secure round, no update.
    const insecure = this.deps.secure?.cannotJoin(ro);
    if (insecure !== undefined)
      return notice(c, 'info', `round ${ro.round}: update not sent: ${insecure}`, 'secagg_skipped');
    let theta = c.store.model;
    if (
      theta === undefined ||
      theta.cluster !== ro.cluster ||
      theta.source !== ro.head ||
      theta.round !== ro.round - 1
    ) {
      this.busy('fetching', ro.round, ro.head);
      const got = await this.deps.client.fetch(ro.head, ro.cluster, ro.round - 1, s.signal);
      if (got === undefined || s.closed) {
        if (!s.closed)
          notice(
            c,
            'warn',
            `round ${ro.round}: could not fetch the base model from the head; skipping the round`,
            'round_skipped',
          );
        return;
      }
      theta = got;
      if (await this.accept(s, got)) c.bus.emit('model:adopted', { model: got });
      if (c.store.model !== got) return; // refused
    }
    if (c.settings.augment === 'member') {
      await augmentRound(c, 'member', ro.cluster, ro.round, theta.weights, this.deps.teachers);
      if (s.closed || s.election.head !== ro.head) return;
    }
    this.busy('training', ro.round, ro.head);
    const r = await c.learner.train(theta.weights, ppfmSeeds.round(c.settings.seed, ro.round));
    if (s.closed || s.election.head !== ro.head) return;
    if (r.kind === 'diverged') {
      notice(c, 'warn', `round ${ro.round}: update withheld: ${r.reason}`, 'update_withheld');
      return;
    }
    this.busy('pushing', ro.round, ro.head);
    const out = this.deps.privacy ? await this.deps.privacy.prepare(ro, r.delta) : r;
    if (s.closed) return;
    if (this.deps.secure !== undefined)
      await this.deps.secure.contribute(ro, out.delta, out.samples, s.signal);
    else await this.push(s, ro, out.delta, out.samples);
  }

  private async push(s: ClusterSession, ro: RoundOpenMsg, delta: WeightSet, samples: number): Promise<void> {
    const { c } = this;
    // Gossip may already say the round is over: the head would refuse the update, so keep it.
    const over =
      s.headRound >= ro.round
        ? `the head already published round ${s.headRound}`
        : this.pending !== undefined && this.pending.round > ro.round
          ? `the head already opened round ${this.pending.round}`
          : undefined;
    if (over !== undefined)
      return notice(c, 'info', `round ${ro.round}: update not sent: ${over}`, 'push_skipped');
    let resp: Uint8Array;
    try {
      resp = await request(
        c.libp2p,
        peerIdFromString(ro.head),
        PROTOCOL_UPDATE_PUSH,
        encodeUpdateEnvelope({
          cluster: ro.cluster,
          baseRound: ro.round,
          term: ro.term,
          sampleCount: samples,
          specHash: c.spec,
          codec: c.settings.codec,
          weights: delta,
        }),
        { maxBytes: 64 * 1024, timeoutMs: c.timing.pushTimeoutMs },
        s.signal,
      );
    } catch (err) {
      if (!s.closed)
        notice(
          c,
          'info',
          `round ${ro.round}: update not delivered (${(err as Error).message})`,
          'push_failed',
        );
      return;
    }
    const r = decodeDirect(resp);
    if (r.ok && r.value.kind === 'error')
      notice(
        c,
        'info',
        `round ${ro.round}: head refused the update: ${r.value.code}: ${r.value.message}`,
        'push_refused',
      );
  }

  /** Fetches the head's newest model when it is newer than ours. */
  private async fetchNewer(s: ClusterSession, want: { head: string; round: number }): Promise<void> {
    const { c } = this;
    if (s.election.head !== want.head || s.isHead) return;
    const held = c.store.model;
    const sameLine = held !== undefined && held.source === want.head && held.cluster === s.cluster;
    if (sameLine && held.round >= want.round) return;
    if (!sameLine && held !== undefined && held.round > want.round) return this.keepNewer(want, held);
    this.busy('catching_up', want.round, want.head);
    const got = await this.deps.client.fetch(want.head, s.cluster, sameLine ? held.round + 1 : 0, s.signal);
    if (got === undefined || s.closed || s.isHead) return;
    if (await this.accept(s, got)) c.bus.emit('model:adopted', { model: got });
  }

  /**
   * A new head (a failover, or a heal that merged two sides) holds an older round than ours: keep
   * ours until it opens a round or publishes a newer one. Our heartbeats go on claiming our round,
   * and a head continues from the newest model its members hold (head-catch-up.ts) before it opens
   * one; taking its older model at once would erase that claim and lose the rounds made meanwhile.
   */
  private keepNewer(want: { head: string; round: number }, held: HeldModel): void {
    const key = `${want.head}:${held.source}:${held.round}`;
    if (this.keptSaid === key) return;
    this.keptSaid = key;
    notice(
      this.c,
      'info',
      `head ${want.head} holds round ${want.round}, older than our round ${held.round}: keeping ours until it ` +
        'opens a round (it may continue from ours)',
      'newer_model_kept',
    );
  }

  /**
   * Adopts a fetched model unless it is older in its lineage, or clearly worse than the one we
   * hold on our own held-out data (a poisoned aggregate): then the head is deposed.
   */
  private async accept(s: ClusterSession, got: HeldModel): Promise<boolean> {
    const { c } = this;
    const held = c.store.model;
    if (
      held !== undefined &&
      held.cluster === got.cluster &&
      held.source === got.source &&
      got.round <= held.round
    )
      return false;
    // On our own training data, as the head checks its aggregate (the held-out split is for reporting).
    const now = await c.learner.evaluate(got.weights, 'train');
    if (s.closed) return false;
    if (held !== undefined && held.round > 0) {
      const prev =
        this.heldEval !== undefined &&
        this.heldEval.round === held.round &&
        this.heldEval.source === held.source
          ? this.heldEval.eval
          : await c.learner.evaluate(held.weights, 'train');
      const verdict = acceptCandidate(prev, now, c.learner.info.task.numClasses);
      if (!verdict.ok) {
        notice(
          c,
          'warn',
          `refused round ${got.round} from head ${got.source}: ${verdict.reason}; deposing it`,
          'model_refused',
        );
        s.banHead(got.source, BAN_MS);
        return false;
      }
    }
    if (!c.store.adopt(got)) return false;
    this.heldEval = { round: got.round, source: got.source, eval: now };
    return true;
  }

  /** Deposes a followed head that opens no round and publishes nothing for progressTimeoutMs. */
  private armWatchdog(): void {
    this.watchdog?.();
    const s = this.session;
    if (s === undefined) return;
    this.watchdog = this.c.clock.after(this.c.timing.progressTimeoutMs, () => {
      const head = s.election.head;
      if (s.closed || this.session !== s || head === undefined || s.isHead) return this.armWatchdog();
      if (!this.deps.isReady() || !this.deps.roundsDue() || this.st.kind === 'busy')
        return this.armWatchdog();
      notice(
        this.c,
        'warn',
        `head ${head} made no progress for ${Math.round(this.c.timing.progressTimeoutMs / 1000)} s; deposing it`,
        'head_stalled',
      );
      s.banHead(head, BAN_MS);
      this.armWatchdog();
    });
  }
}
