// Node clustering (PPFM's first block) on the view: the same deterministic rule on every peer
// (same view => same clusters), with loss-based refinement where fingerprints do not separate.
// Announces `clusters:changed`, says when this peer has nobody to federate with, and freezes
// once the run completed (peers leaving at the end must not reshuffle clusters).
import { chooseSharedPart, type SharedPart } from '@ppfm/meta/light';
import { logEvent, notice, type PeerComponents } from '../components.js';
import {
  clusterOf,
  computeClusters,
  computeTaskClusters,
  sameClusterMap,
  type ClusterMap,
} from '../clustering.js';
import { electCandidate } from '../election.js';
import type { Membership } from './membership.js';
import type { RefinementDriver } from './refinement-driver.js';

export type PlannerComponents = Pick<PeerComponents, 'self' | 'bus' | 'clock' | 'settings'>;

/** Turns views into cluster maps. */
export class ClusterPlanner {
  private current: ClusterMap | undefined;
  private part: SharedPart = 'body';
  private frozen = false;
  private aloneSaid = '';
  private off: (() => void) | undefined;

  constructor(
    private readonly c: PlannerComponents,
    private readonly membership: Membership,
    private readonly refinement: RefinementDriver,
  ) {}

  /** The current cluster map, if one was computed. */
  get map(): ClusterMap | undefined {
    return this.current;
  }

  /** What the global level shares between clusters (meta's rule over the view). */
  get sharedPart(): SharedPart {
    return this.part;
  }

  start(): void {
    this.off = this.c.bus.on('view:changed', () => this.plan());
    this.refinement.onDone = () => this.plan();
    this.plan();
  }

  stop(): void {
    this.off?.();
  }

  /** No more reclustering (the run completed). */
  freeze(): void {
    this.frozen = true;
  }

  /** Recomputes the clusters of the current view; emits `clusters:changed` when they changed. */
  plan(): void {
    if (this.frozen) return;
    const view = this.membership.view;
    const items = view.items();
    logEvent(this.c, { event: 'view_changed', peers: view.ids() });
    const fpMap = this.c.settings.clustering === 'task' ? computeTaskClusters(items) : computeClusters(items);
    const map = this.refinement.decide(fpMap, view.ids(), this.membership.isReady());
    if (map === undefined) return; // a forced refinement is running: keep the current assignment
    const mine = clusterOf(map, this.c.self);
    if (mine === undefined) return;
    const index = new Map(map.clusters.map((x, i) => [x.id, i]));
    this.part = chooseSharedPart(
      items.map((i) => i.fp),
      items.map((i) => index.get(map.byPeer.get(i.id) ?? '') ?? 0),
    );
    this.sayIfAlone(mine.members.length, items);
    if (this.current !== undefined && sameClusterMap(this.current, map)) return;
    this.current = map;
    logEvent(this.c, {
      event: 'cluster_assigned',
      cluster: mine.id,
      members: mine.members,
      head: electCandidate(view.capacities(mine.members)) ?? this.c.self,
      k: map.clusters.length,
    });
    this.c.bus.emit('clusters:changed', { map, mine });
  }

  /** A cluster of one trains alone; say why (nobody else yet, or nobody with this task). */
  private sayIfAlone(
    size: number,
    items: { id: string; fp: { inputShape: number[]; numClasses: number } }[],
  ): void {
    if (size > 1) {
      this.aloneSaid = '';
      return;
    }
    const self = items.find((i) => i.id === this.c.self);
    const others = items.filter((i) => i.id !== this.c.self);
    const sameTask = others.filter(
      (i) =>
        self !== undefined &&
        i.fp.numClasses === self.fp.numClasses &&
        i.fp.inputShape.join('x') === self.fp.inputShape.join('x'),
    );
    const msg =
      others.length === 0
        ? 'no other peers in view yet: training alone (local rounds) until peers appear'
        : sameTask.length === 0
          ? `no compatible peers: ${others.length} peers in view train other tasks (input shape or classes differ); training alone`
          : `no peer with similar data among ${others.length} in view: training alone`;
    if (msg === this.aloneSaid) return;
    this.aloneSaid = msg;
    notice(
      this.c,
      others.length === 0 ? 'info' : 'warn',
      msg,
      others.length === 0 ? 'alone' : 'no_compatible_peers',
    );
  }
}
