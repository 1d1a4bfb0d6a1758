// FedZDA teachers on the network: the classes this peer's cluster lacks are synthesised from the
// models of the clusters that hold them, as the simulator's teachersOf does. The peer picks the
// teaching clusters from the gossiped fingerprints' label histograms (meta's teacherClusters),
// fetches each one's current model from the peer that heads it in our view (the global level's
// authority rule) through the bounded, spec-checked model fetch, checks the values and hands the
// models to the learner. Every teacher is untrusted: a refused one is logged and left out.
import {
  allFinite,
  clusterLabelCounts,
  teacherClusters,
  type Fingerprint,
  type WeightSet,
} from '@ppfm/meta/light';
import { logEvent, notice, type PeerComponents } from '../components.js';
import type { ClusterMap } from '../clustering.js';
import type { TeacherModel } from '../learner/learner.js';
import type { FetchOutcome } from '../net/model-client.js';
import type { RoleClaim } from './membership.js';

/** Most teaching clusters one synthesis fetches (classes:2 on 10 classes needs 4). */
export const MAX_TEACHERS = 8;

/** A teacher the learner gets, with where it came from (for the `augmentation` event). */
export interface FetchedTeacher extends TeacherModel {
  head: string;
  round: number;
}

/** What the teacher source reads from the rest of the peer. */
export interface TeacherDeps {
  /** The current cluster map (the planner's). */
  map(): ClusterMap | undefined;
  /** A live peer's fingerprint from the view. */
  fingerprint(peer: string): Fingerprint | undefined;
  /** Role claims from heartbeats: who says it heads which cluster at which round. */
  claims(): ReadonlyMap<string, RoleClaim>;
  fetch(peer: string, cluster: string, minRound: number, signal?: AbortSignal): Promise<FetchOutcome>;
  /** A class below this share of a cluster's samples is taught by another cluster (--augment-threshold). */
  threshold: number;
  /** The bound of one augmentation (--augment-time, ms): fetches take at most half of it. */
  budgetMs: number;
}

export type TeacherComponents = Pick<PeerComponents, 'bus' | 'learner' | 'timing'>;

/** Why a teacher model cannot be used, or undefined (shapes were checked by the model client). */
export function teacherProblem(weights: WeightSet): string | undefined {
  if (!allFinite(weights)) return 'non_finite';
  for (const t of weights)
    if (t.name.endsWith('/moving_variance') && t.values.some((v) => v < 0)) return 'negative_variance';
  return undefined;
}

/** Picks, fetches, checks and caches teacher models. */
export class TeacherSource {
  /** Per teaching cluster: the last model taken (reused while its head holds no newer round). */
  private readonly cache = new Map<string, FetchedTeacher>();

  constructor(
    private readonly c: TeacherComponents,
    private readonly deps: TeacherDeps,
  ) {}

  /** The bound of one augmentation, fetches included (ms). */
  get budgetMs(): number {
    return this.deps.budgetMs;
  }

  /** How long fetching may take before synthesis starts (half the augmentation bound). */
  get fetchBoundMs(): number {
    return Math.min(this.c.timing.fetchTimeoutMs, this.deps.budgetMs / 2);
  }

  /** Class -> teaching cluster id for `cluster`, from its members' and the other clusters' fingerprints. */
  plan(cluster: string): Map<string, number[]> {
    const map = this.deps.map();
    const own = map?.clusters.findIndex((x) => x.id === cluster) ?? -1;
    if (map === undefined || own < 0) return new Map();
    const numClasses = this.c.learner.info.task.numClasses;
    const counts = map.clusters.map((x) =>
      clusterLabelCounts(
        x.members.flatMap((m) => this.deps.fingerprint(m) ?? []),
        numClasses,
      ),
    );
    const byCluster = new Map<string, number[]>();
    for (const [cls, t] of teacherClusters(counts, own, this.deps.threshold)) {
      const id = map.clusters[t]!.id;
      byCluster.set(id, [...(byCluster.get(id) ?? []), cls]);
    }
    return byCluster;
  }

  /** The teachers of the classes `cluster` lacks for `round`: fetched, checked; refusals logged. */
  async teachersFor(cluster: string, round: number, signal: AbortSignal): Promise<FetchedTeacher[]> {
    const plan = [...this.plan(cluster)].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1));
    if (plan.length > MAX_TEACHERS)
      notice(
        this.c,
        'info',
        `round ${round}: ${plan.length} teaching clusters, taking the ${MAX_TEACHERS} that teach most classes`,
        'teacher_missing',
      );
    const got = await Promise.all(
      plan.slice(0, MAX_TEACHERS).map(([id, classes]) => this.teacher(id, classes, round, signal)),
    );
    return got.flatMap((t) => (t === undefined ? [] : [t]));
  }

  private async teacher(
    cluster: string,
    classes: number[],
    round: number,
    signal: AbortSignal,
  ): Promise<FetchedTeacher | undefined> {
    const members = this.deps.map()?.clusters.find((x) => x.id === cluster)?.members ?? [];
    let head: { peer: string; round: number } | undefined;
    for (const [peer, cl] of this.deps.claims()) {
      if (cl.role !== 'head' || cl.cluster !== cluster || cl.round < 1) continue;
      // Only a member of that cluster in our own view may speak for it (as for the global step).
      if (!members.includes(peer)) this.refuse(cluster, peer, round, 'not_member', 'claims the headship');
      else if (head === undefined || cl.round > head.round) head = { peer, round: cl.round };
    }
    if (head === undefined) {
      notice(
        this.c,
        'info',
        `round ${round}: no head of ${cluster} holds a model yet; classes ${classes.join(',')} from our own model`,
        'teacher_missing',
      );
      return undefined;
    }
    const held = this.cache.get(cluster);
    if (held !== undefined && held.head === head.peer && held.round >= head.round)
      return { ...held, classes };
    const r = await this.deps.fetch(head.peer, cluster, 1, signal);
    if (!r.ok) {
      const why = signal.aborted ? 'fetch_time' : r.reason;
      this.refuse(cluster, head.peer, round, why, r.detail);
      return undefined;
    }
    const problem = teacherProblem(r.model.weights);
    if (problem !== undefined) {
      this.refuse(cluster, head.peer, round, problem, `round ${r.model.round}`);
      return undefined;
    }
    const t: FetchedTeacher = {
      cluster,
      head: head.peer,
      round: r.model.round,
      weights: r.model.weights,
      classes,
    };
    this.cache.set(cluster, t);
    return t;
  }

  private refuse(cluster: string, from: string, round: number, reason: string, detail: string): void {
    logEvent(this.c, { event: 'teacher_refused', cluster, from, reason, detail });
    notice(
      this.c,
      'warn',
      `round ${round}: teacher model of ${cluster} from ${from} refused (${reason}: ${detail}); going on without it`,
      'teacher_refused',
    );
  }
}
