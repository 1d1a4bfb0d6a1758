// Bounded direct streams: maxFrameBytes against real encodings (tight within a few hundred bytes,
// never below), and the header peek that refuses a push before its weights are read.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeDirect,
  directFrameBounds,
  encodeAck,
  encodeDirect,
  encodeError,
  encodeFetchRequest,
  encodeModelEnvelope,
  encodePeerList,
  encodePeerListRequest,
  encodeUpdateEnvelope,
  encodeWeights,
  maxEnvelopeBytes,
  maxEnvelopeHeaderBytes,
  maxFrameBytes,
  modelSignature,
  peekDirectHeader,
  specHash,
  type Codec,
  type DirectPeek,
  type ModelEnvelopeMsg,
  type Result,
  type UpdateEnvelopeMsg,
  type WeightSet,
} from '../src/index.js';
import * as pb from '../src/pb/messages.pb.js';
import { codecArb, modelArb, mulberry32, updateArb } from './arbitraries.js';
import { expectError, model, update } from './fixtures.js';

const CODECS: Codec[] = ['float32', 'float16', 'int8'];

/** Seeded random weights in the shapes @ppfm/meta builds (names "dense_0/kernel" ...). */
function layers(spec: [string, number[]][], seed: number): WeightSet {
  const rnd = mulberry32(seed);
  return spec.map(([name, shape]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return { name, shape, values: Float32Array.from({ length: n }, () => (rnd() - 0.5) * 0.2) };
  });
}

const MODELS: [string, WeightSet][] = [
  [
    'mnist mlp 784-128-10',
    layers(
      [
        ['dense_0/kernel', [784, 128]],
        ['dense_0/bias', [128]],
        ['dense_1/kernel', [128, 10]],
        ['dense_1/bias', [10]],
      ],
      1,
    ),
  ],
  [
    'small cnn',
    layers(
      [
        ['conv2d_0/kernel', [3, 3, 1, 8]],
        ['conv2d_0/bias', [8]],
        ['conv2d_1/kernel', [3, 3, 8, 16]],
        ['conv2d_1/bias', [16]],
        ['dense_0/kernel', [400, 64]],
        ['dense_0/bias', [64]],
        ['dense_1/kernel', [64, 10]],
        ['dense_1/bias', [10]],
      ],
      2,
    ),
  ],
  [
    'odd sizes',
    layers(
      [
        ['a', [3]],
        ['bb', [5, 1]],
        ['ccc', [7, 1, 1]],
        ['s', []],
      ],
      3,
    ),
  ],
];

/** The protobuf body of an update envelope, weights encoded. */
function pbUpdate(m: UpdateEnvelopeMsg): pb.UpdateEnvelope {
  const { kind: _k, codec, weights, ...rest } = m;
  return { ...rest, weights: encodeWeights(weights, codec) };
}

/** A base-128 varint. */
function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 128) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

function peekOk(r: Result<DirectPeek>): DirectPeek {
  if (!r.ok) assert.fail(`${r.error.code} ${r.error.field}: ${r.error.message}`);
  return r.value;
}

