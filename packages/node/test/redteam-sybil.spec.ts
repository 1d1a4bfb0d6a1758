// Red team, Sybils and data poisoning (issue 10). 20 Sybil identities publish plausible
// fingerprints and heartbeats but never lease nor push: the view holds one entry per identity,
// none of them ever leads, and rounds close on quorum/deadline instead of waiting for them.
// 20 % of peers with permuted labels: the run completes and no honest peer shares a cluster with
// a peer of the other group (where the poisoned peers end up is reported).
import assert from 'node:assert/strict';
import type { Dataset } from '@ppfm/meta';
import { startByzantine, type ByzantineMember } from './helpers/byzantine.js';
import { groupData } from './helpers/peers.js';
import { assertHonestOutcome, redteamRun, roundReached } from './helpers/redteam-run.js';

/** Labels relabelled by a fixed permutation (the data poisoning of the issue's last row). */
function permuted(d: Dataset): Dataset {
  const perm = [2, 3, 1, 0];
  return { ...d, name: `${d.name}-perm`, y: Int32Array.from(d.y, (k) => perm[k] as number) };
}

describe('red team: Sybils and poisoned labels', function () {
  this.timeout(240_000);

  // Silent identities are not candidates (their heartbeats name no cluster) and rounds stop waiting
  // for members that sent nothing for two rounds (head-rounds.ts MemberActivity).
  it('20 Sybil identities: one view entry each, never a head, rounds close without them', async () => {
    const sybils: ByzantineMember[] = [];
    const r = await redteamRun({
      groups: [0, 0, 0],
      rounds: 3,
      timeoutMs: 150_000,
      // Every honest peer has held round 3's model (the end of run itself is slow under this load).
      until: (peers) => peers.every((p) => roundReached(p) >= 3),
      attack: async (_peers, boot) => {
        for (let i = 0; i < 20; i++)
          sybils.push(
            await startByzantine(boot, {
              data: groupData(0, 20 + i),
              tamper: { kind: 'silent' },
              heartbeatMs: 500,
            }),
          );
        return { stop: async () => void (await Promise.all(sybils.map((s) => s.stop()))) };
      },
    });
    const ids = new Set(sybils.map((s) => s.id));
    const maxView = Math.max(...r.peers.flatMap((p) => p.log.of('view_changed').map((e) => e.peers.length)));
    const inClusters = Math.max(
      ...r.peers.flatMap((p) =>
        p.log.of('cluster_assigned').map((e) => e.members.filter((m) => ids.has(m)).length),
      ),
    );
    const seen = new Set(r.peers.flatMap((p) => p.log.of('view_changed').flatMap((e) => e.peers)));
    // Closed by whichever honest peer led (peers[0] is often a member and closes none).
    const rounds = r.peers.flatMap((p) => p.log.of('round_closed'));
    console.log(
      `      20 Sybils: run ${r.wallMs} ms, acc ${r.meanAcc.toFixed(3)}; largest view ${maxView}, Sybils in a cluster ${inClusters}; ` +
        `updates per closed round ${rounds.map((x) => `${x.updates}/${x.quorum}`).join(' ')}`,
    );
    assertHonestOutcome(r, { reached: 3 }, [...ids]);
    assert.ok(maxView <= 23, 'one view entry per identity');
    assert.ok(
      [...ids].every((id) => seen.has(id)),
      'every Sybil entered a view',
    );
    assert.ok(rounds.length >= 3, `${rounds.length} rounds closed by an honest head`);
    // Otherwise no round would have had Sybils to wait for.
    assert.ok(inClusters > 0, "Sybils were assigned to the honest peers' cluster");
  });

  it('20 % of peers with permuted labels: the run completes and honest peers cluster by their group', async () => {
    const groups = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1];
    const poisoned = new Set([4, 9]);
    const r = await redteamRun({
      groups,
      rounds: 3,
      data: (g, i) => (poisoned.has(i) ? permuted(groupData(g, i)) : groupData(g, i)),
    });
    assertHonestOutcome(r, 3, []);
    const idx = new Map(r.peers.map((p, i) => [p.peer.peerId, i]));
    const final = r.peers.map(
      (p) =>
        p.log
          .of('cluster_assigned')
          .at(-1)
          ?.members.map((m) => idx.get(m) ?? -1) ?? [],
    );
    for (let i = 0; i < groups.length; i++) {
      if (poisoned.has(i)) continue;
      const mates = (final[i] as number[]).filter((j) => !poisoned.has(j));
      assert.ok(
        mates.every((j) => groups[j] === groups[i]),
        `honest peer ${i} shares a cluster with the other group: ${JSON.stringify(final[i])}`,
      );
    }
    const acc = (set: (i: number) => boolean): string => {
      const xs = r.peers.filter((_, i) => set(i)).map((p) => p.log.of('evaluation').at(-1)?.accAfter ?? NaN);
      return (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(3);
    };
    console.log(
      `      permuted labels: run ${r.wallMs} ms; honest acc ${acc((i) => !poisoned.has(i))}, poisoned acc ${acc((i) => poisoned.has(i))}; ` +
        `final clusters of the poisoned peers: ${[...poisoned].map((i) => JSON.stringify(final[i])).join(', ')}`,
    );
  });
});
