import assert from 'node:assert/strict';
import { wantedPeers } from '../src/handlers/peers.js';

const ids = (n: number, p = 'P'): string[] =>
  Array.from({ length: n }, (_, i) => `${p}${String(i).padStart(3, '0')}`);

describe('connection policy (bounded connections)', () => {
  const view = ids(64);
  const cluster = view.slice(0, 32);

  it('wants the head, 8 cluster members and 3 others: 12 of 63, not all', () => {
    const w = wantedPeers({ self: 'P005', view, cluster, head: 'P000' });
    assert.equal(w.length, 12);
    assert.ok(w.includes('P000'));
    assert.ok(!w.includes('P005'));
    assert.equal(w.filter((id) => cluster.includes(id)).length, 9);
  });

  it('is stable as the view grows: a newcomer displaces at most one choice', () => {
    const before = wantedPeers({ self: 'P005', view, cluster, head: 'P000' });
    for (const extra of ids(20, 'Q')) {
      const after = wantedPeers({ self: 'P005', view: [...view, extra], cluster, head: 'P000' });
      assert.ok(before.filter((id) => !after.includes(id)).length <= 1, extra);
    }
  });

  it('differs from peer to peer, and the union of all choices connects everyone', () => {
    const choices = view.map((self) =>
      wantedPeers({ self, view, cluster: cluster.includes(self) ? cluster : view.slice(32), head: 'P000' }),
    );
    assert.notDeepEqual(choices[1], choices[2]);
    // breadth-first search over the undirected union graph
    const adj = new Map(view.map((v) => [v, new Set<string>()]));
    view.forEach((v, i) => {
      for (const w of choices[i] ?? []) {
        adj.get(v)?.add(w);
        adj.get(w)?.add(v);
      }
    });
    const seen = new Set(['P040']);
    const queue = ['P040'];
    while (queue.length > 0) {
      for (const w of adj.get(queue.shift() as string) ?? []) {
        if (seen.has(w)) continue;
        seen.add(w);
        queue.push(w);
      }
    }
    assert.equal(seen.size, 64);
  });

  it('a head also wants the other heads; known peers outside the view count as others', () => {
    const w = wantedPeers({ self: 'P000', view, cluster, head: 'P000', otherHeads: ['P040'] });
    assert.ok(w.includes('P040') && !w.includes('P000'));
    const lonely = wantedPeers({ self: 'P000', view: ['P000'], cluster: ['P000'], known: ['X1', 'X2'] });
    assert.deepEqual(lonely, ['X1', 'X2']);
  });
});
