import { strict as assert } from 'node:assert';
import {
  ClusterElection,
  electCandidate,
  type ElectionMember,
  type ElectionOutput,
  type HeadLease,
} from '../src/election.js';

const CLUSTER = 'c0';
const INTERVAL = 100;
const TTL = 300;
const STEP = 10;

interface SimPeer {
  id: string;
  capacity: number;
  election: ClusterElection;
  alive: boolean;
  /** Peers in different partitions do not hear each other. */
  partition: number;
  log: { t: number; out: ElectionOutput }[];
}

/** Several peers exchanging leases through an in-memory bus, with a shared injected clock. */
class Sim {
  t = 0;
  readonly peers = new Map<string, SimPeer>();

  add(id: string, capacity: number, opts: { term?: number } = {}): SimPeer {
    const p: SimPeer = {
      id,
      capacity,
      election: new ClusterElection({
        selfId: id,
        cluster: CLUSTER,
        leaseIntervalMs: INTERVAL,
        leaseTtlMs: TTL,
        now: this.t,
        ...(opts.term === undefined ? {} : { term: opts.term }),
      }),
      alive: true,
      partition: 0,
      log: [],
    };
    this.peers.set(id, p);
    this.refreshMembers();
    return p;
  }

  /** Every peer's view: the live peers of its own partition (the view's ttl expiry, simplified). */
  refreshMembers(): void {
    for (const p of this.live()) {
      const members: ElectionMember[] = this.live()
        .filter((q) => q.partition === p.partition)
        .map((q) => ({ id: q.id, capacity: q.capacity }));
      this.handle(p, p.election.setMembers(members, this.t));
    }
  }

  /** A crashed peer comes back: a fresh state machine that remembers its last term (checkpoint). */
  restart(id: string): void {
    const old = this.get(id);
    const term = old.election.highestTerm;
    this.peers.delete(id);
    const p = this.add(id, old.capacity, { term });
    p.partition = old.partition;
    p.log = old.log;
    this.refreshMembers();
  }

  live(): SimPeer[] {
    return [...this.peers.values()].filter((p) => p.alive);
  }

  get(id: string): SimPeer {
    const p = this.peers.get(id);
    assert.ok(p, id);
    return p;
  }

  private handle(p: SimPeer, outs: ElectionOutput[]): void {
    for (const out of outs) {
      p.log.push({ t: this.t, out });
      if (out.kind === 'publish_lease') this.broadcast(p, out.lease);
    }
  }

  private broadcast(from: SimPeer, lease: HeadLease): void {
    for (const q of this.live()) {
      if (q === from || q.partition !== from.partition) continue;
      this.handle(q, q.election.onLease(lease, this.t));
    }
  }

  /** Advance the clock by `ms` in STEP increments, ticking every live peer. */
  run(ms: number, until?: () => boolean): void {
    const end = this.t + ms;
    while (this.t < end) {
      this.t += STEP;
      for (const p of this.live()) this.handle(p, p.election.tick(this.t, STEP));
      if (until?.()) return;
    }
  }

  heads(): string[] {
    return this.live()
      .filter((p) => p.election.state.role === 'head')
      .map((p) => p.id)
      .sort();
  }

  /** Asserts exactly one head among the live peers and that every live peer follows it; returns it. */
  assertOneHead(): string {
    const heads = this.heads();
    assert.equal(heads.length, 1, `heads: ${heads.join(',')}`);
    const head = heads[0] as string;
    const term = this.get(head).election.term;
    for (const p of this.live()) {
      assert.equal(p.election.head, head, `${p.id} follows ${p.election.head}`);
      assert.equal(p.election.state.term, term, `${p.id} term`);
    }
    return head;
  }

  events(kind: ElectionOutput['kind']): { peer: string; t: number; out: ElectionOutput }[] {
    return [...this.peers.values()].flatMap((p) =>
      p.log.filter((l) => l.out.kind === kind).map((l) => ({ peer: p.id, ...l })),
    );
  }
}

