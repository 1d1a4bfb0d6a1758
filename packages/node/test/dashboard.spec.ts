// The dashboard's page model as a pure fold of events: clusters, heads, a killed head turning
// grey and its successor, edges, accuracy series, traffic, rejections, the failover timeline,
// truth, forward compatibility, and independence from how the peers' files interleave.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DashboardFold, folderOf } from '../src/dashboard/fold.js';
import { buildView } from '../src/dashboard/snapshot.js';
import type { DashboardView } from '../src/dashboard/view.js';
import type { AnyLoggedEvent } from '../src/inspect/read-logs.js';
import type { LoggedEvent } from '../src/log/events.js';
import {
  fixtureByPeer,
  fixtureEvents,
  KILL_AT,
  P0,
  P1,
  P2,
  P3,
  P4,
  P5,
  T0,
  TRUTH,
} from './dashboard-fixture.js';

function viewOf(events: readonly AnyLoggedEvent[], extra: { baseline?: number } = {}): DashboardView {
  const fold = new DashboardFold();
  for (const e of events) fold.apply(e);
  return buildView(fold, { now: T0 + 20_000, title: 'fixture', truth: TRUTH, ...extra });
}

const peer = (v: DashboardView, id: string) => {
  const p = v.peers.find((x) => x.id === id);
  assert.ok(p, `peer ${id} in view`);
  return p;
};
const cluster = (v: DashboardView, id: string) => {
  const c = v.clusters.find((x) => x.id === id);
  assert.ok(c, `cluster ${id} in view`);
  return c;
};

