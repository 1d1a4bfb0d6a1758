// Global-level meta training, the heads' side: while this peer heads a cluster it listens on the
// heads topic for other clusters' new models, fetches them from their heads, and hands the
// newest of each live cluster to the round close. A model counts only from a peer that belongs
// to that cluster in our own view and claims its headship in its heartbeats; a model far from
// ours on the shared part is left out (bounded influence of a hostile head).
import { norm, sharedTensors, subtract, type SharedPart, type WeightSet } from '@ppfm/meta/light';
import { decodeGossip, TOPIC_HEADS, type GossipMessage } from '@ppfm/protocol';
import { notice, type PeerComponents } from '../components.js';
import type { ClusterMap } from '../clustering.js';
import { ACCEPT, ignore, reject, type ValidationResult } from '@ppfm/protocol';
import { freshness } from '../validation/fresh.js';
import type { ModelClient } from '../net/model-client.js';
import type { Membership } from './membership.js';

export type GlobalComponents = Pick<
  PeerComponents,
  'self' | 'clock' | 'bus' | 'gossip' | 'store' | 'timing' | 'spec'
>;

interface OtherModel {
  head: string;
  round: number;
  weights: WeightSet;
}

/** A model of another cluster farther than this multiple of our own model's norm is left out. */
const MAX_DISTANCE_RATIO = 10;
/** Models kept per other cluster (a round's step uses the newest one of an earlier round). */
const HISTORY = 3;

/** The heads topic and the other clusters' models. */
export class GlobalLevel {
  /** Per other cluster: its recent models, oldest first. */
  private readonly others = new Map<string, OtherModel[]>();
  private cluster: string | undefined;
  private joined = false;
  /** Called whenever a model of another cluster is stored (waits for a round's model). */
  private readonly stored = new Set<() => void>();

  constructor(
    private readonly c: GlobalComponents,
    private readonly membership: Membership,
    private readonly client: ModelClient,
    private readonly map: () => ClusterMap | undefined,
    private readonly sharedPart: () => SharedPart,
  ) {}

  /** Joins the heads topic as head of `cluster`. */
  activate(cluster: string): void {
    if (this.cluster !== cluster) this.others.clear();
    this.cluster = cluster;
    if (this.joined) return;
    this.joined = true;
    this.c.gossip.join<GossipMessage>(TOPIC_HEADS, {
      maxBytes: 64 * 1024,
      decode: (b) => decodeGossip(b, { maxControlBytes: 64 * 1024 }),
      kindOf: (m) => m.kind,
      validate: (m, from) => this.validate(m, from),
      apply: (m, from) => this.apply(m, from),
    });
  }

  /** No longer a head: leave the topic. */
  deactivate(): void {
    if (!this.joined) return;
    this.joined = false;
    this.c.gossip.leave(TOPIC_HEADS);
  }

  /** [REJECT]/[IGNORE] rules of the heads topic (no state change). */
  validate(m: GossipMessage, from: string): ValidationResult {
    if (m.kind !== 'model_announce') return reject('wrong_topic', `${m.kind} on the heads topic`);
    if (m.head !== from) return reject('sender_mismatch', `announce for ${m.head}`);
    if (from === this.c.self) return ignore('self');
    const f = freshness(m.sentAt, this.c.clock.now(), this.c.timing.freshnessMs);
    if (f !== undefined) return f;
    if (m.specHash !== this.c.spec) return ignore('other_spec');
    const cluster = m.cluster;
    if (cluster === this.cluster) return ignore('own_cluster');
    const auth = this.authority(cluster, from);
    if (auth !== undefined) return ignore(auth, `${from} for ${cluster}`);
    const known = this.others.get(cluster)?.at(-1);
    if (known !== undefined && known.head === from && known.round >= m.round) return ignore('stale_round');
    return ACCEPT;
  }

  /** Why `from` does not speak for `cluster`, or undefined when it does. */
  private authority(
    cluster: string,
    from: string,
  ): 'unknown_cluster' | 'not_member' | 'not_leader' | undefined {
    const c = this.map()?.clusters.find((x) => x.id === cluster);
    if (c === undefined) return 'unknown_cluster';
    if (!c.members.includes(from)) return 'not_member';
    const claim = this.membership.roleClaims().get(from);
    if (claim === undefined || claim.role !== 'head' || claim.cluster !== cluster) return 'not_leader';
    return undefined;
  }

  private apply(m: GossipMessage, from: string): void {
    if (m.kind !== 'model_announce') return;
    void this.pull(m.cluster, from, m.round);
  }

  private async pull(cluster: string, head: string, round: number, signal?: AbortSignal): Promise<void> {
    const got = await this.client.fetch(head, cluster, round, signal);
    if (got === undefined) return;
    const kept = (this.others.get(cluster) ?? []).filter((o) => o.head === head);
    if (kept.some((o) => o.round >= got.round)) return;
    const own = this.c.store.model?.weights;
    if (own !== undefined) {
      // Only the shared part counts (each cluster has its own input scaler and, maybe, its own body).
      const part = this.sharedPart();
      const mine = sharedTensors(own, part);
      const d = norm(subtract(sharedTensors(got.weights, part), mine));
      const limit = MAX_DISTANCE_RATIO * Math.max(norm(mine), 1e-6);
      if (!(d <= limit)) {
        notice(
          this.c,
          'warn',
          `model of ${cluster} from ${head} left out of the global step: distance ${d.toExponential(2)} > ${limit.toExponential(2)}`,
          'global_outlier',
        );
        return;
      }
    }
    // A new head of that cluster starts a new lineage: older models of other heads are dropped.
    this.others.set(cluster, [...kept, { head, round: got.round, weights: got.weights }].slice(-HISTORY));
    for (const f of [...this.stored]) f();
  }

