// A head continues from the newest model its cluster holds, not only from its own. After a
// partition heals, the election's rule (the higher term wins) can make head a peer that was cut
// off and holds an older model than the members who kept training on the other side; without
// this, the cluster would go on from the older model and lose the rounds made meanwhile.
// Members' heartbeats say which round they hold; the head fetches the newest such model, checks
// it on its own training data as it checks an aggregate, and continues from it.
import { acceptCandidate } from '@ppfm/meta/light';
import { notice, type PeerComponents } from '../components.js';
import type { ClusterSession } from './cluster-session.js';
import type { RoleClaim } from './membership.js';
import type { HeldModel } from './model-store.js';

export type HeadCatchUpComponents = Pick<PeerComponents, 'self' | 'bus' | 'store' | 'learner'>;

export interface HeadCatchUpDeps {
  /** The latest heartbeat claims of other peers (cluster, role, round held). */
  claims(): ReadonlyMap<string, RoleClaim>;
  /** Live members of our cluster (self included). */
  members(): string[];
  fetch(peer: string, cluster: string, minRound: number, signal: AbortSignal): Promise<HeldModel | undefined>;
}

/** idle: nothing newer known (or all tried). fetching: a newer model is being fetched and checked. */
type CatchUpState = { kind: 'idle' } | { kind: 'fetching'; peer: string; round: number };

/** Finds and adopts a newer model of our cluster held by a member. */
export class HeadCatchUp {
  private st: CatchUpState = { kind: 'idle' };
  /** Peer -> the highest round we already tried to take from it (a refused or failed fetch is not retried). */
  private readonly tried = new Map<string, number>();

  constructor(
    private readonly c: HeadCatchUpComponents,
    private readonly deps: HeadCatchUpDeps,
  ) {}

  /** Forget what was tried (a new headship). */
  reset(): void {
    this.tried.clear();
  }

  /**
   * Why the head must not open a round yet: it is taking a newer model from a member; undefined
   * when no member holds a newer model of this cluster. A round is believed when a head of this
   * cluster announced it (`bound`) or when two members claim it: one member's claim alone cannot
   * move the cluster ahead (a liar would end the run early).
   */
  check(s: ClusterSession, bound: number): string | undefined {
    if (this.st.kind === 'fetching') return `catching up: round ${this.st.round} from ${this.st.peer}`;
    const held = this.c.store.model;
    if (held === undefined) return undefined;
    const members = new Set(this.deps.members());
    const newer: { peer: string; round: number }[] = [];
    for (const [peer, claim] of this.deps.claims()) {
      if (peer === this.c.self || !members.has(peer) || claim.cluster !== s.cluster) continue;
      if (claim.round > held.round) newer.push({ peer, round: claim.round });
    }
    newer.sort((a, b) => b.round - a.round);
    const corroborated = newer[1]?.round ?? 0;
    const believed = Math.max(corroborated, Math.min(bound, newer[0]?.round ?? 0));
    // The member with the lowest claim at or above the believed round, not tried at it yet.
    const pick = newer.filter((n) => n.round >= believed && (this.tried.get(n.peer) ?? -1) < believed).at(-1);
    if (pick === undefined || believed <= held.round) return undefined;
    this.tried.set(pick.peer, believed);
    this.st = { kind: 'fetching', peer: pick.peer, round: believed };
    void this.take(s, pick.peer, believed, held).finally(() => {
      this.st = { kind: 'idle' };
    });
    return `catching up: round ${believed} from ${pick.peer}`;
  }

  private async take(s: ClusterSession, peer: string, round: number, held: HeldModel): Promise<void> {
    const { c } = this;
    notice(
      c,
      'info',
      `member ${peer} holds round ${round} of ${s.cluster}, newer than our ${held.round}: continuing from it`,
      'head_catch_up',
    );
    const got = await this.deps.fetch(peer, s.cluster, round, s.signal).catch(() => undefined);
    if (s.closed || !s.isHead) return;
    if (got === undefined || got.cluster !== s.cluster || got.round < round) {
      notice(
        c,
        'warn',
        `could not fetch round ${round} from ${peer}; going on from ${held.round}`,
        'catch_up_failed',
      );
      return;
    }
    // Checked as an aggregate is (meta's acceptCandidate); a round-0 model has nothing to lose.
    const verdict =
      held.round > 0
        ? acceptCandidate(
            await c.learner.evaluate(held.weights, 'train'),
            await c.learner.evaluate(got.weights, 'train'),
            c.learner.info.task.numClasses,
          )
        : { ok: true };
    if (s.closed || !s.isHead) return;
    if (!verdict.ok) {
      notice(
        c,
        'warn',
        `refused round ${got.round} from ${peer}: ${'reason' in verdict ? verdict.reason : 'worse'}; going on from ${held.round}`,
        'catch_up_failed',
      );
      return;
    }
    // The head's own lineage from here on: members adopt what it publishes next. Never above the
    // believed round: the server may hold more than was announced or corroborated.
    const at = Math.min(got.round, round);
    c.store.set({
      cluster: s.cluster,
      round: at,
      term: s.election.term,
      weights: got.weights,
      source: c.self,
    });
    s.setRound(at);
    c.bus.emit('model:adopted', { model: c.store.model as HeldModel });
  }
}
