// Red team, private networks (issue 10): with --allow-peers the connection gater refuses a
// stranger's connection (so none of its messages arrive) while the listed peers form their
// cluster; with --swarm-key a peer without the key (or with another key) cannot connect at all.
// The file formats fail with a one-line error naming the file and line.
import assert from 'node:assert/strict';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { TOPIC_FINGERPRINTS } from '@ppfm/protocol';
import { startAttacker } from './helpers/attacker.js';
import { converged, launch, loopback, stopAll, type TestPeer } from './helpers/peers.js';
import { until } from './helpers/wait.js';
import {
  generateSwarmKey,
  parseAllowList,
  parseSwarmKey,
  PrivateNetworkError,
} from '../src/net/private-network.js';

async function keys(n: number): Promise<PrivateKey[]> {
  return Promise.all(
    Array.from({ length: n }, async () => (await generateKeyPair('Ed25519')) as unknown as PrivateKey),
  );
}

/** Two peers of one private network (launched with `extra`), converged on one cluster. */
async function privatePair(extra: (ids: string[]) => Parameters<typeof launch>[3]): Promise<TestPeer[]> {
  const ks = await keys(2);
  const ids = ks.map((k) => peerIdFromPrivateKey(k).toString());
  const a = await launch(0, 0, [], { minPeers: 2, privateKey: ks[0], ...extra(ids) });
  const b = await launch(0, 1, loopback(a), { minPeers: 2, privateKey: ks[1], ...extra(ids) });
  const peers = [a, b];
  await until(peers, () => converged(peers, 1), 'the private pair to form its cluster');
  return peers;
}

describe('red team: private networks keep strangers out', function () {
  this.timeout(90_000);

  it('an allowlisted network refuses a stranger: no connection, none of its messages delivered', async () => {
    const peers = await privatePair((ids) => ({ allowPeers: ids }));
    const evil = await startAttacker([]);
    try {
      for (const p of peers)
        for (const addr of loopback(p))
          await assert.rejects(evil.host.libp2p.dial(multiaddr(addr)), 'the gater refuses the connection');
      for (const p of peers)
        assert.equal(
          p.peer.libp2p.getConnections().filter((c) => c.remotePeer.toString() === evil.id).length,
          0,
        );
      assert.equal(
        await evil.publish(TOPIC_FINGERPRINTS, Uint8Array.of(1, 2, 3)),
        0,
        'its messages reach nobody',
      );
    } finally {
      await evil.stop();
      await stopAll(peers);
    }
  });

  it('a swarm-key network refuses peers without the key or with another key', async () => {
    const key = parseSwarmKey(generateSwarmKey(), 'test.key');
    const peers = await privatePair(() => ({ swarmKey: key }));
    const strangers = [
      await startAttacker([]),
      await startAttacker([], { swarmKey: parseSwarmKey(generateSwarmKey(), 'other.key') }),
    ];
    try {
      // A stranger's handshake either fails or hangs until the upgrade budget (120 s, for starved
      // boxes) ends it: bound each attempt, make them all at once, and check that no stranger holds
      // a connection to a member afterwards.
      await Promise.all(
        strangers.flatMap((evil) =>
          peers.flatMap((p) =>
            loopback(p).map((addr) =>
              assert.rejects(evil.host.libp2p.dial(multiaddr(addr), { signal: AbortSignal.timeout(20_000) })),
            ),
          ),
        ),
      );
      for (const evil of strangers)
        for (const p of peers)
          assert.ok(
            !p.peer.libp2p
              .getConnections()
              .some((c) => c.remotePeer.toString() === evil.id && c.status === 'open'),
            'a stranger holds an open connection to a member',
          );
      const member = await startAttacker(loopback(peers[0] as TestPeer), { swarmKey: key });
      await until(
        peers,
        () =>
          peers[0]?.peer.libp2p.getConnections().some((c) => c.remotePeer.toString() === member.id) === true,
        'a key holder to connect',
      );
      await member.stop();
    } finally {
      await Promise.all(strangers.map((s) => s.stop()));
      await stopAll(peers);
    }
  });

  it('reads allowlists and swarm keys with one-line errors naming the file and line', () => {
    const ok = parseAllowList(
      '# peers\n12D3KooWJRZP6ft2QFNANwncAU7PZE5xFkgKU3pk4EiWhdDUwNQf  # a\n\n',
      'allow.txt',
    );
    assert.equal(ok.size, 1);
    assert.throws(
      () => parseAllowList('12D3KooWJRZP6ft2QFNANwncAU7PZE5xFkgKU3pk4EiWhdDUwNQf\nnot-a-peer\n', 'allow.txt'),
      (e: unknown) =>
        e instanceof PrivateNetworkError && /^allow\.txt:2: not a peer id: "not-a-peer"$/.test(e.message),
    );
    assert.throws(() => parseAllowList('\n# none\n', 'empty.txt'), /empty\.txt: no peer ids/);
    assert.throws(
      () => parseSwarmKey('/key/swarm/psk/1.0.0/\n/base16/\nabc\n', 'k'),
      /^Error: k:3: expected 64 hex digits|k:3: expected 64 hex digits/,
    );
    assert.throws(() => parseSwarmKey('hello', 'k'), /k:1: expected "\/key\/swarm\/psk\/1\.0\.0\/"/);
  });
});