  /**
   * Waits (bounded) for the models of round `round` of the clusters whose heads hold the round
   * before it: they are closing it now. The simulator steps toward exactly the previous round's
   * models; taking whatever had arrived made the network's result depend on which head was faster.
   */
  private async awaitRound(round: number, clusters: string[], signal: AbortSignal): Promise<void> {
    const missing = (): string[] =>
      clusters.filter((x) => !(this.others.get(x) ?? []).some((o) => o.round >= round));
    if (round < 1 || missing().length === 0) return;
    const waitMs = Math.max(1000, this.c.timing.progressTimeoutMs / 4);
    notice(
      this.c,
      'info',
      `global step: waiting up to ${(waitMs / 1000).toFixed(1)} s for round ${round} of ${missing().join(', ')}`,
      'global_wait',
    );
    await new Promise<void>((resolve) => {
      const done = (): void => {
        cancel();
        this.stored.delete(check);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const check = (): void => {
        if (missing().length === 0) done();
      };
      const cancel = this.c.clock.after(waitMs, done);
      this.stored.add(check);
      signal.addEventListener('abort', done);
    });
    const late = missing();
    if (late.length > 0)
      notice(
        this.c,
        'info',
        `global step: no round ${round} model of ${late.join(', ')} in time; using their newest earlier one`,
        'global_wait',
      );
  }

  /**
   * The newest model of every other live cluster, for the global step: first pulls models that
   * heads announced in heartbeats but we have not fetched (missed announcements).
   */
  async othersForGlobal(
    signal: AbortSignal,
    beforeRound: number,
  ): Promise<{ cluster: string; weights: WeightSet }[]> {
    const map = this.map();
    const live = new Set((map?.clusters ?? []).map((x) => x.id));
    const jobs: Promise<void>[] = [];
    for (const [peer, claim] of this.membership.roleClaims()) {
      if (
        claim.role !== 'head' ||
        claim.cluster === undefined ||
        claim.cluster === this.cluster ||
        claim.round === 0
      )
        continue;
      if (!live.has(claim.cluster) || this.authority(claim.cluster, peer) !== undefined) continue;
      const have = this.others.get(claim.cluster)?.at(-1);
      if (have !== undefined && have.round >= claim.round) continue;
      jobs.push(this.pull(claim.cluster, peer, 0, signal));
    }
    await Promise.all(jobs);
    // Clusters one round behind us are closing round beforeRound - 1 now: worth a bounded wait.
    const closing = [...this.membership.roleClaims()]
      .filter(
        ([peer, cl]) =>
          cl.role === 'head' &&
          cl.cluster !== undefined &&
          cl.cluster !== this.cluster &&
          live.has(cl.cluster) &&
          cl.round === beforeRound - 2 &&
          this.authority(cl.cluster, peer) === undefined,
      )
      .map(([, cl]) => cl.cluster as string);
    if (!signal.aborted) await this.awaitRound(beforeRound - 1, [...new Set(closing)], signal);
    // As the simulator: round r steps toward the other clusters' models of earlier rounds (round 1
    // has none), the newest of each.
    const out = [...this.others.entries()].flatMap(([cluster, models]) => {
      if (!live.has(cluster) || cluster === this.cluster) return [];
      const m = models.filter((o) => o.round >= 1 && o.round < beforeRound).at(-1);
      return m === undefined ? [] : [{ cluster, weights: m.weights }];
    });
    if (beforeRound >= 2) this.sayMissing(beforeRound, live, new Set(out.map((o) => o.cluster)));
    return out;
  }

  /** Other live clusters whose heads hold less than round - 1 (or that have no head yet). */
  behind(round: number): string | undefined {
    const map = this.map();
    if (map === undefined || this.cluster === undefined) return undefined;
    const claims = [...this.membership.roleClaims()];
    const late: string[] = [];
    for (const x of map.clusters) {
      if (x.id === this.cluster) continue;
      const held = claims
        .filter(([peer, cl]) => cl.role === 'head' && cl.cluster === x.id && x.members.includes(peer))
        .map(([, cl]) => cl.round);
      const best = held.length > 0 ? Math.max(...held) : -1;
      if (best < round - 1) late.push(best < 0 ? `${x.id}: no head yet` : `${x.id} at round ${best}`);
    }
    return late.length > 0 ? late.join(', ') : undefined;
  }

  /** Says which other clusters the global step of `round` goes without, and why (never silently). */
  private sayMissing(round: number, live: ReadonlySet<string>, have: ReadonlySet<string>): void {
    const why: string[] = [];
    for (const cluster of live) {
      if (cluster === this.cluster || have.has(cluster)) continue;
      const heads = [...this.membership.roleClaims()].filter(
        ([, cl]) => cl.role === 'head' && cl.cluster === cluster,
      );
      const reason =
        heads.length === 0
          ? 'no peer claims its headship yet'
          : heads
              .map(([peer, cl]) => `${peer}: ${this.authority(cluster, peer) ?? `holds round ${cl.round}`}`)
              .join('; ');
      why.push(`${cluster} (${reason})`);
    }
    if (why.length > 0)
      notice(this.c, 'info', `round ${round}: global step without ${why.join(', ')}`, 'global_partial');
  }
}
