import assert from 'node:assert/strict';
import { Churner, churnPlan, CHURN_DOWN_MS } from '../src/testnet/churn.js';
import type { PeerEvent } from '../src/testnet/events.js';
import { parseTestnetArgs } from '../src/testnet/options.js';

describe('testnet --churn', () => {
  it('plans floor(F * N) departures, never the bootstrap peers, at rounds 1..R-2, seeded', () => {
    const plan = churnPlan(16, 5, 0.3, 1);
    assert.equal(plan.length, 4);
    assert.ok(plan.every((s) => s.index >= 2 && s.index < 16 && s.round >= 1 && s.round <= 3));
    assert.ok(churnPlan(16, 2, 0.5, 1).every((s) => s.round === 1));
    assert.equal(new Set(plan.map((s) => s.index)).size, 4);
    assert.deepEqual(churnPlan(16, 5, 0.3, 1), plan);
    assert.notDeepEqual(churnPlan(16, 5, 0.3, 2), plan);
  });

  it('kills a peer when its cluster opens its round, restarts it after the pause, times its catch-up', () => {
    const actions: string[] = [];
    const up = new Map([[2, true]]);
    const churner = new Churner([{ index: 2, round: 2 }], {
      peer: (i) => (i === 2 ? { id: 'P2', cluster: 'c0', up: up.get(2) ?? false } : undefined),
      kill: (i) => (actions.push(`kill ${i}`), up.set(i, false)),
      restart: (i) => (actions.push(`restart ${i}`), up.set(i, true)),
    });
    const opened = (cluster: string, round: number): PeerEvent => ({
      event: 'round_opened',
      time: Date.now(),
      peer: 'H',
      cluster,
      round,
      term: 1,
      head: 'H',
    });
    churner.onEvent(opened('c0', 1));
    churner.onEvent(opened('c1', 2));
    const at = Date.now();
    churner.onEvent({ event: 'other', time: at, peer: 'P2', name: 'checkpoint_saved', raw: { round: 1 } });
    churner.onEvent({
      event: 'cluster_model_published',
      time: at,
      peer: 'H',
      cluster: 'c0',
      round: 3,
      term: 1,
      bytes: 9,
    });
    assert.deepEqual(actions, []);
    churner.onEvent(opened('c0', 2));
    assert.deepEqual(actions, ['kill 2']);
    assert.equal(churner.away(), 1);
    const left = churner.outcomes[0]?.leftAt as number;
    churner.tick(left + CHURN_DOWN_MS - 1);
    assert.deepEqual(actions, ['kill 2']);
    churner.tick(left + CHURN_DOWN_MS);
    assert.deepEqual(actions, ['kill 2', 'restart 2']);
    assert.equal(churner.away(), 0);
    const back = churner.outcomes[0]?.backAt as number;
    const ev = (round: number, dt: number): PeerEvent => ({
      event: 'evaluation',
      time: back + dt,
      peer: 'P2',
      cluster: 'c0',
      round,
      accAfter: 0.9,
    });
    churner.onEvent({
      event: 'other',
      time: back,
      peer: 'P2',
      name: 'checkpoint_restored',
      raw: { round: 1 },
    });
    churner.onEvent(ev(1, 1000));
    churner.onEvent(ev(2, 3500));
    churner.onEvent(ev(3, 9000));
    assert.equal(churner.outcomes[0]?.restoredRound, 1);
    assert.equal(churner.outcomes[0]?.savedRound, 1);
    assert.equal(churner.outcomes[0]?.clusterRoundAtReturn, 3);
    assert.equal(churner.outcomes[0]?.catchUpSeconds, 3.5);
    assert.equal(churner.outcomes[0]?.caughtUpRound, 2);
  });

  it('parses --churn as a share in (0, 1]', () => {
    const ok = parseTestnetArgs(['--churn', '0.3']);
    assert.equal(ok.kind === 'run' ? ok.options.churn : undefined, 0.3);
    for (const bad of ['0', '1.5', 'x']) assert.equal(parseTestnetArgs(['--churn', bad]).kind, 'error', bad);
  });
});
