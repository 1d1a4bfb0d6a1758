import { strict as assert } from 'node:assert';
import { MembershipView, canonicalJson } from '../src/view.js';

interface Fp {
  projMean: number[];
  labelHist: number[];
}

const fp = (x: number): Fp => ({ projMean: [x, x / 2], labelHist: [0.5, 0.5] });

function makeView(now = 0, ttlMs = 1000): MembershipView<Fp> {
  return new MembershipView<Fp>({
    selfId: 'self',
    ttlMs,
    self: { fingerprint: fp(0), seq: 1, capacity: 1 },
    now,
  });
}

describe('MembershipView', () => {
  it('always holds self, which never expires', () => {
    const v = makeView();
    assert.deepEqual(v.ids(), ['self']);
    assert.deepEqual(v.expire(1e9), []);
    assert.equal(v.remove('self'), false);
    assert.ok(v.has('self'));
  });

  it('expires silent peers after ttl and returns the removed ids sorted', () => {
    const v = makeView(0, 1000);
    v.upsert('b', { fingerprint: fp(1), seq: 1, capacity: 1 }, 0);
    v.upsert('a', { fingerprint: fp(2), seq: 1, capacity: 1 }, 0);
    v.upsert('c', { fingerprint: fp(3), seq: 1, capacity: 1 }, 500);
    assert.deepEqual(v.expire(1000), [], 'exactly ttl old is still live');
    assert.deepEqual(v.expire(1001), ['a', 'b']);
    assert.deepEqual(v.ids(), ['c', 'self']);
    assert.deepEqual(v.expire(1501), ['c']);
  });

  it('heartbeats refresh liveness without changing the version', () => {
    const v = makeView(0, 1000);
    v.upsert('a', { fingerprint: fp(1), seq: 3, capacity: 1 }, 0);
    const ver = v.version;
    assert.deepEqual(v.heartbeat('a', 900), { kind: 'refreshed' });
    assert.deepEqual(v.heartbeat('a', 950, 2), { kind: 'refreshed' }, 'an older seq still proves liveness');
    assert.equal(v.version, ver);
    assert.deepEqual(v.expire(1800), []);
    assert.deepEqual(v.expire(1951), ['a']);
  });

  it('reports heartbeats from unknown peers and from peers with a newer fingerprint', () => {
    const v = makeView();
    assert.deepEqual(v.heartbeat('x', 1), { kind: 'unknown' });
    assert.ok(!v.has('x'), 'a heartbeat alone does not add a peer');
    v.upsert('a', { fingerprint: fp(1), seq: 3, capacity: 1 }, 0);
    assert.deepEqual(v.heartbeat('a', 1, 4), { kind: 'behind', knownSeq: 3 });
  });

  it('ignores stale seqs entirely and refreshes on a repeated seq', () => {
    const v = makeView(0, 1000);
    assert.deepEqual(v.upsert('a', { fingerprint: fp(1), seq: 5, capacity: 2 }, 0), { kind: 'added' });
    const ver = v.version;
    assert.deepEqual(v.upsert('a', { fingerprint: fp(9), seq: 4, capacity: 7 }, 800), { kind: 'stale' });
    assert.deepEqual(v.get('a')?.fingerprint, fp(1));
    assert.equal(v.get('a')?.capacity, 2);
    assert.equal(v.get('a')?.lastSeen, 0, 'a stale message does not prove liveness');
    assert.equal(v.version, ver);
    assert.deepEqual(v.upsert('a', { fingerprint: fp(1), seq: 5, capacity: 2 }, 900), { kind: 'refreshed' });
    assert.equal(v.get('a')?.lastSeen, 900);
    assert.equal(v.version, ver);
  });

  it('bumps the version only when membership or a fingerprint changes', () => {
    const v = makeView();
    const v0 = v.version;
    v.upsert('a', { fingerprint: fp(1), seq: 1, capacity: 1 }, 0);
    const v1 = v.version;
    assert.notEqual(v1, v0);
    assert.deepEqual(v.upsert('a', { fingerprint: fp(1), seq: 2, capacity: 5 }, 1), {
      kind: 'updated',
      fingerprintChanged: false,
    });
    assert.equal(v.version, v1, 'new seq with the same content is not a change');
    assert.equal(v.get('a')?.capacity, 5);
    assert.deepEqual(v.upsert('a', { fingerprint: fp(2), seq: 3, capacity: 5 }, 2), {
      kind: 'updated',
      fingerprintChanged: true,
    });
    const v2 = v.version;
    assert.notEqual(v2, v1);
    v.expire(1e9);
    assert.notEqual(v.version, v2);
    assert.ok(v.remove('a') === false);
  });

  it('digest is equal on peers holding the same view, whatever the arrival order', () => {
    const peers = ['p1', 'p2', 'p3', 'p4'];
    const a = makeView();
    const b = makeView();
    peers.forEach((id, i) => a.upsert(id, { fingerprint: fp(i), seq: 1, capacity: i }, i));
    [...peers].reverse().forEach((id) => {
      const i = peers.indexOf(id);
      b.upsert(id, { fingerprint: fp(i), seq: 7, capacity: 100 }, 50);
    });
    assert.equal(a.digest(), b.digest(), 'seq, capacity and lastSeen are not part of the digest');
    assert.match(a.digest(), /^[0-9a-f]{16}$/);
    b.upsert('p3', { fingerprint: fp(42), seq: 8, capacity: 100 }, 60);
    assert.notEqual(a.digest(), b.digest(), 'a changed fingerprint changes the digest');
    a.upsert('p3', { fingerprint: fp(42), seq: 2, capacity: 1 }, 60);
    assert.equal(a.digest(), b.digest());
    b.remove('p1');
    assert.notEqual(a.digest(), b.digest(), 'membership changes the digest');
  });

  it('lists items and capacities sorted by id', () => {
    const v = makeView();
    v.upsert('z', { fingerprint: fp(1), seq: 1, capacity: 3 }, 0);
    v.upsert('a', { fingerprint: fp(2), seq: 1, capacity: 4 }, 0);
    assert.deepEqual(
      v.items().map((i) => i.id),
      ['a', 'self', 'z'],
    );
    assert.deepEqual(v.capacities(['z', 'a', 'gone', 'a']), [
      { id: 'a', capacity: 4 },
      { id: 'z', capacity: 3 },
    ]);
  });

  it('canonicalJson is key-order independent and handles typed arrays', () => {
    assert.equal(canonicalJson({ b: 1, a: [1, 2] }), canonicalJson({ a: [1, 2], b: 1 }));
    assert.equal(canonicalJson(new Float32Array([1, 0.5])), canonicalJson([1, 0.5]));
    assert.notEqual(canonicalJson([NaN]), canonicalJson([null]));
  });
});
