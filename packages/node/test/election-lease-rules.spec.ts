// The lease rules of one election state machine, message by message (election.spec.ts runs
// whole groups of peers through elections, partitions and crashes).
import { strict as assert } from 'node:assert';
import { ClusterElection, type HeadLease } from '../src/election.js';

const CLUSTER = 'c0';
const INTERVAL = 100;
const TTL = 300;

describe('ClusterElection lease rules', () => {
  const lease = (head: string, term: number, cluster = CLUSTER): HeadLease => ({
    cluster,
    head,
    term,
    round: 0,
    expiry: 0,
  });
  const follower = (): ClusterElection =>
    new ClusterElection({
      selfId: 'me',
      cluster: CLUSTER,
      leaseIntervalMs: INTERVAL,
      leaseTtlMs: TTL,
      now: 0,
    });

  /** A lone member that claims at once (no listen window): head of its cluster on its first tick. */
  const alone = (selfId: string): ClusterElection =>
    new ClusterElection({
      selfId,
      cluster: CLUSTER,
      leaseIntervalMs: INTERVAL,
      leaseTtlMs: TTL,
      now: 0,
      listenMs: 0,
    });

  it('a higher term always wins, a lower term is ignored', () => {
    const e = follower();
    assert.deepEqual(e.onLease(lease('x', 3), 10), [
      { kind: 'head_changed', cluster: CLUSTER, head: 'x', term: 3 },
    ]);
    assert.deepEqual(e.onLease(lease('y', 4), 20), [
      { kind: 'head_changed', cluster: CLUSTER, head: 'y', term: 4 },
    ]);
    assert.deepEqual(e.onLease(lease('x', 3), 30), []);
    assert.deepEqual(e.onLease(lease('a', 3), 30), []);
    assert.equal(e.head, 'y');
    assert.deepEqual(e.state, { role: 'follower', head: 'y', term: 4, leaseExpiresAt: 20 + TTL });
  });

  it('same term: the smaller id wins while both are valid; any head is accepted once the lease lapsed', () => {
    const e = follower();
    e.onLease(lease('m', 2), 0);
    assert.deepEqual(e.onLease(lease('z', 2), 10), []);
    assert.equal(e.head, 'm');
    assert.equal(e.onLease(lease('b', 2), 20)[0]?.kind, 'head_changed');
    assert.equal(e.head, 'b');
    assert.deepEqual(e.onLease(lease('z', 2), 20 + TTL), [
      { kind: 'head_changed', cluster: CLUSTER, head: 'z', term: 2 },
    ]);
  });

  it('without a valid lease, follows a live head even if it is behind the highest known term', () => {
    const e = follower();
    e.onLease(lease('x', 5), 0);
    e.tick(TTL); // x's lease expires: headless at highest term 5
    assert.equal(e.head, undefined);
    assert.deepEqual(e.onLease(lease('y', 4), TTL + 10), [
      { kind: 'head_changed', cluster: CLUSTER, head: 'y', term: 4, electionMs: 10, failoverMs: TTL + 10 },
    ]);
    assert.equal(e.term, 4);
    assert.equal(e.highestTerm, 5);
    assert.deepEqual(e.onLease(lease('y', 4), TTL + 20), [], 'renewals keep it');
    assert.deepEqual(e.onLease(lease('x', 3), TTL + 30), [], 'but not a lower term while valid');
    assert.equal(e.head, 'y');
  });

  it('never lets a different head reuse a term it saw: a member claims above it instead', () => {
    const e = follower();
    e.setMembers(
      [
        { id: 'me', capacity: 1 },
        { id: 'x', capacity: 1 },
        { id: 'a', capacity: 1 },
      ],
      0,
    );
    e.onLease(lease('x', 1), 0);
    e.setMembers(
      [
        { id: 'me', capacity: 1 },
        { id: 'a', capacity: 1 },
      ],
      10,
    ); // x died
    assert.equal(e.head, undefined);
    // 'a' joined late, never heard x, and claimed term 1 again
    const out = e.onLease(lease('a', 1), 20);
    assert.deepEqual(
      out.map((o) => o.kind),
      ['became_head', 'publish_lease'],
    );
    assert.equal(e.term, 2);
    // 'a' hears term 2 and steps down; a renewal of its stale lease only makes us reassert
    assert.equal(e.onLease(lease('a', 1), 30)[0]?.kind, 'publish_lease');
    assert.equal(e.head, 'me');
  });

  it('ignores leases of other clusters and its own echo', () => {
    const e = follower();
    assert.deepEqual(e.onLease(lease('x', 5, 'c9'), 10), []);
    assert.deepEqual(e.onLease(lease('me', 5), 10), []);
    assert.equal(e.head, undefined);
    assert.equal(e.highestTerm, 5, 'but remembers the term of its own old lease');
    assert.equal(e.term, 0);
  });

  it('a head steps down on a higher term or, at its term, a higher round or a smaller id at its round', () => {
    const e = alone('m');
    e.setMembers([{ id: 'm', capacity: 1 }], 0);
    e.setRound(4);
    const out = e.tick(0);
    assert.deepEqual(out, [
      { kind: 'became_head', cluster: CLUSTER, term: 1 },
      { kind: 'publish_lease', lease: { cluster: CLUSTER, head: 'm', term: 1, round: 4, expiry: TTL } },
    ]);
    assert.deepEqual(e.tick(INTERVAL - 1), []);
    assert.equal(e.tick(INTERVAL)[0]?.kind, 'publish_lease');
    const at = (head: string, term: number, round: number): HeadLease => ({ ...lease(head, term), round });
    assert.equal(e.onLease(at('z', 1, 4), 150)[0]?.kind, 'publish_lease', 'z loses: reassert at once');
    assert.equal(e.onLease(lease('x', 0), 150)[0]?.kind, 'publish_lease');
    // A smaller id behind us (a peer restarted from an old checkpoint) does not depose us.
    assert.equal(e.onLease(at('a', 1, 3), 155)[0]?.kind, 'publish_lease', 'a is behind: reassert');
    assert.equal(e.state.role, 'head');
    assert.deepEqual(e.onLease(at('a', 1, 4), 160), [
      { kind: 'stepped_down', cluster: CLUSTER, newHead: 'a', term: 1 },
    ]);
    assert.equal(e.head, 'a');
  });

  it('a head further along wins its term: a larger id with a higher round, for heads and followers', () => {
    const head = alone('a');
    head.setMembers([{ id: 'a', capacity: 1 }], 0);
    head.setRound(3);
    head.tick(0);
    const at = (h: string, term: number, round: number): HeadLease => ({ ...lease(h, term), round });
    assert.deepEqual(head.onLease(at('z', 1, 7), 10), [
      { kind: 'stepped_down', cluster: CLUSTER, newHead: 'z', term: 1 },
    ]);
    // A follower of z (round 7) keeps z against a smaller id at the same term behind it...
    const f = follower();
    f.onLease(at('z', 2, 7), 0);
    assert.deepEqual(f.onLease(at('b', 2, 3), 10), []);
    assert.equal(f.head, 'z');
    // ...and moves to a same-term head further along.
    assert.equal(f.onLease(at('y', 2, 8), 20)[0]?.kind, 'head_changed');
    assert.equal(f.head, 'y');
  });

  it('accepts rounds and announcements only from the head it follows or would follow', () => {
    const e = follower();
    assert.equal(e.accepts('m', 0, 0), true, 'no head known: any head at the highest term');
    e.onLease(lease('m', 2), 0);
    assert.equal(e.accepts('m', 2, 10), true, 'the followed head');
    assert.equal(e.accepts('m', 1, 10), false, 'the followed head at an older term');
    assert.equal(e.accepts('z', 2, 10), false, 'same term, larger id: the loser of a double claim');
    assert.equal(e.accepts('b', 2, 10), true, 'same term, smaller id: the winner');
    assert.equal(e.accepts('z', 3, 10), true, 'a higher term');
    assert.equal(e.accepts('z', 1, 10), false, 'a deposed head');
    assert.equal(e.accepts('z', 2, TTL + 1), true, 'once the lease lapsed, a head at the highest term');
    assert.equal(e.accepts('me', 2, 10), false, 'self while not head');
    const h = new ClusterElection({
      selfId: 'm',
      cluster: CLUSTER,
      leaseIntervalMs: INTERVAL,
      leaseTtlMs: TTL,
      now: 0,
      listenMs: 0,
    });
    h.setMembers([{ id: 'm', capacity: 1 }], 0);
    h.tick(0);
    assert.equal(h.accepts('m', 1, 0), true);
    assert.equal(h.accepts('z', 1, 0), false, 'a head ignores a same-term larger id');
    assert.equal(h.accepts('a', 1, 0), true, 'and yields to a same-term smaller id');
    assert.equal(h.onLease(lease('a', 1), 0)[0]?.kind, 'stepped_down');
    assert.equal(h.accepts('m', 1, 0), false, 'a deposed head no longer accepts itself');
  });

  it('rejects a lease ttl not longer than the interval', () => {
    assert.throws(
      () =>
        new ClusterElection({
          selfId: 'm',
          cluster: CLUSTER,
          leaseIntervalMs: 100,
          leaseTtlMs: 100,
          now: 0,
        }),
      RangeError,
    );
  });
});
