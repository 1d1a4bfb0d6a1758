// Builds the peer's services on its components: membership and clustering, the cluster's round
// drivers, the global level, the run tracker, the address book and the evaluator. Each service
// reaches the others through small callbacks; the current cluster session lives in one slot.
import type { PrivateKey } from '@libp2p/interface';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import {
  clusterScaler,
  withScaler,
  type Fingerprint,
  type PpfmConfig,
  type WeightSet,
} from '@ppfm/meta/light';
import { decodeGossip, encodeGossip, type FingerprintMsg } from '@ppfm/protocol';
import type { Checkpoint } from '../checkpoint.js';
import type { PeerComponents } from '../components.js';
import type { LearnerInfo } from '../learner/learner.js';
import { ModelClient } from '../net/model-client.js';
import { signGossip } from '../net/signed-gossip.js';
import type { PeerOptions } from '../options.js';
import type { PrivacyLayer } from '../privacy/layer.js';
import { AddressBook, type BookRead } from '../services/address-book.js';
import type { Checkpointer } from '../services/checkpointer.js';
import { ClusterPlanner } from '../services/cluster-planner.js';
import type { ClusterSession } from '../services/cluster-session.js';
import { Evaluator } from '../services/evaluator.js';
import { GlobalLevel } from '../services/global-level.js';
import { shareHeadSet } from '../services/augmentation.js';
import { HeadRounds } from '../services/head-rounds.js';
import { HeadCatchUp } from '../services/head-catch-up.js';
import { MemberRounds } from '../services/member-rounds.js';
import { Membership } from '../services/membership.js';
import { RefinementDriver } from '../services/refinement-driver.js';
import { RunTracker } from '../services/run-tracker.js';
import { TeacherSource } from '../services/teachers.js';

/** The peer's mutable wiring state: its current cluster session and when its cluster last changed. */
export interface SessionSlot {
  session: ClusterSession | undefined;
  lastViewChange: number;
}

/** What the services are built from besides the components. */
export interface ServicesInit {
  opts: PeerOptions;
  privateKey: PrivateKey;
  info: LearnerInfo;
  cfg: PpfmConfig;
  layer: PrivacyLayer;
  cp: Checkpoint | undefined;
  checkpointer: Checkpointer;
  book: BookRead;
  /** Stops the peer (the run tracker calls it once the run is over). */
  stop(reason: string): void;
}

/** The built services. */
export interface Services {
  slot: SessionSlot;
  client: ModelClient;
  refinement: RefinementDriver;
  membership: Membership;
  planner: ClusterPlanner;
  global: GlobalLevel;
  head: HeadRounds;
  run: RunTracker;
  member: MemberRounds;
  addressBook: AddressBook;
  evaluator: Evaluator;
  /** Live members of this peer's cluster as the planner and the view agree on them. */
  members(): string[];
  /** A cluster's first model: the shared network behind the scaler its members' moments give. */
  clusterInitOf(ids: readonly string[]): WeightSet;
}

