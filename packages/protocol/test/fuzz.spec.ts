// Fuzz: >= 100,000 random and mutated byte strings through every decoder. A decoder may
// only return { ok: true } or { ok: false, error } with a known code; it must not throw,
// must not fall into its defensive catch-all, and must answer quickly.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  crc32,
  decodeAck,
  decodeDirect,
  decodeError,
  decodeFetchRequest,
  decodeGossip,
  decodeModelEnvelope,
  decodePeerList,
  decodePeerListRequest,
  decodeUpdateEnvelope,
  decodeWeights,
  encodeDirect,
  encodeGossip,
  encodeWeights,
  parseTopic,
  peekDirectHeader,
  type DirectMessage,
  type ErrorCode,
  type GossipMessage,
  type Result,
} from '../src/index.js';
import * as pb from '../src/pb/messages.pb.js';
import {
  ackArb,
  errorArb,
  fetchArb,
  fingerprintArb,
  headLeaseArb,
  heartbeatArb,
  lossReportArb,
  modelAnnounceArb,
  modelArb,
  mulberry32,
  peerListArb,
  peerListRequestArb,
  roundOpenArb,
  updateArb,
  weightSetArb,
} from './arbitraries.js';

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

type Decoder = (b: Uint8Array) => Result<unknown>;
/** Run on every input. */
const DECODERS: [string, Decoder][] = [
  ['decodeGossip', (b) => decodeGossip(b)],
  ['decodeDirect', (b) => decodeDirect(b)],
  ['decodeWeights', (b) => decodeWeights(b)],
  ['peekDirectHeader', (b) => peekDirectHeader(b)],
  ['peekDirectHeader(prefix)', (b) => peekDirectHeader(b.subarray(0, b.length >> 1))],
  ['parseTopic', (b) => parseTopic(Buffer.from(b).toString('latin1'))],
];
/** decodeDirect plus a kind check each: run on every tenth input, to keep the run short. */
const KIND_DECODERS: [string, Decoder][] = [
  ['decodeModelEnvelope', (b) => decodeModelEnvelope(b)],
  ['decodeUpdateEnvelope', (b) => decodeUpdateEnvelope(b)],
  ['decodeFetchRequest', (b) => decodeFetchRequest(b)],
  ['decodeAck', (b) => decodeAck(b)],
  ['decodeError', (b) => decodeError(b)],
  ['decodePeerListRequest', (b) => decodePeerListRequest(b)],
  ['decodePeerList', (b) => decodePeerList(b)],
];

const ITERATIONS = 100_000;
const SEED = 0x5eed;

/** Valid encodings of every message and codec: the seeds that mutations start from. */
function corpus(): Uint8Array[] {
  const out: Uint8Array[] = [];
  const opts = { seed: SEED, numRuns: 40 };
  const gossip: fc.Arbitrary<GossipMessage>[] = [
    fingerprintArb,
    heartbeatArb,
    headLeaseArb,
    roundOpenArb,
    modelAnnounceArb,
    lossReportArb,
  ];
  for (const arb of gossip) for (const m of fc.sample(arb, opts)) out.push(encodeGossip(m));
  const direct: fc.Arbitrary<DirectMessage>[] = [
    fetchArb,
    modelArb,
    updateArb,
    ackArb,
    errorArb,
    peerListRequestArb,
    peerListArb,
  ];
  for (const arb of direct) for (const m of fc.sample(arb, opts)) out.push(encodeDirect(m));
  for (const ws of fc.sample(weightSetArb(4), opts)) {
    for (const codec of ['float32', 'float16', 'int8'] as const) out.push(encodeWeights(ws, codec));
  }
  return out.filter((b) => b.length <= 4096);
}

function mutate(src: Uint8Array, rnd: () => number): Uint8Array {
  const int = (n: number): number => Math.floor(rnd() * n);
  let b = src.slice();
  const steps = 1 + int(4);
  for (let s = 0; s < steps; s++) {
    switch (int(7)) {
      case 0: // flip a bit
        if (b.length > 0) {
          const at = int(b.length);
          b[at] = b[at]! ^ (1 << int(8));
        }
        break;
      case 1: // overwrite a byte with an interesting value
        if (b.length > 0) b[int(b.length)] = [0, 0x7f, 0x80, 0xff, 0x01, 0x0a, 0x12][int(7)]!;
        break;
      case 2: // truncate
        b = b.subarray(0, int(b.length + 1));
        break;
      case 3: {
        // insert random bytes
        const at = int(b.length + 1);
        const ins = Uint8Array.from({ length: 1 + int(8) }, () => int(256));
        b = Uint8Array.from([...b.subarray(0, at), ...ins, ...b.subarray(at)]);
        break;
      }
      case 4: {
        // duplicate a chunk (repeated fields, two bodies)
        const from = int(b.length + 1);
        const to = Math.min(b.length, from + int(32));
        b = Uint8Array.from([...b, ...b.subarray(from, to)]);
        break;
      }
      case 5: // write a huge varint (lengths, counts, dims)
        if (b.length > 5) b.set([0xff, 0xff, 0xff, 0xff, 0x0f], int(b.length - 5));
        break;
      default: // overwrite a 32-bit field with an extreme value (weights header / dims / floats)
        if (b.length > 4) {
          new DataView(b.buffer, b.byteOffset).setUint32(
            int(b.length - 3),
            [0xffffffff, 0x7fc00000, 0x7f800000, 0x80000000, 0][int(5)]!,
            true,
          );
        }
    }
  }
  return b;
}

