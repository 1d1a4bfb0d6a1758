import assert from 'node:assert/strict';
import { Liveness } from '../src/services/liveness.js';

describe('liveness (starvation-tolerant expiry)', () => {
  it('expires a silent peer after the base ttl, a connected one after three', () => {
    const l = new Liveness();
    l.hear('a', 0);
    l.hear('b', 0);
    assert.deepEqual(
      l.expired(10_000, 10_000, () => false),
      [],
    );
    assert.deepEqual(
      l.expired(10_001, 10_000, (id) => id === 'b').map((e) => e.id),
      ['a'],
    );
    assert.deepEqual(
      l.expired(30_001, 10_000, (id) => id === 'b').map((e) => e.id),
      ['a', 'b'],
    );
  });

  it("forgives this peer's own stall to every peer: late timers mean we were not running", () => {
    const l = new Liveness();
    l.hear('a', 0);
    for (let t = 1000; t <= 8000; t += 1000) assert.equal(l.tick(t, 1000), 0);
    // the process was stopped for 20 s: the next tick comes 21 s after the previous one
    assert.equal(l.tick(29_000, 1000), 20_000);
    assert.equal(l.stalledMs, 20_000);
    assert.deepEqual(
      l.expired(29_000, 10_000, () => false),
      [],
      'a was silent 9 s of our running time',
    );
    assert.deepEqual(
      l.expired(31_500, 10_000, () => false).map((e) => e.id),
      ['a'],
    );
  });

  it('does not count a tick late by less than half its interval as a stall', () => {
    const l = new Liveness();
    l.hear('a', 0);
    l.tick(0, 1000);
    assert.equal(l.tick(1400, 1000), 0);
    assert.equal(l.tick(3000, 1000), 600);
  });

  it('gives a peer with irregular arrivals a longer ttl, shrinking again as it becomes regular', () => {
    const l = new Liveness();
    let t = 0;
    l.hear('a', t);
    t += 1000;
    l.hear('a', t);
    assert.equal(l.ttlFor('a', 10_000, false), 10_000);
    t += 9000; // one late heartbeat (its sender starved for 9 s)
    l.hear('a', t);
    assert.equal(l.ttlFor('a', 10_000, false), 27_000, '3x the longest gap');
    assert.deepEqual(
      l.expired(t + 20_000, 10_000, () => false),
      [],
      'a second such gap is tolerated',
    );
    for (let i = 0; i < 30; i++) l.hear('a', (t += 1000));
    assert.ok(l.ttlFor('a', 10_000, false) < 12_000, `${l.ttlFor('a', 10_000, false)}`);
  });

  it('caps any ttl: a peer that went quiet for good leaves eventually', () => {
    const l = new Liveness();
    l.hear('a', 0);
    l.hear('a', 100_000);
    assert.equal(l.ttlFor('a', 10_000, false), 60_000);
    assert.deepEqual(
      l.expired(160_001, 10_000, () => false).map((e) => e.id),
      ['a'],
    );
  });

  it('takes relayed news at its age and ignores news older than what it holds', () => {
    const l = new Liveness();
    l.hear('a', 10_000, 4000);
    assert.equal(l.lastHeard('a'), 6000);
    l.hear('a', 10_000, 8000);
    assert.equal(l.lastHeard('a'), 6000);
    l.forget('a');
    assert.equal(l.lastHeard('a'), undefined);
  });
});
