// After a partition heals, the election can make head a peer that holds an older model than its
// members (the netns partition-and-heal run found it: rounds went backwards). A head takes the
// newest model of its cluster a member holds, checked on its own data, never above what a head
// announced; and a new headship waits for every member again (stale activity made a head close
// empty rounds forever).
import assert from 'node:assert/strict';
import { decodeModelEnvelope, encodeFetchRequest, specHash } from '@ppfm/protocol';
import type { PeerComponents } from '../src/components.js';
import { handleFetch } from '../src/handlers/fetch.js';
import { EventBus } from '../src/events.js';
import type { Learner } from '../src/learner/learner.js';
import type { LogEvent } from '../src/log/events.js';
import type { ClusterSession } from '../src/services/cluster-session.js';
import { ManualClock } from '../src/clock.js';
import { DEFAULT_TIMING } from '../src/options.js';
import { MemberActivity } from '../src/services/head-activity.js';
import { HeadRounds } from '../src/services/head-rounds.js';
import { HeadCatchUp } from '../src/services/head-catch-up.js';
import type { RoleClaim } from '../src/services/membership.js';
import { ModelStore, type HeldModel } from '../src/services/model-store.js';

const w = (v: number) => [{ name: 'w', shape: [1], values: Float32Array.of(v) }];

function fixture(opts: { lossOf?: (v: number) => number } = {}) {
  const bus = new EventBus();
  const logged: LogEvent[] = [];
  bus.on('log', (e) => logged.push(e));
  const store = new ModelStore(w(0));
  store.set({ cluster: 'c0', round: 4, term: 3, weights: w(4), source: 'H' });
  const lossOf = opts.lossOf ?? (() => 0.5);
  const learner = {
    info: { task: { numClasses: 10 } },
    evaluate: async (weights: { values: Float32Array }[]) => {
      const loss = lossOf(weights[0]?.values[0] ?? 0);
      return { loss, acc: loss < 1 ? 0.9 : 0.05 };
    },
  } as unknown as Learner;
  const c = { self: 'H', bus, store, learner } as unknown as PeerComponents;
  const claims = new Map<string, RoleClaim>();
  const fetches: string[] = [];
  const held = new Map<string, HeldModel>();
  let fetched: () => void = () => undefined;
  const done = new Promise<void>((r) => (fetched = r));
  const catchUp = new HeadCatchUp(c, {
    claims: () => claims,
    members: () => ['H', 'A', 'B', 'C'],
    fetch: async (peer, cluster, minRound) => {
      fetches.push(`${peer}:${cluster}:${minRound}`);
      return held.get(peer);
    },
  });
  const rounds: number[] = [];
  const session = {
    cluster: 'c0',
    closed: false,
    isHead: true,
    election: { term: 3 },
    signal: new AbortController().signal,
    setRound: (r: number) => rounds.push(r),
  } as unknown as ClusterSession;
  bus.on('log', (e) => {
    if (e.event === 'notice' && e.code === 'catch_up_failed') fetched();
  });
  bus.on('model:adopted', () => fetched());
  // The outcome is logged inside the fetch; the driver is idle again once its promise settled.
  const settled = done.then(() => new Promise<void>((r) => setImmediate(r)));
  return { store, claims, held, fetches, catchUp, session, rounds, logged, done: settled };
}

const claim = (cluster: string, round: number): RoleClaim => ({ cluster, role: 'member', round, at: 0 });

