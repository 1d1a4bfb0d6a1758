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
  decodeUpdateEnvelope,
  encodeAck,
  encodeDirect,
  encodeError,
  encodeFetchRequest,
  encodeGossip,
  encodeModelEnvelope,
  encodeUpdateEnvelope,
  encodeWeights,
  ProtocolEncodeError,
  specHash,
  type ErrorCode,
  type FingerprintMsg,
  type LossReportMsg,
  type ModelEnvelopeMsg,
  type Result,
  type UpdateEnvelopeMsg,
  type WeightSet,
} from '../src/index.js';
import * as pb from '../src/pb/messages.pb.js';
import {
  ackArb,
  codecArb,
  errorArb,
  fetchArb,
  fingerprintArb,
  headLeaseArb,
  heartbeatArb,
  lossReportArb,
  modelArb,
  roundOpenArb,
  updateArb,
  weightSetArb,
} from './arbitraries.js';

function expectError<T>(r: Result<T>, code: ErrorCode, field?: string): void {
  assert.equal(r.ok, false, `expected ${code}, got ok`);
  if (!r.ok) {
    assert.equal(r.error.code, code, r.error.message);
    if (field !== undefined) assert.equal(r.error.field, field);
  }
}

const weights: WeightSet = [
  { name: 'dense_0/kernel', shape: [2, 2], values: new Float32Array([1, 2, 3, 4]) },
  { name: 'dense_0/bias', shape: [2], values: new Float32Array([0.5, -0.5]) },
];
const fingerprint: FingerprintMsg = {
  kind: 'fingerprint',
  peerId: '12D3KooWExamplePeer',
  seq: 3,
  sampleCount: 600,
  inputShape: [28, 28, 1],
  numClasses: 2,
  labelHist: [0.25, 0.75],
  projMean: [0.5, -1],
  projStd: [1, 2],
  classMeans: [
    [1, 2],
    [3, 4],
  ],
  capacity: 2.5,
};
const model: ModelEnvelopeMsg = {
  kind: 'model',
  modelId: 'c1/r7',
  scope: { kind: 'cluster', cluster: 'c1' },
  round: 7,
  term: 2,
  specHash: specHash(weights),
  codec: 'float32',
  weights,
};
const update: UpdateEnvelopeMsg = {
  kind: 'update',
  cluster: 'c1',
  baseRound: 7,
  term: 2,
  sampleCount: 600,
  specHash: specHash(weights),
  codec: 'float32',
  weights,
};

const lossReport: LossReportMsg = {
  kind: 'loss_report',
  peerId: '12D3KooWExamplePeer',
  seq: 4,
  round: 1,
  candidates: ['12D3KooWExamplePeer', 'QmOther', 'c1'],
  losses: [0.25, 2.5, 0],
};

const gossipFrame = (f: Partial<pb.GossipFrame>): Uint8Array => pb.GossipFrame.encode({ version: 1, ...f });
const directFrame = (f: Partial<pb.DirectFrame>): Uint8Array => pb.DirectFrame.encode({ version: 1, ...f });
const pbFingerprint = (over: Partial<pb.Fingerprint>): Uint8Array =>
  gossipFrame({
    fingerprint: {
      peerId: fingerprint.peerId,
      seq: 3,
      sampleCount: 600,
      inputShape: [28, 28, 1],
      numClasses: 2,
      labelHist: [0.25, 0.75],
      projMean: [0.5, -1],
      projStd: [1, 2],
      classDims: 2,
      absentClasses: [],
      classMeans: [1, 2, 3, 4],
      capacity: 2.5,
      ...over,
    },
  });