/** Builds the services (publishes nothing yet: the caller starts them). */
export async function buildServices(c: PeerComponents, o: ServicesInit): Promise<Services> {
  const { self, clock, bus, store, settings } = c;
  const { info, cfg, layer, cp } = o;
  // Its feature moments are what the cluster's input scaler is pooled from (noised with
  // --fingerprint-noise, like every other statistic of it).
  const published = await layer.fingerprint(info.fingerprint);
  const fingerprint = roundTrip({
    kind: 'fingerprint',
    peerId: self,
    seq: 1,
    capacity: settings.capacity,
    sentAt: clock.now(),
    ...published,
  });
  const client = new ModelClient(c);
  const fingerprintsOf = (ids: readonly string[]): Fingerprint[] =>
    ids.flatMap((id) => {
      const e = membership.view.get(id);
      return e === undefined ? [] : [e.fingerprint];
    });
  const clusterInitOf = (ids: readonly string[]): WeightSet =>
    withScaler(info.netInit, clusterScaler(info.task, fingerprintsOf(ids), cfg));
  const refinement = new RefinementDriver(c, client, fingerprintsOf);
  const slot: SessionSlot = { session: undefined, lastViewChange: clock.now() };
  const author = peerIdFromPrivateKey(o.privateKey);
  const membership = new Membership(c, {
    fingerprint,
    sign: (topic, data) => signGossip(o.privateKey, author, topic, data),
    selfState: () => ({
      cluster: slot.session?.cluster,
      role: slot.session === undefined ? 'unassigned' : slot.session.isHead ? 'head' : 'member',
      round: store.model?.round ?? 0,
    }),
    onLossReport: (r) => refinement.onReport(r),
    knownLossSeq: (p) => refinement.knownSeq(p),
  });
  const planner = new ClusterPlanner(c, membership, refinement);
  const members = (): string[] => {
    const id = slot.session?.cluster;
    return id === undefined
      ? []
      : (planner.map?.clusters.find((x) => x.id === id)?.members ?? []).filter((m) => membership.view.has(m));
  };
  const global = new GlobalLevel(
    c,
    membership,
    client,
    () => planner.map,
    () => planner.sharedPart,
  );
  // FedZDA teachers: the classes our cluster lacks come from the clusters that hold them.
  const teachers =
    o.opts.augment === undefined
      ? undefined
      : new TeacherSource(c, {
          map: () => planner.map,
          fingerprint: (id) => membership.view.get(id)?.fingerprint,
          claims: () => membership.roleClaims(),
          fetch: (peer, cluster, minRound, signal) => client.fetchOrWhy(peer, cluster, minRound, signal),
          threshold: o.opts.augment.threshold,
          budgetMs: o.opts.augment.timeBudgetMs,
        });
  const head = new HeadRounds(c, {
    isReady: () => membership.isReady(),
    members,
    lastViewChange: () => slot.lastViewChange,
    othersForGlobal: (signal, beforeRound) => global.othersForGlobal(signal, beforeRound),
    othersBehind: (round) => global.behind(round),
    sharedPart: () => planner.sharedPart,
    headRound: () => slot.session?.headRound ?? 0,
    clusterInit: () => clusterInitOf(members()),
    shareSet: (at, set, to) => shareHeadSet(c, at, set, to),
    ...(teachers !== undefined ? { teachers } : {}),
    catchUp: new HeadCatchUp(c, {
      claims: () => membership.roleClaims(),
      members,
      fetch: (peer, cluster, minRound, signal) => client.fetch(peer, cluster, minRound, signal),
    }),
    ...layer.headDeps,
  });
  const run = new RunTracker(c, {
    isHead: () => slot.session?.isHead === true,
    cluster: () => slot.session?.cluster,
    members,
    headRound: () => slot.session?.headRound ?? 0,
    head: () => slot.session?.election.head,
    client,
    freeze: () => planner.freeze(),
    adoptFinal: (m) => {
      if (store.adopt(m)) bus.emit('model:adopted', { model: m });
    },
    stop: (reason) => o.stop(reason),
  });
  const member = new MemberRounds(c, {
    isReady: () => membership.isReady(),
    client,
    roundsDue: () => run.roundsDue,
    ...layer.memberDeps,
    ...(teachers !== undefined ? { teachers } : {}),
  });
  const addressBook = new AddressBook(c, {
    dataDir: o.opts.dataDir,
    entries: o.book.entries,
    // Quiet from the final round on: mates that have it leave while this peer still evaluates it.
    active: () => run.roundsDue && (o.opts.rounds === undefined || (store.model?.round ?? 0) < o.opts.rounds),
  });
  const evaluator = new Evaluator(
    c,
    o.checkpointer,
    () => slot.session?.election.highestTerm ?? 0,
    () => client.lastModelBytes,
    cp?.round,
  );
  evaluator.onEvaluated = (m) => run.onEvaluated(m);
  evaluator.privacySpent = () => layer.epsilon();
  return {
    slot,
    client,
    refinement,
    membership,
    planner,
    global,
    head,
    run,
    member,
    addressBook,
    evaluator,
    members,
    clusterInitOf,
  };
}

/** Encodes and decodes a fingerprint message (numbers as every receiver will see them). */
function roundTrip(m: FingerprintMsg): FingerprintMsg {
  const r = decodeGossip(encodeGossip(m));
  if (!r.ok || r.value.kind !== 'fingerprint')
    throw new Error(`own fingerprint does not survive the wire: ${JSON.stringify(r)}`);
  return r.value;
}
