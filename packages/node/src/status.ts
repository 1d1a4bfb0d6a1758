// A snapshot of a peer's state for tests, tools and the CLI.
import type { PeerRole } from './events.js';
import type { ClusterPlanner } from './services/cluster-planner.js';
import type { ClusterSession } from './services/cluster-session.js';
import type { Evaluator } from './services/evaluator.js';
import type { HeadRounds, HeadState } from './services/head-rounds.js';
import type { MemberRounds, MemberState } from './services/member-rounds.js';
import type { Membership } from './services/membership.js';
import type { ModelStore } from './services/model-store.js';
import type { RunState, RunTracker } from './services/run-tracker.js';

/** What a peer reports about itself. */
export interface PeerStatus {
  peerId: string;
  view: string[];
  viewDigest: string;
  cluster?: string;
  members: string[];
  head?: string;
  role: PeerRole;
  term: number;
  /** Round of the newest cluster model this peer holds (0 = initial). */
  round: number;
  clusters: { id: string; members: string[] }[];
  lastEvaluation?: { round: number; accBefore: number; accAfter: number };
  /** The drivers' states (kinds only). */
  headState: HeadState['kind'];
  memberState: MemberState['kind'];
  runState: RunState['kind'];
}

/** Builds the status from the services. */
export function describeStatus(p: {
  self: string;
  membership: Membership;
  planner: ClusterPlanner;
  session: ClusterSession | undefined;
  store: ModelStore;
  evaluator: Evaluator;
  head: HeadRounds;
  member: MemberRounds;
  run: RunTracker;
}): PeerStatus {
  const s = p.session;
  const mine = p.planner.map?.clusters.find((x) => x.id === s?.cluster);
  return {
    peerId: p.self,
    view: p.membership.view.ids(),
    viewDigest: p.membership.view.digest(),
    ...(s ? { cluster: s.cluster } : {}),
    members: [...(mine?.members ?? [])],
    ...(s?.election.head ? { head: s.election.head } : {}),
    role: s === undefined ? 'unassigned' : s.isHead ? 'head' : 'member',
    term: s?.election.term ?? 0,
    round: p.store.model?.round ?? 0,
    clusters: (p.planner.map?.clusters ?? []).map((x) => ({ id: x.id, members: [...x.members] })),
    ...(p.evaluator.last ? { lastEvaluation: p.evaluator.last } : {}),
    headState: p.head.state.kind,
    memberState: p.member.state.kind,
    runState: p.run.state.kind,
  };
}
