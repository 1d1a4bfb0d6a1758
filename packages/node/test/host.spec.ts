import assert from 'node:assert/strict';
import { ACCEPT, ignore } from '@ppfm/protocol';
import { systemClock } from '../src/clock.js';
import type { StartedHost } from '../src/host.js';
import { GossipRouter, type Decoded, type Discarded } from '../src/net/gossip-router.js';
import { request, serve, StreamError } from '../src/streams.js';
import { rawHost, waitFor } from './helpers/net.js';

const TOPIC = '/ppfm/test/json';
const PROTO = '/ppfm/test/echo';

// A toy JSON codec standing in for the protocol decoders.
function decodeJson(b: Uint8Array): Decoded<{ n: number }> {
  try {
    const v = JSON.parse(new TextDecoder().decode(b)) as { n?: unknown };
    if (typeof v.n !== 'number') return { ok: false, error: { code: 'malformed', message: 'n missing' } };
    return { ok: true, value: { n: v.n } };
  } catch (e) {
    return { ok: false, error: { code: 'malformed', message: (e as Error).message } };
  }
}
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('host, gossip router and streams over TCP on 127.0.0.1', function () {
  this.timeout(30_000);
  const hosts: StartedHost[] = [];
  let a: StartedHost;
  let b: StartedHost;
  let c: StartedHost;
  before(async () => {
    a = await rawHost();
    const boot = a.addrs().filter((x) => x.includes('127.0.0.1'));
    b = await rawHost(boot);
    c = await rawHost(boot);
    hosts.push(a, b, c);
    await waitFor(() => a.libp2p.getPeers().length === 2, 10_000, 'a connected to b and c');
  });
  after(async () => {
    await Promise.all(hosts.map((h) => h.stop()));
  });

  it('connects via bootstrap and routes only validated gossip to handlers, with typed discards', async () => {
    const got: { n: number; from: string }[] = [];
    const discarded: Discarded[] = [];
    const router = (h: StartedHost, onDiscard: (d: Discarded) => void): GossipRouter =>
      new GossipRouter({
        pubsub: h.libp2p.services.pubsub,
        clock: systemClock,
        onDiscard,
        rateLimits: { n: { ratePerSec: 1, burst: 3 } },
      });
    const ga = router(a, (d) => discarded.push(d));
    ga.join(TOPIC, {
      maxBytes: 64,
      decode: decodeJson,
      kindOf: () => 'n',
      validate: (v) => (v.n < 0 ? ignore('stale') : ACCEPT),
      apply: (v, from) => got.push({ n: v.n, from }),
    });
    const any = {
      maxBytes: 1 << 20,
      decode: (x: Uint8Array): Decoded<Uint8Array> => ({ ok: true, value: x }),
      kindOf: () => 'x',
      validate: () => ACCEPT,
      apply: () => undefined,
    };
    const gb = router(b, () => undefined);
    const gc = router(c, () => undefined);
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
    await gc.publish(TOPIC, enc(`{"n":2,"pad":"${'x'.repeat(100)}"}`));
    await gc.publish(TOPIC, enc('{"n":3}'));
    await waitFor(
      () => got.length === 2 && discarded.length === 3,
      10_000,
      'a to get 2 messages and discard 3',
    );
    assert.deepEqual(got.map((g) => g.n).sort(), [1, 3]);
    assert.equal(got.find((g) => g.n === 1)?.from, b.libp2p.peerId.toString());
    assert.deepEqual(discarded.map((d) => `${d.result}:${d.code}`).sort(), [
      'ignore:stale',
      'reject:malformed',
      'reject:too_large',
    ]);
    // the rate limit: b's burst of 3 'n' messages is used up, the next one is rejected
    for (let n = 4; n < 8; n++) await gb.publish(TOPIC, enc(`{"n":${n}}`));
    await waitFor(() => discarded.some((d) => d.code === 'rate_limited'), 10_000, 'a rate-limited message');
    assert.equal(discarded.find((d) => d.code === 'rate_limited')?.from, b.libp2p.peerId.toString());
    for (const g of [ga, gb, gc]) g.close();
  });

  it('answers capped requests with deadlines on both sides and keeps serving', async () => {
    const failures: string[] = [];
    await serve(
      a.libp2p,
      PROTO,
      async (body) => {
        if (body[0] === 0x7a) await new Promise((r) => setTimeout(r, 2000));
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
    // oversized request: the server refuses it (an error frame or a reset) and logs it
    await request(b.libp2p, a.libp2p.peerId, PROTO, new Uint8Array(4000), limits).catch(() => undefined);
    await waitFor(() => failures.includes('too_large'), 5000, 'server to log too_large');
    await assert.rejects(
      request(c.libp2p, a.libp2p.peerId, PROTO, new Uint8Array(1000), { maxBytes: 100, timeoutMs: 5000 }),
      (e: unknown) => e instanceof StreamError && e.code === 'too_large',
    );
    const t0 = Date.now();
    await assert.rejects(
      request(c.libp2p, a.libp2p.peerId, PROTO, Uint8Array.of(0x7a), { maxBytes: 100, timeoutMs: 300 }),
      (e: unknown) => e instanceof StreamError && e.code === 'timeout',
    );
    assert.ok(Date.now() - t0 < 1500);
    const r2 = await request(c.libp2p, a.libp2p.peerId, PROTO, Uint8Array.of(9, 8), limits);
    assert.deepEqual([...r2], [8, 9]);
  });
});
