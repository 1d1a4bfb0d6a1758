// Loss reports over the wire: the loss-based clustering rule itself is meta's (and tested there,
// packages/meta/test/ppfm-refine.spec.ts); here, that it decides the same from gossiped reports.
import assert from 'node:assert/strict';
import { createRng, makeLossReport, refineByLoss, type LossReport } from '@ppfm/meta';
import { decodeGossip, encodeGossip } from '@ppfm/protocol';
import { isValidClusterId } from '../src/cluster-id.js';

/** Loss reports of `peers` in `groups`: own model ~0.4, same task a little worse, other task 2.5 worse. */
function reports(peers: string[], groups: number[], seed: number): LossReport[] {
  const r = createRng(seed);
  return peers.map((p, i) => {
    const losses = new Map<string, number>();
    peers.forEach((q, j) =>
      losses.set(q, 0.4 + (i === j ? 0 : groups[i] === groups[j] ? 0.05 : 2.5) + 0.3 * r.next()),
    );
    return makeLossReport(p, 1, 1, losses);
  });
}

describe('loss reports over the wire', () => {
  it('decide the same clusters from local reports and from their gossip round trip (float32)', () => {
    const peers = Array.from({ length: 10 }, (_, i) => `Qm${(i * 7919) % 1000}x${i}`);
    const groups = [0, 1, 0, 1, 1, 0, 0, 1, 0, 1];
    const base = reports(peers, groups, 13);
    const wire = base.map((rep) => {
      const d = decodeGossip(encodeGossip({ kind: 'loss_report', ...rep, sentAt: 0 }));
      assert.ok(d.ok && d.value.kind === 'loss_report');
      const { kind: _k, sentAt: _s, ...rest } = d.value;
      return rest;
    });
    assert.deepEqual(wire, base);
    const local = refineByLoss(base);
    assert.deepEqual(refineByLoss(wire), local);
    assert.equal(local.clusters.length, 2);
    assert.ok(
      local.clusters.every((c) => isValidClusterId(c.id)),
      'refined cluster ids name topics',
    );
  });
});