describe('head catch-up after a heal', () => {
  it('takes the newest model a member of its cluster holds, up to the announced round', async () => {
    const f = fixture();
    f.claims.set('A', claim('c0', 7));
    f.claims.set('B', claim('c0', 9)); // above what any head announced: not trusted
    f.claims.set('C', claim('c1', 8)); // another cluster
    f.claims.set('X', claim('c0', 8)); // not a member
    f.held.set('A', { cluster: 'c0', round: 7, term: 2, weights: w(7), source: 'G' });
    const why = f.catchUp.check(f.session, 7);
    assert.match(why ?? '', /catching up: round 7 from A/);
    await f.done;
    assert.deepEqual(f.fetches, ['A:c0:7']);
    assert.equal(f.store.model?.round, 7);
    assert.equal(f.store.model?.source, 'H', 'the head continues the lineage as its own');
    assert.equal(f.store.model?.term, 3);
    assert.deepEqual(f.rounds, [7]);
    assert.ok(f.logged.some((e) => e.event === 'notice' && e.code === 'head_catch_up'));
    // Nothing newer left: the round may open.
    assert.equal(f.catchUp.check(f.session, 7), undefined);
  });

  it('refuses a newer model that fails its check on its own data, and does not retry it', async () => {
    const f = fixture({ lossOf: (v) => (v === 6 ? 40 : 0.5) });
    f.claims.set('A', claim('c0', 6));
    f.held.set('A', { cluster: 'c0', round: 6, term: 2, weights: w(6), source: 'G' });
    assert.notEqual(f.catchUp.check(f.session, 8), undefined);
    await f.done;
    assert.equal(f.store.model?.round, 4, 'kept its own model');
    const refusal = f.logged.find((e) => e.event === 'notice' && e.code === 'catch_up_failed');
    assert.match(refusal?.event === 'notice' ? refusal.message : '', /refused round 6 from A/);
    assert.equal(f.catchUp.check(f.session, 8), undefined, 'a refused claim is not fetched again');
    assert.equal(f.fetches.length, 1);
  });

  it('believes a round nobody announced only when two members claim it (a renamed cluster after a heal)', async () => {
    const f = fixture();
    f.claims.set('A', claim('c0', 8));
    assert.equal(
      f.catchUp.check(f.session, 4),
      undefined,
      'one claim above every announcement is not enough',
    );
    f.claims.set('B', claim('c0', 6));
    // B serves a model labelled above what it claimed: the round taken stays at the believed 6.
    f.held.set('B', { cluster: 'c0', round: 9, term: 1, weights: w(6), source: 'G' });
    assert.match(f.catchUp.check(f.session, 4) ?? '', /round 6 from B/);
    await f.done;
    assert.equal(f.store.model?.round, 6, 'the corroborated round, not the single higher claim');
  });

  it('says so when the member does not serve the model it claimed', async () => {
    const f = fixture();
    f.claims.set('A', claim('c0', 6));
    f.catchUp.check(f.session, 6);
    await f.done;
    assert.equal(f.store.model?.round, 4);
    assert.ok(f.logged.some((e) => e.event === 'notice' && e.code === 'catch_up_failed'));
  });
});

describe('member activity under a new headship', () => {
  it('starts from a fresh record: what members did for a former headship rounds ago does not count', () => {
    const bus = new EventBus();
    const store = new ModelStore(w(0));
    store.set({ cluster: 'c0', round: 6, term: 1, weights: w(6), source: 'G' });
    const clock = new ManualClock();
    const c = { self: 'H', bus, store, clock, timing: DEFAULT_TIMING } as unknown as PeerComponents;
    const head = new HeadRounds(c, {
      isReady: () => true,
      members: () => ['H', 'A', 'B'],
      lastViewChange: () => 0,
      othersForGlobal: async () => [],
      sharedPart: () => 'body',
      headRound: () => 6,
      clusterInit: () => w(0),
    });
    const activity = (): MemberActivity => (head as unknown as { activity: MemberActivity }).activity;
    // A former headship of this peer recorded rounds 1-2; by that record everyone is silent at 7.
    activity().record(['A', 'B'], ['A', 'B'], 1);
    activity().record(['A', 'B'], ['A', 'B'], 2);
    assert.deepEqual([...activity().expected(new Set(['A', 'B']), 7)], []);
    const session = {
      cluster: 'c0',
      closed: false,
      isHead: true,
      election: { term: 3 },
      setRound: () => undefined,
    } as unknown as ClusterSession;
    head.activate(session);
    assert.deepEqual([...activity().expected(new Set(['A', 'B']), 7)], ['A', 'B']);
    head.deactivate();
  });
});

describe('fetch under a renamed cluster id', () => {
  it('serves the held model under our current cluster id too, and nothing else', () => {
    const store = new ModelStore(w(0));
    store.set({ cluster: 'c0', round: 6, term: 2, weights: w(6), source: 'G' });
    const c = {
      self: 'M',
      bus: new EventBus(),
      store,
      spec: specHash(w(0)),
      settings: { codec: 'float32' },
    } as unknown as PeerComponents;
    const ask = (cluster: string, current: string | undefined) =>
      handleFetch(
        c,
        encodeFetchRequest({ scope: { kind: 'cluster', cluster }, minRound: 5 }),
        'H',
        undefined,
        () => current,
      );
    const renamed = decodeModelEnvelope(ask('c1', 'c1'));
    assert.ok(renamed.ok);
    assert.deepEqual(renamed.value.scope, { kind: 'cluster', cluster: 'c1' });
    assert.equal(renamed.value.round, 6);
    assert.ok(decodeModelEnvelope(ask('c0', 'c1')).ok, 'still under its own id');
    assert.ok(!decodeModelEnvelope(ask('c2', 'c1')).ok, 'not under a cluster we are not in');
  });
});
