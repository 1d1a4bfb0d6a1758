// Secure-aggregation frames: round trips of every message, typed rejections, limits checked before
// allocation, and a fuzz run through decodeSecAgg (never throws, never falls into its catch-all).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeSecAgg,
  encodeSecAgg,
  ProtocolEncodeError,
  type ErrorCode,
  type SecAggMessage,
  type SignedAdvert,
} from '../src/index.js';
import * as pb from '../src/pb/secagg.pb.js';
import { mulberry32 } from './arbitraries.js';

const peerArb = fc.stringMatching(/^[A-Za-z0-9]{1,24}$/);
const clusterArb = fc.stringMatching(/^[A-Za-z0-9_-]{1,24}$/);
const u32Arb = fc.integer({ min: 0, max: 0xffffffff });
const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const roundArb = fc.record({ cluster: clusterArb, round: u32Arb, term: u32Arb });
const distinct = <T>(arb: fc.Arbitrary<T>, key: (t: T) => string, max = 6) =>
  fc.uniqueArray(arb, { selector: key, maxLength: max });

const advertArb = (r: { cluster: string; round: number; term: number }): fc.Arbitrary<SignedAdvert> =>
  fc
    .record({
      sender: peerArb,
      cipherKey: bytes(32),
      maskKey: bytes(32),
      commitment: bytes(32),
      signature: fc.uint8Array({ minLength: 1, maxLength: 96 }),
    })
    .map((a) => ({ ...r, ...a }));

const shareEntry = fc.record({ peer: peerArb, ciphertext: bytes(94) });
const revealed = fc.record({
  peer: peerArb,
  share: bytes(33).map((b) => ((b[32] = b[32] || 1), b)),
});

export const secAggMessageArb: fc.Arbitrary<SecAggMessage> = roundArb.chain((r) =>
  fc.oneof(
    advertArb(r).map((a) => ({ ...a, kind: 'key_advert' as const })),
    fc
      .record({
        length: fc.integer({ min: 1, max: 1 << 20 }),
        threshold: fc.integer({ min: 2, max: 255 }),
        fracBits: fc.integer({ min: 0, max: 30 }),
        clip: fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
        maxWeight: fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
        adverts: distinct(advertArb(r), (a) => a.sender),
      })
      .map((m) => ({ kind: 'roster' as const, ...r, ...m })),
    fc.record({ sender: peerArb, shares: distinct(shareEntry, (s) => s.peer) }).map((m) => ({
      kind: 'share_keys' as const,
      ...r,
      ...m,
    })),
    fc.record({ recipient: peerArb, shares: distinct(shareEntry, (s) => s.peer) }).map((m) => ({
      kind: 'share_delivery' as const,
      ...r,
      ...m,
    })),
    fc.record({ sender: peerArb, masked: fc.array(u32Arb, { minLength: 2, maxLength: 40 }) }).map((m) => ({
      kind: 'masked_input' as const,
      ...r,
      sender: m.sender,
      masked: Uint32Array.from(m.masked),
    })),
    distinct(peerArb, (p) => p).map((survivors) => ({ kind: 'unmask_request' as const, ...r, survivors })),
    fc
      .record({ sender: peerArb, shares: distinct(revealed, (s) => s.peer, 8), cut: fc.nat(8) })
      .map(({ sender, shares, cut }) => ({
        kind: 'unmask_response' as const,
        ...r,
        sender,
        selfMaskShares: shares.slice(0, cut),
        maskKeyShares: shares.slice(cut),
      })),
  ),
);

const CODES: ReadonlySet<ErrorCode> = new Set([
  'malformed',
  'too_large',
  'unknown_version',
  'shape_mismatch',
  'non_finite',
  'bad_name',
  'checksum',
  'unknown_kind',
  'bad_value',
]);

function codeOf(b: Uint8Array, limits?: Parameters<typeof decodeSecAgg>[1]): string {
  const r = decodeSecAgg(b, limits);
  return r.ok ? 'ok' : r.error.code;
}

