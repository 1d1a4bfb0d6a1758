import './helpers/net.js';
import assert from 'node:assert/strict';
import type { StartedHost } from '../src/host.js';
import { Gossip, type Decoded, type RejectInfo } from '../src/gossip.js';
import { request, serve, StreamError } from '../src/streams.js';
import { rawHost, sleep, waitFor } from './helpers/net.js';

const TOPIC = '/ppfm/test/json';
const PROTO = '/ppfm/test/echo';

// A toy JSON codec standing in for the protocol decoders.
function decodeJson(b: Uint8Array): Decoded<{ n: number }> {
  try {
    const v = JSON.parse(new TextDecoder().decode(b)) as { n?: unknown };
    if (typeof v.n !== 'number') return { ok: false, error: { code: 'malformed', message: 'n missing' } };
    if (!Number.isFinite(v.n)) return { ok: false, error: { code: 'non_finite', message: 'n' } };
    return { ok: true, value: { n: v.n } };
  } catch (e) {
    return { ok: false, error: { code: 'malformed', message: (e as Error).message } };
  }
}
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('host, gossip and streams over TCP on 127.0.0.1', function () {
  this.timeout(30_000);
  const hosts: StartedHost[] = [];
  after(async () => {
    await Promise.all(hosts.map((h) => h.stop()));
  });

  it('connects via bootstrap, validates gossip and answers capped requests', async () => {
    const a = await rawHost();
    hosts.push(a);
    const boot = a.addrs().filter((x) => x.includes('127.0.0.1'));
    const b = await rawHost(boot);
    const c = await rawHost(boot);
    hosts.push(b, c);
    await waitFor(() => a.libp2p.getPeers().length === 2, 10_000, 'a connected to b and c');

    const got: Array<{ n: number; from: string }> = [];
    const rejected: RejectInfo[] = [];
    const ga = new Gossip(a.libp2p.services.pubsub, (r) => rejected.push(r));
    ga.join(TOPIC, {
      decode: decodeJson,
      check: (v) => (v.n < 0 ? { result: 'ignore', reason: 'stale' } : { result: 'accept' }),
      onMessage: (v, from) => got.push({ n: v.n, from }),
    });
    const gb = new Gossip(b.libp2p.services.pubsub, () => undefined);
    const gc = new Gossip(c.libp2p.services.pubsub, () => undefined);
    // b and c subscribe so they relay; their own validators accept everything
    const any = {
      decode: (x: Uint8Array): Decoded<Uint8Array> => ({ ok: true, value: x }),
      onMessage: () => undefined,
    };
    gb.join(TOPIC, any);
    gc.join(TOPIC, any);
    await waitFor(
      () => b.libp2p.services.pubsub.getSubscribers(TOPIC).length > 0,
      10_000,
      'b sees a subscribed',
    );

    await gb.publish(TOPIC, enc('{"n":1}'));
    await gb.publish(TOPIC, enc('not json'));
    await gb.publish(TOPIC, enc('{"n":-1}'));
    await gc.publish(TOPIC, enc('{"n":2}'));
    await waitFor(
      () => got.length === 2 && rejected.length === 1,
      10_000,
      'a to get 2 messages and reject 1',
    );
    assert.deepEqual(got.map((g) => g.n).sort(), [1, 2]);
    assert.equal(got.find((g) => g.n === 1)?.from, b.libp2p.peerId.toString());
    assert.equal(rejected[0]?.reason, 'malformed');
    assert.equal(rejected[0]?.from, b.libp2p.peerId.toString());

    // streams: echo with a 1 KiB request cap and a slow path that exceeds the deadline
    const failures: string[] = [];
    await serve(
      a.libp2p,
      PROTO,
      async (body) => {
        if (body[0] === 0x7a) await sleep(2000);
        return body.slice().reverse();
      },
      {
        limits: { maxBytes: 1024, timeoutMs: 1000 },
        encodeError: (code) => enc(`ERR:${code}`),
        onFailure: (_from, f) => failures.push(f.reason),
      },
    );
    const limits = { maxBytes: 4096, timeoutMs: 5000 };
    const r = await request(b.libp2p, a.libp2p.peerId, PROTO, Uint8Array.of(1, 2, 3), limits);
    assert.deepEqual([...r], [3, 2, 1]);
    // oversized request: the server refuses it and keeps serving
    await assert
      .rejects(request(b.libp2p, a.libp2p.peerId, PROTO, new Uint8Array(4000), limits))
      .catch(async () => {
        // a server may also answer with an error frame instead of resetting
      });
    await waitFor(() => failures.includes('too_large'), 5000, 'server to log too_large');
    // client-side cap on the response
    await assert.rejects(
      request(c.libp2p, a.libp2p.peerId, PROTO, new Uint8Array(1000), { maxBytes: 100, timeoutMs: 5000 }),
      (e: unknown) => e instanceof StreamError && e.code === 'too_large',
    );
    // client deadline
    const t0 = Date.now();
    await assert.rejects(
      request(c.libp2p, a.libp2p.peerId, PROTO, Uint8Array.of(0x7a), { maxBytes: 100, timeoutMs: 300 }),
      (e: unknown) => e instanceof StreamError && e.code === 'timeout',
    );
    assert.ok(Date.now() - t0 < 1500);
    // still working
    const r2 = await request(c.libp2p, a.libp2p.peerId, PROTO, Uint8Array.of(9, 8), limits);
    assert.deepEqual([...r2], [8, 9]);
    ga.close();
  });
});
