// The testnet's security verdict (issue 10): a followed outsider or non-member head, or a
// collapsed cluster, fails the run; an honest run with a failover passes.
import assert from 'node:assert/strict';
import { parseEventLine, type PeerEvent } from '../src/testnet/events.js';
import type { FinalCluster } from '../src/testnet/clusters.js';
import { NetworkState } from '../src/testnet/state.js';
import { collapsedClusters, hijackedHeads, securityFailures } from '../src/testnet/verdict.js';

const ev = (o: Record<string, unknown>): PeerEvent => {
  const e = parseEventLine(JSON.stringify({ level: 30, ...o }));
  if (e === undefined) throw new Error(`bad fixture event ${JSON.stringify(o)}`);
  return e;
};

/** Three testnet peers A, B, C in one cluster c0; `head` is what C follows after A fails over to B. */
function run(head: string): NetworkState {
  const s = new NetworkState();
  const ids = ['A', 'B', 'C'];
  ids.forEach((peer, i) => {
    s.apply(
      ev({
        time: 1,
        peer,
        event: 'peer_started',
        addrs: [],
        dataPath: `/r/peer-0${i}`,
        backend: 'wasm',
        samples: 9,
      }),
    );
    s.apply(ev({ time: 2, peer, event: 'cluster_assigned', cluster: 'c0', members: ids, head: 'A', k: 1 }));
    s.apply(ev({ time: 3, peer, event: 'head_elected', cluster: 'c0', head: 'A', term: 1 }));
  });
  s.apply(ev({ time: 9, peer: 'B', event: 'head_elected', cluster: 'c0', head: 'B', term: 2 }));
  s.apply(ev({ time: 9, peer: 'C', event: 'head_elected', cluster: 'c0', head, term: 2 }));
  return s;
}

describe('testnet security verdict', () => {
  it('passes an honest failover and names an outsider or a non-member followed as head', () => {
    assert.deepEqual(hijackedHeads(run('B')), []);
    assert.deepEqual(hijackedHeads(run('12D3KooWEvil')), [
      { by: 'C', cluster: 'c0', head: '12D3KooWEvil', why: 'outsider' },
    ]);
    // D is a testnet peer, but not in the cluster C was assigned.
    const s = run('D');
    s.apply(
      ev({
        time: 1,
        peer: 'D',
        event: 'peer_started',
        addrs: [],
        dataPath: '/r/peer-03',
        backend: 'wasm',
        samples: 9,
      }),
    );
    assert.deepEqual(hijackedHeads(s), [{ by: 'C', cluster: 'c0', head: 'D', why: 'not_member' }]);
    const lines = securityFailures(run('12D3KooWEvil'), [], null, (id) => `peer-${id}`);
    assert.deepEqual(lines, ['peer-C followed peer-12D3KooWEvil as head of c0 (not a testnet peer)']);
  });

  it('fails a cluster whose accuracy collapsed below the local-only baseline', () => {
    const s = run('B');
    const cluster = (accs: number[]): FinalCluster => ({
      id: 'c0',
      peers: accs.map((acc, i) => ({ ...s.peer(['A', 'B', 'C'][i] as string), acc })),
    });
    assert.deepEqual(collapsedClusters([cluster([0.9, 0.92, 0.88])], 0.87), []);
    assert.deepEqual(collapsedClusters([cluster([0.3, 0.25, 0.31])], 0.87).length, 1);
    assert.deepEqual(collapsedClusters([cluster([NaN, 0.9, 0.9])], null).length, 1);
    assert.match(
      securityFailures(s, [cluster([0.1, 0.1, 0.1])], 0.87, (x) => x).join(),
      /collapsed to 0.100/,
    );
  });
});