/** Weights blobs with a repaired CRC, so mutations reach the structural checks behind it. */
function withFixedCrc(b: Uint8Array): Uint8Array {
  if (b.length >= 16 && b[0] === 0x50 && b[1] === 0x50) {
    new DataView(b.buffer, b.byteOffset).setUint32(12, crc32(b.subarray(16)), true);
  }
  return b;
}

/** Whenever the decoder accepts an envelope, the header peek reports the same header. */
function peekAgreesWithDecode(bytes: Uint8Array): void {
  const d = decodeDirect(bytes);
  if (!d.ok || (d.value.kind !== 'model' && d.value.kind !== 'update')) return;
  const p = peekDirectHeader(bytes);
  assert.ok(p.ok && p.value.status === 'envelope', `peek refused what decode accepted: ${JSON.stringify(p)}`);
  const { weights: _w, codec, ...header } = d.value;
  const {
    weightsOffset: _o,
    weightsBytes: _b,
    tensors,
    codec: peekCodec,
    frameBytes,
    ...peeked
  } = p.value.header;
  assert.deepStrictEqual(peeked, header);
  assert.equal(peekCodec, codec);
  assert.equal(tensors, d.value.weights.length);
  assert.equal(frameBytes, bytes.length);
}

describe('fuzz (100k inputs through every decoder)', function () {
  this.timeout(120_000);

  it('returns only typed results, never throws, stays fast', () => {
    const rnd = mulberry32(SEED);
    const seeds = corpus();
    const stats = { ok: 0, errors: new Map<string, number>(), maxMs: 0, slowest: '' };
    const t0 = performance.now();
    for (let i = 0; i < ITERATIONS; i++) {
      const r = rnd();
      let input: Uint8Array;
      let sourceIsWeights = false;
      if (r < 0.2) {
        input = Uint8Array.from({ length: Math.floor(rnd() * 300) }, () => Math.floor(rnd() * 256));
      } else {
        const seed = seeds[Math.floor(rnd() * seeds.length)]!;
        input = mutate(seed, rnd);
        sourceIsWeights = seed[0] === 0x50;
        if (sourceIsWeights && r < 0.5) input = withFixedCrc(input);
      }
      // Wrap a mutated weights blob into envelopes too, so the envelope path sees bad tensors.
      const inputs = [input];
      if (sourceIsWeights) {
        inputs.push(
          pb.DirectFrame.encode({
            version: 1,
            update: {
              cluster: 'c',
              baseRound: 1,
              term: 1,
              sampleCount: 1,
              specHash: 'a'.repeat(64),
              weights: input,
            },
          }),
        );
      }
      for (const bytes of inputs) {
        peekAgreesWithDecode(bytes);
        for (const [name, decode] of i % 10 === 0 ? [...DECODERS, ...KIND_DECODERS] : DECODERS) {
          const s = performance.now();
          let res: Result<unknown>;
          try {
            res = decode(bytes);
          } catch (e) {
            assert.fail(`${name} threw on ${Buffer.from(bytes).toString('hex')}: ${String(e)}`);
          }
          let ms = performance.now() - s;
          if (ms > 20) {
            // Re-time outliers: a GC pause or JIT tier-up is not the decoder being slow.
            for (let k = 0; k < 3; k++) {
              const s2 = performance.now();
              decode(bytes);
              ms = Math.min(ms, performance.now() - s2);
            }
          }
          if (ms > stats.maxMs) {
            stats.maxMs = ms;
            stats.slowest = `${name} at input ${i}: ${Buffer.from(bytes).toString('hex').slice(0, 160)}`;
          }
          assert.equal(typeof res.ok, 'boolean');
          if (res.ok) {
            stats.ok++;
          } else {
            assert.ok(CODES.has(res.error.code), `${name}: unknown code ${res.error.code}`);
            assert.equal(typeof res.error.message, 'string');
            // The defensive catch-alls must never be what produced the answer.
            assert.ok(
              !/unexpected decode failure|weights decode failed/.test(res.error.message),
              `${name} hit its catch-all: ${res.error.message} on ${Buffer.from(bytes).toString('hex')}`,
            );
            const key = `${res.error.code}`;
            stats.errors.set(key, (stats.errors.get(key) ?? 0) + 1);
          }
        }
      }
    }
    const totalMs = performance.now() - t0;
    assert.ok(stats.maxMs < 100, `slowest decode took ${stats.maxMs.toFixed(1)} ms`);
    assert.ok(totalMs < 50_000, `fuzz took ${totalMs.toFixed(0)} ms`);
    // Mutations must exercise many distinct rejection paths, and some mutants must still be valid.
    assert.ok(stats.errors.size >= 7, `only codes ${[...stats.errors.keys()].join(',')}`);
    assert.ok(stats.ok > 0);
    console.log(
      `      fuzz: ${ITERATIONS} inputs, ${totalMs.toFixed(0)} ms, slowest ${stats.maxMs.toFixed(2)} ms (${stats.slowest}), ok ${stats.ok},`,
      Object.fromEntries(stats.errors),
    );
  });
});