function fivePeers(): Sim {
  const sim = new Sim();
  sim.add('peer-a', 2);
  sim.add('peer-b', 5);
  sim.add('peer-c', 5);
  sim.add('peer-d', 1);
  sim.add('peer-e', 3);
  return sim;
}

describe('electCandidate', () => {
  it('prefers capacity, then the smaller peer id', () => {
    assert.equal(
      electCandidate([
        { id: 'b', capacity: 1 },
        { id: 'c', capacity: 2 },
        { id: 'a', capacity: 1 },
      ]),
      'c',
    );
    assert.equal(
      electCandidate([
        { id: 'z', capacity: 2 },
        { id: 'y', capacity: 2 },
      ]),
      'y',
    );
    assert.equal(electCandidate([]), undefined);
  });
});

describe('ClusterElection', () => {
  it('elects exactly one head, the best candidate, after the listen window, with no split', () => {
    const sim = fivePeers();
    sim.run(TTL - STEP);
    assert.deepEqual(sim.heads(), [], 'nobody claims while listening for an existing head');
    assert.equal(sim.get('peer-b').election.state.role, 'candidate');
    assert.equal(sim.get('peer-a').election.state.role, 'candidate');
    sim.run(2000);
    assert.equal(sim.assertOneHead(), 'peer-b');
    assert.equal(sim.get('peer-b').election.term, 1);
    assert.equal(sim.events('became_head').length, 1);
    assert.equal(sim.events('stepped_down').length, 0);
    assert.equal(sim.events('lease_expired').length, 0);
    const leases = sim.get('peer-b').log.filter((l) => l.out.kind === 'publish_lease');
    assert.ok(leases.length >= 2000 / INTERVAL - 1, `renews every interval (${leases.length})`);
  });

  it('re-elects with term+1 within leaseTtl + interval when the head dies, and reports electionMs', () => {
    const sim = fivePeers();
    sim.run(1000);
    const old = sim.assertOneHead();
    const killedAt = sim.t;
    sim.get(old).alive = false; // view not yet updated: only the lease tells
    sim.run(TTL + INTERVAL, () => sim.heads().length === 1 && sim.heads()[0] !== old);
    const head = sim.assertOneHead();
    assert.equal(head, 'peer-c', 'next best candidate');
    assert.equal(sim.get(head).election.term, 2);
    assert.ok(sim.t - killedAt <= TTL + INTERVAL, `took ${sim.t - killedAt} ms`);
    // Peers that noticed the expiry before the new head's lease reached them log it; the others
    // simply accept the higher term.
    const expired = sim.events('lease_expired').filter((e) => sim.get(e.peer).alive);
    assert.ok(expired.length >= 1);
    assert.ok(expired.some((e) => e.peer === head));
    for (const e of expired)
      assert.deepEqual(e.out, {
        kind: 'lease_expired',
        cluster: CLUSTER,
        head: old,
        term: 1,
        reason: 'expired',
      });
    const became = sim.events('became_head').filter((e) => e.peer === head);
    const out = became.at(-1)?.out;
    assert.ok(out?.kind === 'became_head');
    const { failoverMs, ...rest } = out;
    assert.deepEqual(rest, { kind: 'became_head', cluster: CLUSTER, term: 2, electionMs: 0 });
    // failover counts from the last lease heard from the dead head (at most one interval before
    // the kill), so it covers the whole lease ttl, unlike electionMs
    assert.ok(
      failoverMs !== undefined && failoverMs >= TTL && failoverMs <= sim.t - killedAt + INTERVAL,
      `failoverMs ${failoverMs}`,
    );
    for (const e of sim.events('head_changed').filter((x) => x.t > killedAt)) {
      assert.equal(e.out.kind === 'head_changed' && e.out.head, head);
      const ms = e.out.kind === 'head_changed' ? e.out.electionMs : -1;
      assert.ok(ms === undefined || (ms >= 0 && ms <= INTERVAL), `electionMs ${ms}`);
      const fo = e.out.kind === 'head_changed' ? e.out.failoverMs : -1;
      assert.equal(fo === undefined, ms === undefined, 'failoverMs comes with electionMs');
      assert.ok(fo === undefined || (fo >= TTL && fo <= TTL + 2 * INTERVAL), `failoverMs ${fo}`);
    }
    sim.run(1000);
    assert.equal(sim.assertOneHead(), head, 'stable afterwards');
  });

  it('drops a head at once when the view removes it', () => {
    const sim = fivePeers();
    sim.run(1000);
    const old = sim.assertOneHead();
    sim.get(old).alive = false;
    sim.refreshMembers();
    sim.run(STEP);
    assert.equal(sim.assertOneHead(), 'peer-c');
  });

  it('a returning old head that sees a higher term steps down', () => {
    const sim = fivePeers();
    sim.run(1000);
    const old = sim.assertOneHead();
    sim.get(old).partition = 1; // cut off, still believes it leads (views not updated)
    sim.run(TTL + 2 * INTERVAL);
    assert.deepEqual(sim.heads(), [old, 'peer-c'].sort(), 'both sides have a head');
    assert.equal(sim.get('peer-c').election.term, 2);
    assert.equal(sim.get(old).election.term, 1);
    sim.get(old).partition = 0; // heals
    sim.run(2 * INTERVAL);
    assert.equal(sim.assertOneHead(), 'peer-c', 'higher term wins over better capacity');
    const down = sim.events('stepped_down');
    assert.deepEqual(
      down.map((d) => [d.peer, d.out]),
      [[old, { kind: 'stepped_down', cluster: CLUSTER, newHead: 'peer-c', term: 2 }]],
    );
  });

  it('split views converge to one head when the partition heals', () => {
    const sim = new Sim();
    for (const [id, cap] of [
      ['n1', 1],
      ['n2', 4],
      ['n3', 2],
      ['n4', 3],
      ['n5', 1],
      ['n6', 2],
    ] as const) {
      sim.add(id, cap).partition = id < 'n4' ? 0 : 1;
    }
    sim.refreshMembers(); // each side sees only itself: both think they have the best candidate
    sim.run(1000);
    assert.deepEqual(sim.heads(), ['n2', 'n4'], 'split brain');
    for (const p of sim.live()) p.partition = 0;
    sim.refreshMembers();
    sim.run(2 * INTERVAL);
    const head = sim.assertOneHead();
    assert.equal(head, 'n2', 'same term: smaller peer id wins');
    sim.run(2000);
    assert.equal(sim.assertOneHead(), head);
    assert.equal(sim.events('stepped_down').length, 1);
  });

  it('split views with different terms converge on the higher term', () => {
    const sim = fivePeers();
    sim.run(1000);
    // peer-b's side keeps it; the other side re-elects at term 2 ...
    for (const id of ['peer-c', 'peer-d', 'peer-e']) sim.get(id).partition = 1;
    sim.refreshMembers();
    sim.run(1000);
    assert.deepEqual(sim.heads(), ['peer-b', 'peer-c']);
    // ... then loses its head too and elects term 3 while the first side stays at term 1.
    sim.get('peer-c').alive = false;
    sim.refreshMembers();
    sim.run(1000);
    assert.deepEqual(sim.heads(), ['peer-b', 'peer-e']);
    assert.equal(sim.get('peer-e').election.term, 3);
    for (const p of sim.live()) p.partition = 0;
    sim.refreshMembers();
    sim.run(2 * INTERVAL);
    assert.equal(sim.assertOneHead(), 'peer-e');
    assert.equal(sim.get('peer-b').election.term, 3);
  });

  it('peers that disagree on the candidate still end with one head (rank fallback)', () => {
    const sim = new Sim();
    const a = sim.add('a', 1);
    const b = sim.add('b', 1);
    // a believes b is best and b believes a is best: neither is rank 0 in its own view.
    a.election.setMembers(
      [
        { id: 'a', capacity: 1 },
        { id: 'b', capacity: 9 },
      ],
      0,
    );
    b.election.setMembers(
      [
        { id: 'a', capacity: 9 },
        { id: 'b', capacity: 1 },
      ],
      0,
    );
    sim.run(3 * TTL);
    assert.equal(sim.assertOneHead(), 'a');
  });

  it('a follower that was not running (a stall) does not depose a live head when it wakes', () => {
    const sim = new Sim();
    for (const id of ['a', 'b', 'c']) sim.add(id, 1);
    sim.run(2000);
    const head = sim.assertOneHead();
    const sleeper = sim.get(['a', 'b', 'c'].find((id) => id !== head) as string);
    const term = sleeper.election.term;
    // The sleeper's process is stopped for 10 lease ttls: it neither ticks nor hears leases.
    sleeper.alive = false;
    sim.run(10 * TTL);
    sleeper.alive = true;
    sim.run(2 * TTL);
    assert.equal(sim.assertOneHead(), head, 'the live head kept its headship');
    assert.equal(sleeper.election.term, term, 'no new term was claimed');
    assert.ok(!sleeper.log.some((l) => l.out.kind === 'became_head'), 'the sleeper never claimed');
  });

  it('without a tick period (no stall forgiveness) the same wake-up claims the headship', () => {
    const e = new ClusterElection({
      selfId: 'z',
      cluster: CLUSTER,
      leaseIntervalMs: INTERVAL,
      leaseTtlMs: TTL,
      now: 0,
    });
    e.setMembers(
      [
        { id: 'a', capacity: 1 },
        { id: 'z', capacity: 1 },
      ],
      0,
    );
    e.onLease({ cluster: CLUSTER, head: 'a', term: 1, round: 0, expiry: TTL }, 0);
    e.tick(STEP, STEP);
    assert.equal(e.head, 'a');
    // Woken 10 ttls later, with the tick period: the stall is forgiven, the lease still holds.
    e.tick(10 * TTL, STEP);
    assert.equal(e.head, 'a');
    // Without it the lease has expired.
    e.tick(20 * TTL);
    assert.notEqual(e.head, 'a');
  });

  it('a better peer joining later does not preempt the running head', () => {
    const sim = fivePeers();
    sim.run(1000);
    sim.add('peer-0', 99);
    sim.run(2000);
    assert.equal(sim.assertOneHead(), 'peer-b');
    assert.deepEqual(
      sim.get('peer-0').log.map((l) => l.out.kind),
      ['head_changed'],
    );
  });

  it('a restarted peer resumes from its checkpointed term', () => {
    const sim = new Sim();
    sim.add('solo', 1, { term: 7 });
    sim.run(TTL + STEP);
    assert.equal(sim.assertOneHead(), 'solo');
    assert.equal(sim.get('solo').election.term, 8);
    assert.equal(sim.get('solo').election.highestTerm, 8);
  });

  it('converges to one head after random partitions, crashes and restarts (50 seeded runs)', () => {
    for (let seed = 1; seed <= 50; seed++) {
      let a = seed * 0x9e3779b9;
      const rand = (): number => {
        a = (a + 0x6d2b79f5) | 0;
        let t = Math.imul(a ^ (a >>> 15), 1 | a);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
      const sim = new Sim();
      const ids = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'];
      for (const id of ids) sim.add(id, 1 + Math.floor(rand() * 3));
      for (let e = 0; e < 30; e++) {
        const p = sim.get(ids[Math.floor(rand() * ids.length)] as string);
        const r = rand();
        if (r < 0.4) p.partition = Math.floor(rand() * 3);
        else if (r < 0.6) p.alive = false;
        else if (r < 0.8 && !p.alive) sim.restart(p.id);
        // else: nothing happens for a while
        if (rand() < 0.5) sim.refreshMembers(); // views lag behind reality half of the time
        sim.run(Math.floor(rand() * 2 * TTL));
      }
      for (const id of ids) {
        const p = sim.get(id);
        p.partition = 0;
        if (!p.alive) sim.restart(id);
      }
      sim.refreshMembers();
      sim.run(2 * TTL + 2 * INTERVAL);
      const head = sim.assertOneHead();
      sim.run(5 * TTL);
      assert.equal(sim.assertOneHead(), head, `seed ${seed}: head changed once views agreed`);
    }
  });
});