describe('dashboard fold', () => {
  it('names peers by their partition folder', () => {
    assert.equal(folderOf('/run/data/peer-07'), 'peer-07');
    assert.equal(folderOf('/run/data/peer-12/'), 'peer-12');
    assert.equal(folderOf('/home/me/my-data'), null);
    const v = viewOf(fixtureEvents());
    assert.deepEqual(
      v.peers.map((p) => p.name),
      ['peer-00', 'peer-01', 'peer-02', 'peer-03', 'peer-04', 'peer-05'],
    );
  });

  it('shows two clusters with their heads, terms, rounds and members before the kill', () => {
    const v = viewOf(fixtureEvents().filter((e) => e.time < KILL_AT));
    assert.deepEqual(
      v.clusters.map((c) => [c.id, c.head, c.headState, c.term, c.round, c.members.length]),
      [
        ['c0', P0, 'live', 1, 2, 3],
        ['c1', P3, 'live', 1, 2, 3],
      ],
    );
    assert.equal(peer(v, P3).role, 'head');
    assert.equal(peer(v, P4).role, 'member');
    assert.equal(peer(v, P3).state, 'training');
    assert.equal(v.edges.length, 15, 'six peers, all connected');
    assert.deepEqual(v.truth, { groups: 2, matches: true });
  });

  it('greys a head killed without a word, then shows the head that replaced it', () => {
    // Right after the others logged the disconnections: P3 is gone, nobody elected yet.
    const mid = viewOf(fixtureEvents().filter((e) => e.time < T0 + 7000));
    assert.equal(peer(mid, P3).state, 'departed');
    assert.equal(cluster(mid, 'c1').head, P3);
    assert.equal(cluster(mid, 'c1').headState, 'gone');
    assert.ok(!cluster(mid, 'c1').members.includes(P3), 'a departed peer is no longer a member');
    assert.ok(
      mid.edges.every(([a, b]) => a !== P3 && b !== P3),
      'its edges are gone',
    );
    assert.equal(mid.edges.length, 10);

    const end = viewOf(fixtureEvents());
    const c1 = cluster(end, 'c1');
    assert.equal(c1.head, P4);
    assert.equal(c1.headState, 'live');
    assert.equal(c1.term, 2);
    assert.equal(c1.round, 3);
    assert.deepEqual(c1.members, [P4, P5]);
    assert.equal(peer(end, P4).role, 'head');
    assert.equal(peer(end, P3).state, 'departed');
    assert.equal(peer(end, P3).role, 'member', 'no longer the head of its cluster');
    const kinds = end.timeline.map((t) => `${t.kind}:${t.peer === P3 ? 'P3' : t.peer === P4 ? 'P4' : '?'}`);
    assert.deepEqual(kinds.slice(-3), ['departed:P3', 'lease_expired:P3', 'elected:P4']);
    const failover = end.timeline.find((t) => t.kind === 'elected' && t.peer === P4);
    assert.equal(failover?.failoverMs, 5200, 'median of the members’ reports');
    assert.equal(failover?.term, 2);
  });

  it("a member's transient lease expiry does not leave a working head marked expired", () => {
    const expiry: LoggedEvent = {
      level: 30,
      time: T0 + 16_000,
      peer: P5,
      event: 'lease_expired',
      cluster: 'c1',
      head: P4,
      term: 2,
    };
    const opened: LoggedEvent = {
      level: 30,
      time: T0 + 17_000,
      peer: P4,
      event: 'round_opened',
      cluster: 'c1',
      round: 4,
      term: 2,
      head: P4,
    };
    assert.equal(cluster(viewOf([...fixtureEvents(), expiry]), 'c1').headState, 'expired');
    // The head went on (its next round, after the expiry): live again, in either order of the logs.
    assert.equal(cluster(viewOf([...fixtureEvents(), expiry, opened]), 'c1').headState, 'live');
    assert.equal(cluster(viewOf([...fixtureEvents(), opened, expiry]), 'c1').headState, 'live');
  });

  it('keeps a peer that was dropped but writes again (a partition, not a death)', () => {
    const events = fixtureEvents();
    const alive: LoggedEvent = { level: 30, time: T0 + 15_000, peer: P3, event: 'view_changed', peers: [P3] };
    const v = viewOf([...events, alive]);
    assert.equal(peer(v, P3).state, 'training');
  });

  it('draws personalised accuracy per peer and round, the cluster mean and the baseline', () => {
    const v = viewOf(fixtureEvents(), { baseline: 0.62 });
    const c0 = cluster(v, 'c0');
    assert.deepEqual(
      c0.series.map((s) => [s.name, s.points.length, s.gone]),
      [
        ['peer-00', 3, false],
        ['peer-01', 3, false],
        ['peer-02', 3, false],
      ],
    );
    assert.deepEqual(c0.series[1]?.points, [
      [1, 0.5 + 0.1 * 1 + 0.01 * 1],
      [2, 0.5 + 0.1 * 2 + 0.01 * 1],
      [3, 0.8 + 0.01 * 1],
    ]);
    const [r1, r2, r3] = c0.mean.map(([, m]) => m);
    assert.ok(Math.abs((r1 as number) - 0.61) < 1e-12 && Math.abs((r2 as number) - 0.71) < 1e-12);
    assert.ok(Math.abs((r3 as number) - 0.81) < 1e-12);
    assert.ok(Math.abs((c0.meanAcc as number) - 0.81) < 1e-12);
    const c1 = cluster(v, 'c1');
    assert.equal(c1.series.find((s) => s.peer === P3)?.gone, true, 'the killed head’s line stays, faint');
    assert.equal(v.baseline, 0.62);
  });

  it('sums traffic per round and counts rejections by reason, including newer event kinds', () => {
    const v = viewOf(fixtureEvents());
    assert.deepEqual(
      v.traffic.map((t) => [t.round, t.sent, t.received, t.peers]),
      [
        [1, 600_015, 1_200_030, 6],
        [2, 600_015, 1_200_030, 6],
      ],
    );
    assert.equal(v.traffic[0]?.byCluster.c0, 300_003);
    assert.equal(v.modelBytes, 40_003, 'the latest model size by time, whatever file is read last');
    assert.deepEqual(
      v.rejections.map((r) => [r.kind, r.reason, r.channel, r.count, r.senders]),
      [
        ['message_rejected', 'malformed', '/ppfm/1/cluster/c0', 2, 2],
        ['update_rejected', 'norm_bound', 'c1', 1, 1],
        ['message_rejected', 'too_large', '/ppfm/1/update/push', 1, 1],
      ],
    );
  });

  it('reads waiting and epsilon, and ignores events it does not know', () => {
    const byPeer = fixtureByPeer();
    const early = [...byPeer.values()].flat().filter((e) => e.time < T0 + 90);
    assert.equal(peer(viewOf(early), P1).state, 'waiting');
    assert.equal(peer(viewOf(early), P0).state, 'clustering');
    const v = viewOf(fixtureEvents());
    assert.equal(peer(v, P1).state, 'training', 'rounds followed the wait');
    assert.equal(peer(v, P3).epsilon, 0.5);
    assert.equal(peer(v, P2).epsilon, null);
    assert.equal(peer(v, P2).lastSeen, T0 + 14_600, 'an unknown event still counts as a sign of life');
  });

  it('tells finished, stopped and departed peers apart', () => {
    const stop = (dt: number, peer: string, reason: string): LoggedEvent => ({
      level: 30,
      time: T0 + dt,
      peer,
      event: 'peer_stopped',
      reason,
    });
    const done: LoggedEvent = {
      level: 30,
      time: T0 + 15_000,
      peer: P0,
      event: 'rounds_completed',
      cluster: 'c0',
      round: 3,
    };
    const v = viewOf([...fixtureEvents(), done, stop(15_100, P0, 'rounds'), stop(15_200, P5, 'signal')]);
    assert.equal(peer(v, P0).state, 'finished');
    assert.ok(cluster(v, 'c0').members.includes(P0), 'a finished peer stays in its cluster');
    assert.equal(cluster(v, 'c0').headState, 'live');
    assert.equal(peer(v, P5).state, 'stopped');
    assert.deepEqual(cluster(v, 'c1').members, [P4]);
    assert.ok(v.timeline.some((t) => t.kind === 'stopped' && t.peer === P5));
    assert.ok(!v.timeline.some((t) => t.peer === P0 && t.kind === 'stopped'), 'finishing is not a failure');
  });

  it('compares the live clusters with the truth groups', () => {
    const wrong = new Map(TRUTH);
    wrong.set('peer-00', 1);
    const fold = new DashboardFold();
    for (const e of fixtureEvents()) fold.apply(e);
    assert.equal(buildView(fold, { now: T0, truth: wrong }).truth?.matches, false);
    assert.equal(buildView(fold, { now: T0 }).truth, null);
    assert.equal(buildView(fold, { now: T0, truth: TRUTH }).peers[3]?.truth, 1);
  });

  it('gives the same view for any interleaving of the peers’ files', () => {
    const lists = [...fixtureByPeer().values()];
    const reference = JSON.stringify(viewOf(fixtureEvents()));
    fc.assert(
      fc.property(fc.array(fc.nat(lists.length - 1), { minLength: 200, maxLength: 200 }), (picks) => {
        // Merge the per-peer lists in the order the picks dictate (each list keeps its own order).
        const cursors = lists.map(() => 0);
        const merged: AnyLoggedEvent[] = [];
        for (const pick of picks) {
          const i = pick % lists.length;
          const e = lists[i]?.[cursors[i] as number];
          if (e !== undefined) {
            merged.push(e);
            cursors[i] = (cursors[i] as number) + 1;
          }
        }
        lists.forEach((l, i) => merged.push(...l.slice(cursors[i])));
        return JSON.stringify(viewOf(merged)) === reference;
      }),
      { numRuns: 60, seed: 7 },
    );
  });
});
