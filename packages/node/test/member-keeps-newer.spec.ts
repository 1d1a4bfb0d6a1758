// A member that holds a newer round than its new head (a failover, or the heal of a long partition
// that merged the side which kept training) keeps it until the head opens a round: its heartbeats
// go on claiming that round, so the head can continue from it (head-catch-up.ts). The netns bench
// lost rounds when members took the new head's older model at once and the claim vanished.
import assert from 'node:assert/strict';
import type { RoundOpenMsg } from '@ppfm/protocol';
import { ManualClock } from '../src/clock.js';
import type { PeerComponents } from '../src/components.js';
import { EventBus } from '../src/events.js';
import type { Learner } from '../src/learner/learner.js';
import type { LogEvent } from '../src/log/events.js';
import type { ModelClient } from '../src/net/model-client.js';
import { DEFAULT_TIMING } from '../src/options.js';
import type { ClusterSession } from '../src/services/cluster-session.js';
import { MemberRounds } from '../src/services/member-rounds.js';
import { ModelStore, type HeldModel } from '../src/services/model-store.js';

const w = (v: number) => [{ name: 'w', shape: [1], values: Float32Array.of(v) }];
const model = (cluster: string, round: number, source: string): HeldModel => ({
  cluster,
  round,
  term: 1,
  weights: w(round),
  source,
});

function fixture() {
  const bus = new EventBus();
  const logged: LogEvent[] = [];
  bus.on('log', (e) => logged.push(e));
  const store = new ModelStore(w(0));
  // Trained to round 19 on the cut side under that side's head P (and cluster id c1).
  store.set(model('c1', 19, 'P'));
  const trained: number[] = [];
  const learner = {
    info: { task: { numClasses: 4 } },
    evaluate: async () => ({ loss: 0.5, acc: 0.8 }),
    train: async (weights: { values: Float32Array }[]) => {
      trained.push(weights[0]?.values[0] ?? NaN);
      return { kind: 'diverged', reason: 'stub: no push in this test' };
    },
  } as unknown as Learner;
  const clock = new ManualClock(1000);
  const c = {
    self: 'M',
    clock,
    bus,
    timing: DEFAULT_TIMING,
    settings: { seed: 1 },
    learner,
    store,
    spec: 'spec',
  } as unknown as PeerComponents;
  const fetches: string[] = [];
  const served = new Map<number, HeldModel>();
  let onFetch: () => void = () => undefined;
  const client = {
    fetch: async (peer: string, cluster: string, minRound: number) => {
      fetches.push(`${peer}:${cluster}:${minRound}`);
      onFetch();
      return served.get(minRound);
    },
  } as unknown as ModelClient;
  const member = new MemberRounds(c, { isReady: () => true, client, roundsDue: () => true });
  const session = {
    cluster: 'c0',
    closed: false,
    isHead: false,
    headRound: 0,
    election: { head: 'H', term: 2 },
    signal: new AbortController().signal,
  } as unknown as ClusterSession;
  member.activate(session);
  const idle = async (): Promise<void> => {
    for (let i = 0; i < 20 && member.state.kind !== 'idle'; i++) await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
  };
  const kept = () => logged.filter((e) => e.event === 'notice' && e.code === 'newer_model_kept');
  return {
    store,
    member,
    session,
    fetches,
    served,
    trained,
    kept,
    idle,
    setOnFetch: (f: () => void) => (onFetch = f),
  };
}

describe('a member keeps a newer model than its new head until the head opens a round', () => {
  it('does not fetch the older model on a lease, says so once, and keeps claiming its round', async () => {
    const f = fixture();
    for (let i = 0; i < 5; i++) f.member.onNewModel('H', 3, f.session);
    await f.idle();
    assert.deepEqual(f.fetches, []);
    assert.equal(f.store.model?.round, 19);
    assert.equal(f.store.model?.source, 'P');
    assert.equal(f.kept().length, 1, 'said once, not on every lease');
    assert.match((f.kept()[0] as { message: string }).message, /round 3, older than our round 19/);
  });

  it('takes the head model once the head publishes a newer round (it caught up from the members)', async () => {
    const f = fixture();
    f.member.onNewModel('H', 3, f.session);
    f.served.set(0, model('c0', 20, 'H'));
    f.member.onNewModel('H', 20, f.session);
    await f.idle();
    assert.deepEqual(f.fetches, ['H:c0:0']);
    assert.equal(f.store.model?.round, 20);
    assert.equal(f.store.model?.source, 'H');
  });

  it("follows the head's base model when it opens a round below ours: the head has decided", async () => {
    const f = fixture();
    f.member.onNewModel('H', 3, f.session);
    f.served.set(3, model('c0', 3, 'H'));
    const ro: RoundOpenMsg = {
      kind: 'round_open',
      cluster: 'c0',
      round: 4,
      term: 2,
      head: 'H',
      deadlineMs: 5000,
      specHash: 'spec',
      members: ['H', 'M'],
      sentAt: 1000,
    };
    f.member.onRoundOpen(ro, f.session);
    await f.idle();
    assert.deepEqual(f.fetches, ['H:c0:3']);
    assert.equal(f.store.model?.round, 3);
    assert.deepEqual(f.trained, [3], 'trained from the round base');
  });
});
