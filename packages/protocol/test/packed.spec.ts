// Packed floats: what we write for `bytes ... // PACKED float` fields is exactly proto3's packed
// `repeated float`, checked with an independent implementation (protobufjs) reading the schema with
// those fields declared as repeated floats. Also measures what packing saves on a 784-feature
// fingerprint (MNIST-sized) against the unpacked encoding protons 7 produced.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { decodeGossip, encodeGossip, type FingerprintMsg } from '../src/index.js';
import { fingerprintArb, lossReportArb } from './arbitraries.js';
import { T0 } from './fixtures.js';

const proto = readFileSync(new URL('../../src/pb/messages.proto', import.meta.url), 'utf8');

/** The schema with every PACKED bytes field declared as what it is on the wire. */
function referenceSchema(packed: boolean): protobuf.Root {
  const text = proto.replace(
    /bytes (\w+) = (\d+); \/\/ PACKED float/g,
    (_m, name: string, n: string) => `repeated float ${name} = ${n} [packed = ${packed}];`,
  );
  const root = protobuf.parse(text, { keepCase: false }).root;
  root.resolveAll(); // field options (packed) only take effect once resolved
  return root;
}

/** A fingerprint of MNIST shape: 10 classes, 16 projection dims, 784 raw-pixel feature moments. */
export function mnistFingerprint(): FingerprintMsg {
  const features = 784;
  return {
    kind: 'fingerprint',
    peerId: '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN',
    seq: 1,
    sampleCount: 6000,
    inputShape: [28, 28, 1],
    numClasses: 10,
    labelHist: Array.from({ length: 10 }, (_, i) => Math.fround(i === 9 ? 0.1 : 0.1)),
    projMean: Array.from({ length: 16 }, (_, i) => Math.fround(Math.sin(i) * 40)),
    projStd: Array.from({ length: 16 }, (_, i) => Math.fround(20 + i)),
    classMeans: Array.from({ length: 10 }, (_, c) =>
      Array.from({ length: 16 }, (_, i) => Math.fround(c * 3 + i / 7)),
    ),
    // Raw pixel statistics (0-255): border pixels are constant 0, the centre varies.
    featureMean: Array.from({ length: features }, (_, i) => Math.fround(((i * 37) % 256) * 0.5)),
    featureStd: Array.from({ length: features }, (_, i) => Math.fround(((i * 11) % 128) * 0.9)),
    capacity: 1,
    sentAt: T0,
  };
}

describe('packed floats on the wire', () => {
  const packedRoot = referenceSchema(true);
  const Frame = packedRoot.lookupType('GossipFrame');

  it('protobufjs reads our fingerprints and loss reports as packed repeated floats', () => {
    fc.assert(
      fc.property(fingerprintArb, (m) => {
        const bytes = encodeGossip(m);
        const ref = Frame.toObject(Frame.decode(bytes), { longs: Number, defaults: true }) as {
          fingerprint: Record<string, number[]>;
        };
        const fp = ref.fingerprint;
        assert.deepStrictEqual(fp.featureMean, m.featureMean);
        assert.deepStrictEqual(fp.featureStd, m.featureStd);
        assert.deepStrictEqual(fp.labelHist, m.labelHist);
        assert.deepStrictEqual(fp.projMean, m.projMean);
        assert.deepStrictEqual(fp.classMeans, m.classMeans.flat());
        assert.equal(fp.sentAt, m.sentAt);
      }),
      { numRuns: 100 },
    );
    fc.assert(
      fc.property(lossReportArb, (m) => {
        const ref = Frame.toObject(Frame.decode(encodeGossip(m)), { defaults: true }) as {
          lossReport: { losses: number[] };
        };
        assert.deepStrictEqual(ref.lossReport.losses, m.losses);
      }),
      { numRuns: 100 },
    );
  });

  it('a packed fingerprint written by protobufjs decodes here, byte for byte the same frame', () => {
    const m = mnistFingerprint();
    const ours = encodeGossip(m);
    const theirs = Frame.encode(Frame.decode(ours)).finish();
    assert.deepStrictEqual(Buffer.from(theirs), Buffer.from(ours));
    assert.deepStrictEqual(decodeGossip(theirs), { ok: true, value: m });
  });

  it('packing shrinks a 784-feature fingerprint (measured against the unpacked encoding)', () => {
    const m = mnistFingerprint();
    const packed = encodeGossip(m).length;
    const Unpacked = referenceSchema(false).lookupType('GossipFrame');
    const obj = Frame.toObject(Frame.decode(encodeGossip(m)), { longs: Number });
    const unpacked = Unpacked.encode(Unpacked.fromObject(obj)).finish().length;
    const floats = m.labelHist.length + 32 + 160 + 2 * 784;
    console.log(
      `      784-feature fingerprint (${floats} floats): unpacked ${unpacked} B, packed ${packed} B (-${(100 * (1 - packed / unpacked)).toFixed(1)} %)`,
    );
    // Unpacked: a tag byte per float (5 B each); packed: 4 B each plus a few bytes per field.
    assert.ok(unpacked - packed >= floats - 6 * 7, `${unpacked} -> ${packed}`);
    assert.ok(packed < 4 * floats + 200, `packed ${packed} B for ${floats} floats`);
  });
});
