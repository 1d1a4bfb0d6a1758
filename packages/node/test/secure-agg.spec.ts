// --secure-agg in a cluster of 4 in-process peers: the round completes, the head's aggregate is
// the plain weighted mean of what the members masked (within the fixed-point bound; the ring sum
// exactly), what the head receives from a member is uncorrelated with that member's update, and a
// forged key advertisement is rejected while the round goes on.
import assert from 'node:assert/strict';
import {
  encodeFixedPoint,
  encodeSecAgg,
  meanErrorBound,
  PROTOCOL_SECAGG,
  ringAddInto,
  type SecAggParams,
} from '@ppfm/protocol';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { decodeSecAggReply } from '../src/net/secagg-wire.js';
import { startAttacker, type Attacker } from './helpers/attacker.js';
import { converged, FAST_TIMING, launchNet, loopback, stopAll, type TestPeer } from './helpers/peers.js';
import { correlation, recordSecAgg, type SecAggRecord } from './helpers/secagg.js';
import { finished, until } from './helpers/wait.js';
import { advertSigningBytes } from '@ppfm/protocol';

// A wider hidden layer than the other tests: 2,180 coordinates make the correlation test sharp.
const MODEL = { layers: [{ type: 'dense' as const, units: 128, activation: 'relu' as const }] };

describe('secure aggregation in a cluster of 4 (in-process peers)', function () {
  this.timeout(120_000);
  let peers: TestPeer[] = [];
  let rec: SecAggRecord;
  let head: TestPeer;
  let params: SecAggParams;
  /** The first secure round that completed (a round re-opened after a head change is another). */
  let first = '';
  before(async () => {
    // Lenient leases: a head change mid-round would re-open it (another secure round); harmless here.
    peers = await launchNet([0, 0, 0, 0], {
      rounds: 2,
      model: MODEL,
      timing: { ...FAST_TIMING, leaseTtlMs: 4000, viewTtlMs: 6000 },
      privacy: { secureAgg: true },
    });
    rec = recordSecAgg(peers);
    await until(peers, () => converged(peers, 1), 'one cluster with a head');
    head = peers.find((p) => p.peer.status().role === 'head') as TestPeer;
    await until(peers, () => rec.sums.size > 0, 'a secure sum');
    first = [...rec.sums.keys()][0] as string;
    params = rec.params.get(first)!;
  });
  after(async () => stopAll(peers));

  it("the ring sum is exactly the sum of the members' encodings; the mean is the weighted mean within the bound", () => {
    const sum = rec.sums.get(first)!;
    const got = rec.contributed.get(first)!;
    // A peer still busy with its warm-up may miss a round: at least the threshold took part.
    assert.ok(sum.contributors.length >= 3, `contributors ${sum.contributors.length}`);
    const inputs = sum.contributors.map((id) => got.get(id)!);
    const ring = new Uint32Array(params.length + 1);
    for (const { update, weight } of inputs) ringAddInto(ring, encodeFixedPoint(update, weight, params));
    assert.deepEqual(sum.ringSum, ring);
    // The plain weighted mean of the (per-coordinate clipped) updates, in float64.
    let w = 0;
    const exact = new Float64Array(params.length);
    for (const { update, weight } of inputs) {
      const wi = Math.min(weight, params.maxWeight);
      w += wi;
      for (let i = 0; i < exact.length; i++)
        exact[i]! += wi * Math.max(-params.clip, Math.min(params.clip, update[i]!));
    }
    const bound = meanErrorBound(params, inputs.length, w);
    let worst = 0;
    for (let i = 0; i < exact.length; i++) {
      const e = exact[i]! / w;
      const err = Math.abs(sum.mean![i]! - e) - Math.abs(e) * 2 ** -23;
      worst = Math.max(worst, err);
    }
    console.log(
      `      max |secure mean - weighted mean| ${worst.toExponential(2)} (bound ${bound.toExponential(2)})`,
    );
    assert.ok(worst <= bound, `error ${worst} > bound ${bound}`);
  });

  it('what the head receives from a member is uncorrelated with its update (|r| < 5/sqrt(L))', () => {
    const got = rec.contributed.get(first)!;
    const seen = rec.received.get(first)!;
    const limit = 5 / Math.sqrt(params.length);
    assert.ok(seen.size >= 3);
    for (const [id, received] of seen) {
      const { update, weight } = got.get(id)!;
      const masked = received.subarray(0, params.length);
      const plain = encodeFixedPoint(update, weight, params).subarray(0, params.length);
      const signed = (v: Uint32Array): Int32Array => new Int32Array(v.buffer, v.byteOffset, v.length);
      const r = correlation(Float64Array.from(signed(masked)), update);
      // Without the masks the encoding would give the update away: the test can tell.
      const leak = correlation(Float64Array.from(signed(plain)), update);
      assert.ok(leak > 0.99, `unmasked encoding correlation ${leak}`);
      assert.ok(Math.abs(r) < limit, `${id}: correlation ${r} (limit ${limit})`);
      let top = 0;
      for (const v of masked) top += v >>> 31;
      assert.ok(Math.abs(top / masked.length - 0.5) < limit, `top bits ${top / masked.length}`);
    }
  });

  it("refuses a key advertisement forged in a member's name, logs it, and the run completes", async () => {
    const evil: Attacker = await startAttacker(peers.flatMap(loopback));
    try {
      const victim = peers.find((p) => p !== head) as TestPeer;
      const key = await generateKeyPair('Ed25519');
      const body = {
        cluster: head.peer.status().cluster as string,
        round: 2,
        term: head.peer.status().term,
        sender: victim.peer.peerId,
        cipherKey: new Uint8Array(32).fill(9),
        maskKey: new Uint8Array(32).fill(9),
        commitment: new Uint8Array(32),
      };
      const advert = {
        kind: 'key_advert' as const,
        ...body,
        signature: await key.sign(advertSigningBytes(body)),
      };
      const reply = await evil.ask(head.peer.peerId, PROTOCOL_SECAGG, encodeSecAgg(advert));
      assert.ok(!(reply instanceof Error), String(reply));
      const r = decodeSecAggReply(reply as Uint8Array);
      assert.ok(r.kind === 'error', JSON.stringify(r));
      assert.match(r.kind === 'error' ? r.message : '', /sender_mismatch/);
      const logged = head.log.of('message_rejected').filter((e) => e.protocol === PROTOCOL_SECAGG);
      assert.deepEqual(
        logged.map((e) => [e.from, e.reason]),
        [[evil.id, 'sender_mismatch']],
      );
    } finally {
      await evil.stop();
    }
    await finished(peers, 100_000);
    for (const p of peers) assert.equal(p.log.of('rounds_completed').length, 1, p.log.peerId);
    const aggregated = peers.flatMap((p) => p.log.of('secagg_aggregated'));
    assert.ok(aggregated.length >= 2, `${aggregated.length} secure sums`);
  });
});
