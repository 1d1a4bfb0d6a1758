import assert from 'node:assert/strict';
import { quorumSize, RoundCollector } from '../src/rounds.js';

const timing = { deadlineMs: 1000, quorumFraction: 0.6, quorumGraceMs: 200 };
const upd = (from: string): { from: string; samples: number; delta: number } => ({
  from,
  samples: 10,
  delta: 1,
});

describe('RoundCollector (head-side round bookkeeping)', () => {
  it('sizes the quorum', () => {
    assert.equal(quorumSize(5, 0.6), 3);
    assert.equal(quorumSize(3, 0.6), 2);
    assert.equal(quorumSize(1, 0.6), 1);
    assert.equal(quorumSize(0, 0.6), 1);
  });

  it('closes when everyone reported, refusing stale, duplicate and foreign updates', () => {
    const c = new RoundCollector<number>('c0', 4, 1, new Set(['a', 'b', 'c']), 0, timing);
    assert.deepEqual(c.add(3, upd('a'), 1), { ok: false, reason: 'stale_round', detail: 'got 3, open 4' });
    assert.equal(c.add(4, upd('x'), 1).ok, false);
    assert.equal(c.add(4, { from: 'a', samples: 0, delta: 1 }, 1).ok, false);
    assert.equal(c.add(4, upd('b'), 1).ok, true);
    assert.equal(c.add(4, upd('b'), 1).ok, false);
    assert.equal(c.shouldClose(2), false);
    assert.equal(c.add(4, upd('c'), 2).ok, true);
    assert.equal(c.add(4, upd('a'), 3).ok, true);
    assert.equal(c.shouldClose(3), true);
    assert.deepEqual(
      c.close().map((u) => u.from),
      ['a', 'b', 'c'],
    );
    assert.equal(c.add(4, upd('a'), 4).ok, false);
    assert.equal(c.shouldClose(5000), false);
  });

  it('does not wait for stragglers beyond the quorum grace, nor past the deadline', () => {
    const members = new Set(['a', 'b', 'c', 'd', 'e']);
    const q = new RoundCollector<number>('c0', 1, 1, members, 0, timing);
    q.add(1, upd('a'), 10);
    q.add(1, upd('b'), 20);
    q.add(1, upd('c'), 30); // quorum (3 of 5) reached at t=30
    assert.equal(q.shouldClose(229), false);
    assert.equal(q.shouldClose(230), true);
    const d = new RoundCollector<number>('c0', 1, 1, members, 0, timing);
    d.add(1, upd('a'), 10);
    assert.equal(d.shouldClose(999), false);
    assert.equal(d.shouldClose(1000), true);
  });
});
