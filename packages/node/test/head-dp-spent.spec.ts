// A head whose privacy budget is spent cannot contribute its own update; alone in its cluster no
// update can come at all. It opened a round, closed it empty and reopened it forever (a DP test
// hung 100 s on round_empty). Now it opens none, says why once, and opens one when a member joins.
import assert from 'node:assert/strict';
import { ManualClock } from '../src/clock.js';
import type { PeerComponents } from '../src/components.js';
import { EventBus } from '../src/events.js';
import type { LogEvent } from '../src/log/events.js';
import { DEFAULT_TIMING } from '../src/options.js';
import type { ClusterSession } from '../src/services/cluster-session.js';
import { HeadRounds } from '../src/services/head-rounds.js';
import { ModelStore } from '../src/services/model-store.js';
import type { UpdatePrivacy } from '../src/services/update-privacy.js';

const w = (v: number) => [{ name: 'w', shape: [1], values: Float32Array.of(v) }];

describe('a head with its privacy budget spent', () => {
  it('opens no round alone, says so once, and opens one when a member joins', () => {
    const bus = new EventBus();
    const logged: LogEvent[] = [];
    bus.on('log', (e) => logged.push(e));
    const store = new ModelStore(w(0));
    store.set({ cluster: 'c0', round: 1, term: 2, weights: w(1), source: 'H' });
    const clock = new ManualClock();
    const published: Uint8Array[] = [];
    const c = {
      self: 'H',
      bus,
      store,
      clock,
      timing: DEFAULT_TIMING,
      settings: { rounds: 3, minClusterSize: 1, seed: 1 },
      spec: 'a'.repeat(64),
      gossip: { publish: async (_t: string, data: Uint8Array) => void published.push(data) },
    } as unknown as PeerComponents;
    let members = ['H'];
    const privacy = { spent: true, admit: () => false } as unknown as UpdatePrivacy;
    const head = new HeadRounds(c, {
      isReady: () => true,
      members: () => members,
      lastViewChange: () => 0,
      othersForGlobal: async () => [],
      sharedPart: () => 'body',
      headRound: () => 1,
      clusterInit: () => w(0),
      privacy,
    });
    const session = {
      cluster: 'c0',
      closed: false,
      isHead: true,
      announcedRound: 1,
      headRound: 1,
      election: { term: 2 },
      setRound: () => undefined,
    } as unknown as ClusterSession;
    head.activate(session);
    clock.advance(60_000);
    const said = logged.filter((e) => e.event === 'notice' && e.code === 'dp_no_round');
    assert.equal(said.length, 1, 'said once');
    assert.deepEqual(head.state, {
      kind: 'waiting',
      reason: 'privacy budget spent; no member to aggregate',
      since: (head.state as { since: number }).since,
    });
    assert.equal(logged.filter((e) => e.event === 'round_opened').length, 0);
    assert.equal(published.length, 0);
    members = ['H', 'A'];
    clock.advance(DEFAULT_TIMING.tickMs);
    assert.equal(head.state.kind, 'open');
    assert.equal(logged.filter((e) => e.event === 'round_opened').length, 1);
    head.deactivate();
  });
});
