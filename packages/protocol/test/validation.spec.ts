// Validation outcome types, freshness and the view digest.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ACCEPT,
  checkFreshness,
  decodeGossip,
  GOSSIP_IGNORE_CODES,
  GOSSIP_REJECT_CODES,
  ignore,
  reject,
  rejectDecodeError,
  viewDigest,
  type ErrorCode,
  type GossipIgnoreCode,
  type GossipRejectCode,
  type ValidationResult,
} from '../src/index.js';
import { peerIdArb } from './arbitraries.js';

// Compile-time: every decoder ErrorCode is a GossipRejectCode (the 1:1 mapping needs no table).
const _decodeCodesAreRejectCodes: GossipRejectCode = 'malformed' as ErrorCode;
void _decodeCodesAreRejectCodes;

describe('validation outcomes', () => {
  it('decode failures map 1:1 onto reject codes, with field and message as detail', () => {
    const decodeCodes: ErrorCode[] = [
      'malformed',
      'too_large',
      'unknown_version',
      'shape_mismatch',
      'non_finite',
      'bad_name',
      'checksum',
      'unknown_kind',
      'bad_value',
    ];
    for (const code of decodeCodes) {
      assert.deepStrictEqual(rejectDecodeError({ code, message: 'why', field: 'f' }), {
        result: 'reject',
        code,
        detail: 'f: why',
      });
      assert.ok(GOSSIP_REJECT_CODES.includes(code));
    }
    const r = decodeGossip(new Uint8Array([0x08, 0x02]));
    assert.ok(!r.ok);
    assert.deepStrictEqual(rejectDecodeError(r.error), {
      result: 'reject',
      code: 'unknown_version',
      detail: 'version: protocol version 2',
    });
  });

  it('builders produce the discriminated union; code lists are complete and distinct', () => {
    const all: ValidationResult[] = [
      ACCEPT,
      ignore('stale'),
      ignore('duplicate', 'seq 4'),
      reject('sender_mismatch', 'x'),
    ];
    assert.deepStrictEqual(all, [
      { result: 'accept' },
      { result: 'ignore', code: 'stale' },
      { result: 'ignore', code: 'duplicate', detail: 'seq 4' },
      { result: 'reject', code: 'sender_mismatch', detail: 'x' },
    ]);
    assert.equal(new Set(GOSSIP_REJECT_CODES).size, GOSSIP_REJECT_CODES.length);
    assert.equal(new Set(GOSSIP_IGNORE_CODES).size, GOSSIP_IGNORE_CODES.length);
    // Exhaustive at compile time: a code missing from a list would fail to type-check here.
    const rejects: Record<GossipRejectCode, true> = Object.fromEntries(
      GOSSIP_REJECT_CODES.map((c) => [c, true]),
    ) as Record<GossipRejectCode, true>;
    const ignores: Record<GossipIgnoreCode, true> = Object.fromEntries(
      GOSSIP_IGNORE_CODES.map((c) => [c, true]),
    ) as Record<GossipIgnoreCode, true>;
    for (const c of ['wrong_topic', 'not_member', 'not_head', 'bad_term', 'future', 'rate_limited'] as const)
      assert.ok(rejects[c]);
    for (const c of [
      'stale',
      'stale_term',
      'stale_round',
      'duplicate',
      'not_ready',
      'unknown_cluster',
    ] as const) {
      assert.ok(ignores[c]);
    }
  });
});

describe('checkFreshness', () => {
  it('fresh within tolerance (inclusive), stale before, future after', () => {
    const now = 1_704_067_200_000;
    assert.equal(checkFreshness(now, now, 0), 'fresh');
    assert.equal(checkFreshness(now - 5000, now, 5000), 'fresh');
    assert.equal(checkFreshness(now + 5000, now, 5000), 'fresh');
    assert.equal(checkFreshness(now - 5001, now, 5000), 'stale');
    assert.equal(checkFreshness(now + 5001, now, 5000), 'future');
    // A lease replayed from an earlier run (minutes old) is stale; sentAt 0 is always stale.
    assert.equal(checkFreshness(now - 10 * 60_000, now, 30_000), 'stale');
    assert.equal(checkFreshness(0, now, 30_000), 'stale');
  });

  it('is exactly one of the three for any inputs (property)', () => {
    fc.assert(
      fc.property(
        fc.maxSafeNat(),
        fc.maxSafeNat(),
        fc.integer({ min: 0, max: 3_600_000 }),
        (sentAt, now, tol) => {
          const f = checkFreshness(sentAt, now, tol);
          assert.equal(f === 'fresh', Math.abs(sentAt - now) <= tol);
          assert.equal(f === 'future', sentAt - now > tol);
        },
      ),
    );
  });
});

describe('viewDigest', () => {
  it('is 16 lowercase hex chars, independent of order, sensitive to ids and seqs', () => {
    const view = [
      { peerId: 'QmA', seq: 1 },
      { peerId: 'QmB', seq: 7 },
      { peerId: '12D3KooWC', seq: 0 },
    ];
    const d = viewDigest(view);
    assert.match(d, /^[0-9a-f]{16}$/);
    assert.equal(viewDigest([...view].reverse()), d);
    assert.notEqual(viewDigest([{ ...view[0]!, seq: 2 }, view[1]!, view[2]!]), d);
    assert.notEqual(viewDigest(view.slice(1)), d);
    assert.match(viewDigest([]), /^[0-9a-f]{16}$/);
    // Pinned: peers running different builds must agree on the digest of the same view.
    assert.equal(viewDigest([{ peerId: 'QmA', seq: 1 }]), '98bbc6434c683054'); // sha256("QmA:1\n")[0..8]
    assert.equal(viewDigest(new Map([['x', { peerId: 'QmA', seq: 1 }]]).values()), '98bbc6434c683054');
  });

  it('equal views give equal digests, different views different ones (property)', () => {
    const viewArb = fc.uniqueArray(fc.record({ peerId: peerIdArb, seq: fc.nat() }), {
      selector: (e) => e.peerId,
      maxLength: 30,
    });
    fc.assert(
      fc.property(viewArb, viewArb, (a, b) => {
        const same =
          a.length === b.length && a.every((e) => b.some((f) => f.peerId === e.peerId && f.seq === e.seq));
        assert.equal(viewDigest(a) === viewDigest(b), same);
      }),
    );
  });
});