describe('bounded direct streams', () => {
  describe('maxFrameBytes', () => {
    for (const [name, ws] of MODELS) {
      for (const codec of CODECS) {
        it(`${name}, ${codec}: the bound holds every real frame, within a few hundred bytes`, () => {
          const sig = modelSignature(ws, codec);
          const hash = specHash(ws);
          const frames = {
            model: encodeModelEnvelope({
              modelId: 'c3/round-12',
              scope: { kind: 'cluster', cluster: 'c3' },
              round: 12,
              term: 4,
              specHash: hash,
              codec,
              weights: ws,
            }),
            warmup: encodeModelEnvelope({
              modelId: 'warmup',
              scope: { kind: 'warmup', peer: '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN' },
              round: 0,
              term: 0,
              specHash: hash,
              codec,
              weights: ws,
            }),
            update: encodeUpdateEnvelope({
              cluster: 'c3',
              baseRound: 2 ** 31 - 1,
              term: 2 ** 31 - 1,
              sampleCount: 0xffffffff,
              specHash: hash,
              codec,
              weights: ws,
            }),
          };
          const slacks: string[] = [];
          const fetchBound = maxFrameBytes('model_fetch', sig);
          const pushBound = maxFrameBytes('update_push', sig);
          for (const [what, f] of Object.entries(frames)) {
            assert.ok(
              f.length <= (what === 'update' ? pushBound : fetchBound),
              `${what}: ${f.length} B over the cap`,
            );
            // The envelope bound is tight: only id lengths (<= 2 x 128 B) and padding separate it from the
            // frame. (maxFrameBytes may be larger for a tiny model: an error reply can take ~3 KB.)
            const bound = maxEnvelopeBytes(what === 'update' ? 'update' : 'model', sig);
            const slack = bound - f.length;
            assert.ok(slack >= 0, `${what}: ${f.length} B exceeds the bound ${bound} B`);
            assert.ok(
              slack <= 300 + 3 * ws.length,
              `${what}: bound ${bound} B is ${slack} B above ${f.length} B`,
            );
            slacks.push(`${what} ${slack} B`);
          }
          console.log(
            `      ${name} ${codec}: ${frames.model.length} B model frame, slack ${slacks.join(', ')}`,
          );
          // The same update in float32 is refused by a bound for a narrower codec (models bigger than the slack).
          if (codec !== 'float32' && sig.elements > 1000) {
            const wider = encodeUpdateEnvelope({ ...update, specHash: hash, codec: 'float32', weights: ws });
            assert.ok(wider.length > directFrameBounds('update_push', sig).request);
          }
        });
      }
    }

    it('without names and ranks the bound is looser but still holds (worst case per tensor)', () => {
      fc.assert(
        fc.property(updateArb, modelArb, codecArb, (u, m, codec) => {
          const frames: [number, number][] = [];
          for (const msg of [
            { ...u, codec },
            { ...m, codec },
          ] as (UpdateEnvelopeMsg | ModelEnvelopeMsg)[]) {
            const sig = {
              tensors: msg.weights.length,
              elements: msg.weights.reduce((n, t) => n + t.values.length, 0),
              codec,
            };
            const exact = maxEnvelopeBytes(msg.kind, modelSignature(msg.weights, codec));
            const loose = maxEnvelopeBytes(msg.kind, sig);
            frames.push([encodeDirect(msg).length, exact], [exact, loose]);
          }
          for (const [small, big] of frames) assert.ok(small <= big, `${small} > ${big}`);
        }),
        { numRuns: 200 },
      );
    });

    it('control replies and requests fit their bounds; a random 64 MiB push is refused at its length', () => {
      const sig = modelSignature(MODELS[0]![1], 'float32');
      const push = directFrameBounds('update_push', sig);
      const fetch = directFrameBounds('model_fetch', sig);
      const peers = directFrameBounds('peers');
      const longError = encodeError({ code: 'rejected', message: '\u{1F600}'.repeat(512) }); // 4 B per 2 units
      assert.ok(
        longError.length <= push.reply && longError.length <= fetch.reply && longError.length <= peers.reply,
      );
      assert.ok(encodeAck({ cluster: 'c'.repeat(128), round: 2 ** 31 - 1 }).length <= push.reply);
      assert.ok(
        encodeFetchRequest({
          scope: { kind: 'warmup', peer: 'Q'.repeat(128) },
          minRound: 2 ** 31 - 1,
          codec: 'int8',
        }).length <= fetch.request,
      );
      assert.ok(encodePeerListRequest({ max: 256 }).length <= peers.request);
      const addr = new Uint8Array(256).fill(7);
      const full = encodePeerList({
        peers: Array.from({ length: 256 }, (_, i) => ({
          id: `${'Q'.repeat(124)}${String(i).padStart(4, '0')}`,
          addrs: Array(8).fill(addr),
        })),
      });
      assert.ok(full.length <= peers.reply, `${full.length} > ${peers.reply}`);
      assert.ok(peers.reply - full.length < 1024);
      // The attack of issue 10: 64 MiB of random bytes announced as a push. The cap is ~0.4 MB.
      assert.ok(push.request < (64 * 1024 * 1024) / 100);
      assert.equal(maxFrameBytes('update_push', sig), Math.max(push.request, push.reply));
    });
  });

  describe('peekDirectHeader', () => {
    const ws = MODELS[0]![1];
    const hash = specHash(ws);
    const u: UpdateEnvelopeMsg = {
      ...update,
      baseRound: 41,
      term: 7,
      specHash: hash,
      codec: 'int8',
      weights: ws,
    };
    const frame = encodeDirect(u);

    it('reads an update header from the first maxEnvelopeHeaderBytes bytes, without the weights', () => {
      const bound = maxEnvelopeHeaderBytes();
      assert.ok(bound < 450, `header bound ${bound}`);
      const p = peekOk(peekDirectHeader(frame.subarray(0, bound)));
      assert.equal(p.status, 'envelope');
      if (p.status !== 'envelope') return;
      const h = p.header;
      assert.equal(h.kind, 'update');
      if (h.kind !== 'update') return;
      assert.deepStrictEqual(
        [h.cluster, h.baseRound, h.term, h.sampleCount, h.specHash, h.codec, h.tensors, h.frameBytes],
        ['c1', 41, 7, 600, hash, 'int8', 4, frame.length],
      );
      // The weights blob is exactly where the header says.
      assert.equal(h.weightsOffset + h.weightsBytes, frame.length);
      assert.deepStrictEqual(
        [...frame.subarray(h.weightsOffset, h.weightsOffset + 4)],
        [0x50, 0x50, 0x46, 0x57],
      );
    });

    it('asks for more bytes on a short prefix, and agrees with the full decode on every prefix length', () => {
      const whole = peekOk(peekDirectHeader(frame));
      let firstComplete = -1;
      for (let n = 0; n <= maxEnvelopeHeaderBytes(); n++) {
        const p = peekOk(peekDirectHeader(frame.subarray(0, n)));
        if (p.status === 'need_more') {
          assert.equal(firstComplete, -1, `need_more after a complete peek at ${n}`);
          assert.equal(p.bytes, maxEnvelopeHeaderBytes());
        } else {
          if (firstComplete < 0) firstComplete = n;
          assert.deepStrictEqual(p, whole);
        }
      }
      assert.ok(firstComplete > 0 && firstComplete < 200, `header complete after ${firstComplete} B`);
    });

    it('model headers: every scope, and the same values the decoder returns (property)', () => {
      fc.assert(
        fc.property(modelArb, updateArb, (m, up) => {
          for (const msg of [m, up]) {
            const bytes = encodeDirect(msg);
            const p = peekOk(peekDirectHeader(bytes.subarray(0, maxEnvelopeHeaderBytes())));
            assert.equal(p.status, 'envelope');
            if (p.status !== 'envelope') return;
            const { weights: _w, codec, ...header } = msg;
            const {
              weightsOffset: _o,
              weightsBytes: _b,
              frameBytes,
              tensors,
              codec: c,
              ...peeked
            } = p.header;
            assert.deepStrictEqual(peeked, header);
            assert.equal(c, codec);
            assert.equal(tensors, msg.weights.length);
            assert.equal(frameBytes, bytes.length);
          }
        }),
        { numRuns: 200 },
      );
    });

    it('names control frames without reading them', () => {
      const cases: [Uint8Array, string][] = [
        [encodeAck({ cluster: 'c', round: 1 }), 'ack'],
        [encodeError({ code: 'busy', message: 'later' }), 'error'],
        [encodeFetchRequest({ scope: { kind: 'global' }, minRound: 0 }), 'fetch_request'],
        [encodePeerListRequest({ max: 8 }), 'peer_list_request'],
        [encodePeerList({ peers: [] }), 'peer_list'],
      ];
      for (const [bytes, kind] of cases) {
        assert.deepStrictEqual(peekDirectHeader(bytes.subarray(0, 3)), {
          ok: true,
          value: { status: 'control', kind },
        });
      }
    });

    it('refuses bad headers as the decoder does: term, spec hash, version, layout, huge length', () => {
      const raw = (over: Partial<pb.UpdateEnvelope>, version = 1): Uint8Array =>
        pb.DirectFrame.encode({
          version,
          update: {
            cluster: 'c1',
            baseRound: 1,
            term: 1,
            sampleCount: 1,
            specHash: hash,
            weights: new Uint8Array(frame.subarray(frame.length - 100)), // junk beyond the blob header is not read
            ...over,
          },
        });
      expectError(peekDirectHeader(raw({ term: 2 ** 31 })), 'bad_value', 'term');
      expectError(peekDirectHeader(raw({ baseRound: 2 ** 32 - 1 })), 'bad_value', 'baseRound');
      expectError(peekDirectHeader(raw({ specHash: 'XYZ' })), 'bad_name', 'specHash');
      expectError(peekDirectHeader(raw({ cluster: 'a/b' })), 'bad_name', 'cluster');
      expectError(peekDirectHeader(raw({}, 2)), 'unknown_version', 'version');
      expectError(peekDirectHeader(raw({ weights: new Uint8Array(8) })), 'malformed', 'weights');
      expectError(peekDirectHeader(raw({})), 'malformed', 'weights'); // junk where the blob magic should be
      // A length prefix announcing 1 GiB of weights: refused from the first bytes.
      const huge = new Uint8Array([0x08, 0x01, 0x22, 0x80, 0x80, 0x80, 0x80, 0x04]);
      expectError(peekDirectHeader(huge), 'too_large');
      // No weights at all, and fields after the weights (the decoder refuses both too).
      expectError(
        peekDirectHeader(new Uint8Array([0x08, 0x01, 0x22, 0x02, 0x10, 0x01])),
        'malformed',
        'weights',
      );
      const withTail = (b: number[]): Uint8Array =>
        new Uint8Array([0x08, 0x01, 0x22, ...varint(b.length), ...b]);
      const good = [...pb.UpdateEnvelope.encode(pbUpdate(u))];
      assert.ok(peekDirectHeader(withTail(good)).ok);
      expectError(peekDirectHeader(withTail([...good, 0x20, 0x01])), 'malformed', 'weights');
      expectError(decodeDirect(withTail([...good, 0x20, 0x01])), 'malformed', 'weights');
      // The version after the body is not canonical: refused.
      const swapped = new Uint8Array([...frame.subarray(2), 0x08, 0x01]);
      expectError(peekDirectHeader(swapped), 'malformed', 'body');
      // A header padded with unknown fields past the bound: too_large, whatever follows.
      const padded = new Uint8Array([
        0x08,
        0x01,
        0x22,
        0xff,
        0x7f,
        ...Array(600)
          .fill(0)
          .flatMap(() => [0x78, 0x01]),
      ]);
      expectError(peekDirectHeader(padded), 'too_large');
      expectError(peekDirectHeader(model as unknown as Uint8Array), 'malformed');
    });
  });
});