const R = { cluster: 'c1', round: 4, term: 2 };

describe('secagg messages', () => {
  it('every message round-trips through its frame (property)', () => {
    fc.assert(
      fc.property(secAggMessageArb, (m) => {
        const r = decodeSecAgg(encodeSecAgg(m));
        assert.ok(r.ok, r.ok ? '' : `${r.error.code}: ${r.error.message} (${r.error.field})`);
        assert.deepEqual(r.value, m);
      }),
      { numRuns: 400 },
    );
  });

  it('decoded bytes never alias the input buffer', () => {
    const m: SecAggMessage = {
      kind: 'key_advert',
      ...R,
      sender: 'p1',
      cipherKey: new Uint8Array(32).fill(1),
      maskKey: new Uint8Array(32).fill(2),
      commitment: new Uint8Array(32).fill(3),
      signature: new Uint8Array(64).fill(4),
    };
    const b = encodeSecAgg(m);
    const r = decodeSecAgg(b);
    assert.ok(r.ok && r.value.kind === 'key_advert');
    b.fill(0);
    assert.deepEqual(r.value.maskKey, new Uint8Array(32).fill(2));
  });

  it('rejects wrong sizes, ids, repeats and versions with typed codes', () => {
    const frame = (f: Partial<pb.SecAggFrame>) => pb.SecAggFrame.encode({ version: 1, ...f });
    const advert = {
      ...R,
      sender: 'p1',
      cipherKey: new Uint8Array(32),
      maskKey: new Uint8Array(32),
      commitment: new Uint8Array(32),
      signature: new Uint8Array(64),
    };
    assert.equal(codeOf(frame({ keyAdvert: { ...advert, maskKey: new Uint8Array(31) } })), 'shape_mismatch');
    assert.equal(codeOf(frame({ keyAdvert: { ...advert, sender: 'bad id' } })), 'bad_name');
    assert.equal(codeOf(frame({ keyAdvert: { ...advert, signature: new Uint8Array(0) } })), 'bad_value');
    assert.equal(codeOf(pb.SecAggFrame.encode({ version: 2, keyAdvert: advert })), 'unknown_version');
    assert.equal(codeOf(pb.SecAggFrame.encode({ version: 1 })), 'unknown_kind');
    const roster = { ...R, length: 10, threshold: 2, fracBits: 20, clip: 4, maxWeight: 1, adverts: [advert] };
    assert.equal(codeOf(frame({ roster: { ...roster, adverts: [advert, advert] } })), 'bad_name');
    assert.equal(codeOf(frame({ roster: { ...roster, clip: NaN } })), 'non_finite');
    assert.equal(codeOf(frame({ roster: { ...roster, maxWeight: 0 } })), 'bad_value');
    assert.equal(codeOf(frame({ roster: { ...roster, adverts: [{ ...advert, round: 5 }] } })), 'bad_value');
    const masked = { ...R, sender: 'p1', masked: new Uint8Array(10) };
    assert.equal(codeOf(frame({ maskedInput: masked })), 'shape_mismatch');
    const reveal = { peer: 'p2', share: new Uint8Array(33).fill(1) };
    const resp = { ...R, sender: 'p1', selfMaskShares: [reveal], maskKeyShares: [reveal] };
    assert.equal(codeOf(frame({ unmaskResponse: resp })), 'bad_value', 'both kinds for one peer');
    const zeroX = { peer: 'p3', share: new Uint8Array(33) };
    assert.equal(
      codeOf(frame({ unmaskResponse: { ...resp, selfMaskShares: [zeroX], maskKeyShares: [] } })),
      'bad_value',
    );
    // Two different bodies in one frame.
    const two = Uint8Array.from([
      ...frame({ keyAdvert: advert }),
      ...frame({ maskedInput: { ...masked, masked: new Uint8Array(8) } }).subarray(2),
    ]);
    assert.equal(codeOf(two), 'malformed');
    assert.throws(
      () => encodeSecAgg({ kind: 'unmask_request', ...R, survivors: ['a', 'a'] }),
      ProtocolEncodeError,
    );
  });

  it('applies limits on the wire before protons allocates', () => {
    const advert = (i: number) => ({
      ...R,
      sender: `p${i}`,
      cipherKey: new Uint8Array(32),
      maskKey: new Uint8Array(32),
      commitment: new Uint8Array(32),
      signature: new Uint8Array(64),
    });
    const roster = pb.SecAggFrame.encode({
      version: 1,
      roster: {
        ...R,
        length: 10,
        threshold: 2,
        fracBits: 20,
        clip: 4,
        maxWeight: 1,
        adverts: [0, 1, 2, 3].map(advert),
      },
    });
    assert.equal(codeOf(roster), 'ok');
    assert.equal(codeOf(roster, { maxMembers: 3 }), 'too_large');
    assert.equal(codeOf(roster, { maxControlBytes: 200 }), 'too_large');
    const big = pb.SecAggFrame.encode({
      version: 1,
      keyAdvert: { ...advert(1), signature: new Uint8Array(600) },
    });
    assert.equal(codeOf(big), 'too_large');
    const masked = pb.SecAggFrame.encode({
      version: 1,
      maskedInput: { ...R, sender: 'p1', masked: new Uint8Array(4 * 101) },
    });
    assert.equal(codeOf(masked, { maxLength: 100 }), 'ok');
    assert.equal(codeOf(masked, { maxLength: 99 }), 'too_large');
    const longId = pb.SecAggFrame.encode({
      version: 1,
      keyAdvert: { ...advert(1), sender: 'a'.repeat(1000) },
    });
    assert.equal(codeOf(longId), 'too_large');
  });

  it('fuzz: 30,000 random and mutated frames give typed results only, quickly', function () {
    this.timeout(60_000);
    const rnd = mulberry32(0x5eca99);
    const int = (n: number) => Math.floor(rnd() * n);
    const seeds = fc.sample(secAggMessageArb, { seed: 7, numRuns: 200 }).map(encodeSecAgg);
    const seen = new Map<string, number>();
    let slowest = 0;
    for (let i = 0; i < 30_000; i++) {
      let b: Uint8Array;
      if (i % 5 === 0) b = Uint8Array.from({ length: int(400) }, () => int(256));
      else {
        b = seeds[int(seeds.length)]!.slice();
        for (let s = 1 + int(4); s > 0; s--) {
          const at = int(b.length + 1);
          switch (int(5)) {
            case 0:
              if (b.length) b[at % b.length]! ^= 1 << int(8);
              break;
            case 1:
              b = b.subarray(0, at);
              break;
            case 2:
              b = Uint8Array.from([
                ...b.subarray(0, at),
                ...Array.from({ length: 1 + int(6) }, () => int(256)),
                ...b.subarray(at),
              ]);
              break;
            case 3:
              if (b.length > 5) b.set([0xff, 0xff, 0xff, 0xff, 0x0f], int(b.length - 5));
              break;
            default:
              b = Uint8Array.from([...b, ...b.subarray(at, at + int(40))]);
          }
        }
      }
      const t0 = performance.now();
      let r: ReturnType<typeof decodeSecAgg>;
      try {
        r = decodeSecAgg(b);
      } catch (e) {
        assert.fail(`decodeSecAgg threw on ${Buffer.from(b).toString('hex')}: ${String(e)}`);
      }
      slowest = Math.max(slowest, performance.now() - t0);
      const key = r.ok ? 'ok' : r.error.code;
      if (!r.ok) {
        assert.ok(CODES.has(r.error.code));
        assert.ok(!/unexpected decode failure/.test(r.error.message), r.error.message);
      }
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    assert.ok(slowest < 100, `slowest decode ${slowest.toFixed(1)} ms`);
    assert.ok(seen.size >= 6 && (seen.get('ok') ?? 0) > 0, JSON.stringify(Object.fromEntries(seen)));
  });
});
