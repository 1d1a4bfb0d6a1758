// A member round driver on stubs (no network, no learning): the learner's training waits on the
// test's `train`, a dial is recorded and fails, the session is a plain object. Shared by the
// member specs that check what a member sends and when.
import { specHash } from '@ppfm/protocol';
import { ManualClock } from '../../src/clock.js';
import type { PeerComponents } from '../../src/components.js';
import { EventBus } from '../../src/events.js';
import type { Learner } from '../../src/learner/learner.js';
import type { ModelClient } from '../../src/net/model-client.js';
import { DEFAULT_TIMING } from '../../src/options.js';
import type { ClusterSession } from '../../src/services/cluster-session.js';
import { MemberRounds, type MemberDeps } from '../../src/services/member-rounds.js';
import { ModelStore } from '../../src/services/model-store.js';

/** The stub task's one tensor. */
export const STUB_WEIGHTS = [{ name: 'w', shape: [3], values: Float32Array.of(0, 0, 0) }];

export interface MemberStub {
  c: PeerComponents;
  bus: EventBus;
  store: ModelStore;
  rounds: MemberRounds;
  session: ClusterSession;
  /** Protocols the member dialled. */
  dials: string[];
}

/** Builds and activates a member of cluster c0 following `head`, holding round 1 of its model. */
export function stubMember(o: {
  self: string;
  head: string;
  /** Called at each training, before it returns an update. */
  train: () => Promise<void>;
  settings?: Record<string, unknown>;
  /** More of the session object (e.g. `headRound`). */
  session?: Record<string, unknown>;
  /** More driver dependencies, built on the components (e.g. secure aggregation). */
  deps?: (c: PeerComponents) => Partial<MemberDeps>;
}): MemberStub {
  const bus = new EventBus();
  const dials: string[] = [];
  const store = new ModelStore(STUB_WEIGHTS);
  store.set({ cluster: 'c0', round: 1, term: 1, weights: STUB_WEIGHTS, source: o.head });
  const learner = {
    info: { task: { numClasses: 2 } },
    train: async () => {
      await o.train();
      return { kind: 'update', delta: STUB_WEIGHTS, samples: 10, lossBefore: 1, lossAfter: 0.5, ms: 1 };
    },
  } as unknown as Learner;
  const libp2p = {
    dialProtocol: async (_peer: unknown, protocol: string) => {
      dials.push(protocol);
      throw new Error('no network in this test');
    },
  };
  const c = {
    self: o.self,
    clock: new ManualClock(),
    bus,
    timing: DEFAULT_TIMING,
    settings: { seed: 1, codec: 'float32', ...o.settings },
    learner,
    store,
    spec: specHash(STUB_WEIGHTS),
    libp2p,
  } as unknown as PeerComponents;
  const rounds = new MemberRounds(c, {
    isReady: () => true,
    client: {} as ModelClient,
    roundsDue: () => true,
    ...o.deps?.(c),
  });
  const session = {
    cluster: 'c0',
    closed: false,
    isHead: false,
    election: { head: o.head },
    signal: new AbortController().signal,
    ...o.session,
  } as unknown as ClusterSession;
  rounds.activate(session);
  return { c, bus, store, rounds, session, dials };
}