describe('messages', () => {
  describe('gossip round trips (property)', () => {
    for (const [name, arb] of [
      ['fingerprint', fingerprintArb],
      ['heartbeat', heartbeatArb],
      ['head_lease', headLeaseArb],
      ['round_open', roundOpenArb],
      ['model', modelArb],
      ['loss_report', lossReportArb],
    ] as const) {
      it(name, () => {
        fc.assert(
          fc.property(arb as fc.Arbitrary<Parameters<typeof encodeGossip>[0]>, (m) => {
            const r = decodeGossip(encodeGossip(m));
            if (!r.ok) assert.fail(`${r.error.code} ${r.error.field}: ${r.error.message}`);
            assert.deepStrictEqual(r.value, m);
          }),
          { numRuns: 200 },
        );
      });
    }
  });

  describe('direct round trips (property)', () => {
    it('fetch_request', () => {
      fc.assert(
        fc.property(fetchArb, (m) => {
          const { kind: _k, ...rest } = m;
          assert.deepStrictEqual(decodeFetchRequest(encodeFetchRequest(rest)), { ok: true, value: m });
          assert.deepStrictEqual(decodeDirect(encodeDirect(m)), { ok: true, value: m });
        }),
        { numRuns: 200 },
      );
    });
    it('model', () => {
      fc.assert(
        fc.property(modelArb, (m) => {
          const { kind: _k, ...rest } = m;
          assert.deepStrictEqual(decodeModelEnvelope(encodeModelEnvelope(rest)), { ok: true, value: m });
        }),
        { numRuns: 200 },
      );
    });
    it('update', () => {
      fc.assert(
        fc.property(updateArb, (m) => {
          const { kind: _k, ...rest } = m;
          assert.deepStrictEqual(decodeUpdateEnvelope(encodeUpdateEnvelope(rest)), { ok: true, value: m });
        }),
        { numRuns: 200 },
      );
    });
    it('ack', () => {
      fc.assert(
        fc.property(ackArb, (m) => {
          assert.deepStrictEqual(decodeAck(encodeAck({ cluster: m.cluster, round: m.round })), {
            ok: true,
            value: m,
          });
        }),
      );
    });
    it('error', () => {
      fc.assert(
        fc.property(errorArb, (m) => {
          assert.deepStrictEqual(decodeError(encodeError({ code: m.code, message: m.message })), {
            ok: true,
            value: m,
          });
        }),
      );
    });
    it('model and update in lossy codecs keep metadata and report the codec', () => {
      fc.assert(
        fc.property(
          weightSetArb(3, fc.float({ min: -100, max: 100, noNaN: true })),
          codecArb,
          (ws, codec) => {
            const m: ModelEnvelopeMsg = { ...model, specHash: specHash(ws), codec, weights: ws };
            const r = decodeModelEnvelope(encodeDirect(m));
            assert.ok(r.ok);
            assert.equal(r.value.codec, codec);
            assert.equal(r.value.specHash, m.specHash);
            assert.deepStrictEqual(
              r.value.weights.map((t) => [t.name, t.shape]),
              ws.map((t) => [t.name, t.shape]),
            );
            const u = decodeUpdateEnvelope(
              encodeDirect({ ...update, specHash: specHash(ws), codec, weights: ws }),
            );
            assert.ok(u.ok);
            assert.equal(u.value.codec, codec);
          },
        ),
        { numRuns: 100 },
      );
    });
  });

  it('keeps empty class rows (classes without samples) in place', () => {
    const m: FingerprintMsg = {
      ...fingerprint,
      numClasses: 3,
      labelHist: [0.5, 0, 0.5],
      classMeans: [[1, 2], [], [3, 4]],
    };
    assert.deepStrictEqual(decodeGossip(encodeGossip(m)), { ok: true, value: m });
    const none: FingerprintMsg = { ...m, sampleCount: 0, labelHist: [0, 0, 0], classMeans: [[], [], []] };
    assert.deepStrictEqual(decodeGossip(encodeGossip(none)), { ok: true, value: none });
    const noSketch: FingerprintMsg = { ...m, classMeans: [] };
    assert.deepStrictEqual(decodeGossip(encodeGossip(noSketch)), { ok: true, value: noSketch });
  });

  describe('loss_report', () => {
    const pbLoss = (over: Partial<pb.LossReport>): Uint8Array =>
      gossipFrame({
        lossReport: {
          peerId: lossReport.peerId,
          seq: 4,
          round: 1,
          candidates: [...lossReport.candidates],
          losses: [...lossReport.losses],
          ...over,
        },
      });
    it('round-trips, including an empty report', () => {
      assert.deepStrictEqual(decodeGossip(encodeGossip(lossReport)), { ok: true, value: lossReport });
      const empty: LossReportMsg = { ...lossReport, candidates: [], losses: [] };
      assert.deepStrictEqual(decodeGossip(encodeGossip(empty)), { ok: true, value: empty });
    });
    it('rejects unequal lengths, bad values, bad or duplicate ids, too many candidates', () => {
      expectError(decodeGossip(pbLoss({ losses: [1, 2] })), 'shape_mismatch', 'losses');
      expectError(decodeGossip(pbLoss({ losses: [1, NaN, 2] })), 'non_finite', 'losses');
      expectError(decodeGossip(pbLoss({ losses: [1, Infinity, 2] })), 'non_finite', 'losses');
      expectError(decodeGossip(pbLoss({ losses: [1, -0.5, 2] })), 'bad_value', 'losses');
      expectError(decodeGossip(pbLoss({ candidates: ['a', 'b/c', 'd'] })), 'bad_name', 'candidates');
      expectError(decodeGossip(pbLoss({ candidates: ['a', '', 'd'] })), 'bad_name', 'candidates');
      expectError(decodeGossip(pbLoss({ candidates: ['a', 'b', 'a'] })), 'bad_name', 'candidates');
      expectError(decodeGossip(pbLoss({ peerId: 'not a peer' })), 'bad_name', 'peerId');
      expectError(decodeGossip(encodeGossip(lossReport), { maxLossCandidates: 2 }), 'too_large');
      const many = Array.from({ length: 1025 }, (_, i) => `p${i}`);
      expectError(decodeGossip(pbLoss({ candidates: many, losses: many.map(() => 1) })), 'too_large');
      const max = many.slice(0, 1024);
      assert.ok(decodeGossip(encodeGossip({ ...lossReport, candidates: max, losses: max.map(() => 1) })).ok);
      assert.throws(() => encodeGossip({ ...lossReport, losses: [1, 2] }), ProtocolEncodeError);
      assert.throws(() => encodeGossip({ ...lossReport, losses: [1, -1, 2] }), ProtocolEncodeError);
      assert.throws(() => encodeGossip({ ...lossReport, losses: [1, 1e39, 2] }), ProtocolEncodeError);
    });
  });

  describe('error codes', () => {
    it('unknown_version: frame version 0 or 2', () => {
      expectError(
        decodeGossip(pb.GossipFrame.encode({ version: 2, heartbeat: undefined })),
        'unknown_version',
      );
      expectError(decodeGossip(pbFingerprint({}).subarray(2)), 'unknown_version'); // version field stripped
      expectError(
        decodeDirect(pb.DirectFrame.encode({ version: 2, ack: { cluster: 'c', round: 1 } })),
        'unknown_version',
      );
    });
    it('unknown_kind: empty body, future body field, wrong direct kind', () => {
      expectError(decodeGossip(gossipFrame({})), 'unknown_kind');
      // Field 15 (a kind this version does not know), length-delimited, 1 byte.
      expectError(decodeGossip(new Uint8Array([0x08, 0x01, 0x7a, 0x01, 0x00])), 'unknown_kind');
      expectError(decodeAck(encodeError({ code: 'busy', message: 'later' })), 'unknown_kind', 'kind');
      expectError(decodeModelEnvelope(encodeAck({ cluster: 'c1', round: 1 })), 'unknown_kind');
    });
    it('malformed: truncated, bad wire types, two bodies, bad enum', () => {
      const b = encodeGossip(fingerprint);
      expectError(decodeGossip(b.subarray(0, b.length - 3)), 'malformed');
      expectError(decodeGossip(new Uint8Array([0x08, 0x01, 0x13])), 'malformed'); // wire type 3 (group)
      expectError(decodeGossip(new Uint8Array([0x08, 0x01, 0x10, 0x01])), 'malformed'); // body as varint
      const two = new Uint8Array([...encodeGossip(fingerprint), ...encodeGossip({ ...model }).subarray(2)]);
      expectError(decodeGossip(two), 'malformed');
      // Heartbeat with role = 7 (not in the enum).
      expectError(
        decodeGossip(new Uint8Array([0x08, 0x01, 0x1a, 0x05, 0x0a, 0x01, 0x61, 0x20, 0x07])),
        'malformed',
      );
    });
    it('too_large: frame bytes, control bytes, repeated fields, strings', () => {
      expectError(decodeGossip(encodeGossip(fingerprint), { maxBytes: 10 }), 'too_large');
      expectError(decodeGossip(encodeGossip(fingerprint), { maxControlBytes: 10 }), 'too_large');
      // A model is not a control message: the control cap does not apply.
      assert.ok(decodeGossip(encodeGossip(model), { maxControlBytes: 10 }).ok);
      expectError(decodeGossip(encodeGossip(fingerprint), { maxClasses: 1 }), 'too_large');
      expectError(decodeGossip(encodeGossip(fingerprint), { maxInputRank: 2 }), 'too_large');
      expectError(decodeGossip(encodeGossip(fingerprint), { maxSketchDims: 1 }), 'too_large');
      expectError(decodeGossip(pbFingerprint({ peerId: 'a'.repeat(5000) })), 'too_large');
      expectError(decodeGossip(pbFingerprint({ peerId: 'a'.repeat(200) })), 'too_large', 'peerId');
      expectError(
        decodeError(directFrame({ error: { code: 'x', message: 'm'.repeat(1000) } }), {
          maxMessageLength: 100,
        }),
        'too_large',
      );
      expectError(decodeModelEnvelope(encodeDirect(model), { maxTotalElements: 3 }), 'too_large');
    });
    it('non_finite: NaN/Inf in fingerprint floats and in weights', () => {
      expectError(decodeGossip(pbFingerprint({ projMean: [NaN, 1] })), 'non_finite', 'projMean');
      expectError(
        decodeGossip(pbFingerprint({ classMeans: [1, 2, Infinity, 4] })),
        'non_finite',
        'classMeans',
      );
      expectError(decodeGossip(pbFingerprint({ capacity: Infinity })), 'non_finite', 'capacity');
      const blob = encodeWeights([{ name: 'w', shape: [1], values: new Float32Array([1]) }]);
      new DataView(blob.buffer).setFloat32(blob.length - 4, NaN, true);
      new DataView(blob.buffer).setUint32(12, crc32(blob.subarray(16)), true);
      const frame = directFrame({
        model: {
          modelId: 'm',
          round: 1,
          term: 1,
          specHash: specHash([{ name: 'w', shape: [1] }]),
          weights: blob,
        },
      });
      expectError(decodeModelEnvelope(frame), 'non_finite');
    });
    it('bad_name: peer id, cluster id, model id, spec hash syntax', () => {
      expectError(decodeGossip(pbFingerprint({ peerId: 'peer one' })), 'bad_name', 'peerId');
      expectError(decodeGossip(pbFingerprint({ peerId: '' })), 'bad_name', 'peerId');
      expectError(decodeAck(directFrame({ ack: { cluster: 'a/b', round: 1 } })), 'bad_name', 'cluster');
      expectError(
        decodeGossip(
          gossipFrame({ headLease: { cluster: 'c', head: 'x y', term: 1, round: 1, leaseMs: 1 } }),
        ),
        'bad_name',
        'head',
      );
      expectError(
        decodeGossip(
          gossipFrame({
            roundOpen: { cluster: 'c', round: 1, term: 1, head: 'h', deadlineMs: 1, specHash: 'XYZ' },
          }),
        ),
        'bad_name',
        'specHash',
      );
      const bad = pb.DirectFrame.encode({
        version: 1,
        model: {
          modelId: 'm id',
          round: 1,
          term: 1,
          specHash: model.specHash,
          weights: encodeWeights(weights),
        },
      });
      expectError(decodeModelEnvelope(bad), 'bad_name', 'modelId');
    });
    it('shape_mismatch: histogram/sketch lengths, declared vs actual spec hash, expected spec hash', () => {
      expectError(decodeGossip(pbFingerprint({ labelHist: [1] })), 'shape_mismatch', 'labelHist');
      expectError(decodeGossip(pbFingerprint({ projStd: [1] })), 'shape_mismatch', 'projStd');
      expectError(decodeGossip(pbFingerprint({ classMeans: [1, 2, 3] })), 'shape_mismatch', 'classMeans');
      expectError(decodeGossip(pbFingerprint({ absentClasses: [1] })), 'shape_mismatch', 'classMeans');
      expectError(decodeGossip(pbFingerprint({ absentClasses: [2], classMeans: [1, 2] })), 'bad_value');
      expectError(decodeGossip(pbFingerprint({ absentClasses: [1, 1], classMeans: [1, 2] })), 'bad_value');
      assert.throws(() => encodeGossip({ ...fingerprint, classMeans: [[1]] }), ProtocolEncodeError);
      assert.throws(() => encodeGossip({ ...fingerprint, classMeans: [[1], [1, 2]] }), ProtocolEncodeError);
      const lying = directFrame({
        model: { modelId: 'm', round: 1, term: 1, specHash: 'a'.repeat(64), weights: encodeWeights(weights) },
      });
      expectError(decodeModelEnvelope(lying), 'shape_mismatch', 'specHash');
      const good = encodeDirect(model);
      assert.ok(decodeModelEnvelope(good, undefined, { specHash: model.specHash }).ok);
      expectError(decodeModelEnvelope(good, undefined, { specHash: 'b'.repeat(64) }), 'shape_mismatch');
      expectError(
        decodeUpdateEnvelope(encodeDirect(update), undefined, { specHash: 'b'.repeat(64) }),
        'shape_mismatch',
      );
      expectError(
        decodeGossip(encodeGossip(model), undefined, { specHash: 'b'.repeat(64) }),
        'shape_mismatch',
      );
    });
    it('checksum: a corrupted weights blob inside an envelope', () => {
      const blob = encodeWeights(weights);
      blob[blob.length - 1] = blob[blob.length - 1]! ^ 1;
      const frame = directFrame({
        update: {
          cluster: 'c1',
          baseRound: 1,
          term: 1,
          sampleCount: 1,
          specHash: model.specHash,
          weights: blob,
        },
      });
      expectError(decodeUpdateEnvelope(frame), 'checksum');
    });
    it('bad_value: negative std, histogram not normalised, negative capacity, zero input dim', () => {
      expectError(decodeGossip(pbFingerprint({ projStd: [-1, 1] })), 'bad_value', 'projStd');
      expectError(decodeGossip(pbFingerprint({ labelHist: [0.5, 0.6] })), 'bad_value', 'labelHist');
      expectError(decodeGossip(pbFingerprint({ capacity: -1 })), 'bad_value', 'capacity');
      expectError(decodeGossip(pbFingerprint({ inputShape: [28, 0] })), 'bad_value', 'inputShape');
    });
    it('encoders throw ProtocolEncodeError on invalid messages', () => {
      const isEncodeError = (code: ErrorCode) => (e: unknown) =>
        e instanceof ProtocolEncodeError && e.code === code;
      assert.throws(() => encodeGossip({ ...fingerprint, peerId: 'bad id' }), isEncodeError('bad_name'));
      assert.throws(() => encodeGossip({ ...fingerprint, labelHist: [1] }), isEncodeError('shape_mismatch'));
      assert.throws(() => encodeGossip({ ...fingerprint, capacity: NaN }), isEncodeError('non_finite'));
      assert.throws(
        () => encodeGossip({ ...model, specHash: 'a'.repeat(64) }),
        isEncodeError('shape_mismatch'),
      );
      assert.throws(() => encodeDirect({ ...update, cluster: 'no/slash' }), isEncodeError('bad_name'));
      assert.throws(() => encodeAck({ cluster: 'c', round: -1 }), isEncodeError('bad_value'));
      assert.throws(() => encodeError({ code: 'Not Snake', message: '' }), isEncodeError('bad_name'));
    });
  });
});
