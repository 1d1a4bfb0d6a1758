// Every decoder error code, produced by a minimal faulty frame.
import assert from 'node:assert/strict';
import {
  crc32,
  decodeAck,
  decodeDirect,
  decodeError,
  decodeGossip,
  decodeModelEnvelope,
  decodeUpdateEnvelope,
  encodeAck,
  encodeDirect,
  encodeError,
  encodeGossip,
  encodeWeights,
  ProtocolEncodeError,
  specHash,
  type ErrorCode,
  type ErrorMsg,
} from '../src/index.js';
import * as pb from '../src/pb/messages.pb.js';
import {
  directFrame,
  expectError,
  fingerprint,
  gossipFrame,
  lossReport,
  model,
  pbFingerprint,
  T0,
  update,
  weights,
} from './fixtures.js';
import { packFloats } from '../src/wire/packed.js';

const pbLoss = (over: Partial<Omit<pb.LossReport, 'losses'>> & { losses?: number[] }): Uint8Array =>
  gossipFrame({
    lossReport: {
      peerId: lossReport.peerId,
      seq: 4,
      round: 1,
      candidates: [...lossReport.candidates],
      sentAt: T0,
      ...over,
      losses: packFloats(over.losses ?? lossReport.losses),
    },
  });

describe('error codes', () => {
  it('unknown_version: frame version 0 or 2', () => {
    expectError(decodeGossip(pb.GossipFrame.encode({ version: 2, heartbeat: undefined })), 'unknown_version');
    expectError(decodeGossip(pbFingerprint({}).subarray(2)), 'unknown_version'); // version field stripped
    expectError(
      decodeDirect(pb.DirectFrame.encode({ version: 2, ack: { cluster: 'c', round: 1 } })),
      'unknown_version',
    );
  });

  it('unknown_kind: empty body, future body field, the retired gossip model body, wrong direct kind', () => {
    expectError(decodeGossip(gossipFrame({})), 'unknown_kind');
    // Field 15 (a kind this version does not know), length-delimited, 1 byte.
    expectError(decodeGossip(new Uint8Array([0x08, 0x01, 0x7a, 0x01, 0x00])), 'unknown_kind');
    // Field 6 of GossipFrame used to carry model envelopes: models never travel in gossip now.
    expectError(decodeGossip(new Uint8Array([0x08, 0x01, 0x32, 0x00])), 'unknown_kind');
    expectError(decodeAck(encodeError({ code: 'busy', message: 'later' })), 'unknown_kind', 'kind');
    expectError(decodeModelEnvelope(encodeAck({ cluster: 'c1', round: 1 })), 'unknown_kind');
  });

  it('malformed: truncated, bad wire types, two bodies, repeated singular fields, bad enum, unpacked floats', () => {
    const b = encodeGossip(fingerprint);
    expectError(decodeGossip(b.subarray(0, b.length - 3)), 'malformed');
    expectError(decodeGossip(new Uint8Array([0x08, 0x01, 0x13])), 'malformed'); // wire type 3 (group)
    expectError(decodeGossip(new Uint8Array([0x08, 0x01, 0x10, 0x01])), 'malformed'); // body as varint
    const hb = encodeGossip({
      kind: 'heartbeat',
      peerId: 'a',
      seq: 1,
      role: 'member',
      round: 1,
      fingerprintSeq: 1,
      viewSize: 1,
      viewDigest: '0123456789abcdef',
      sentAt: T0,
    });
    expectError(
      decodeGossip(new Uint8Array([...encodeGossip(fingerprint), ...hb.subarray(2)])),
      'malformed',
      'body',
    );
    expectError(decodeGossip(new Uint8Array([...hb, ...hb.subarray(2)])), 'malformed', 'body'); // same body twice
    // Heartbeat with role = 7 (not in the enum).
    expectError(
      decodeGossip(new Uint8Array([0x08, 0x01, 0x1a, 0x05, 0x0a, 0x01, 0x61, 0x20, 0x07])),
      'malformed',
    );
    // Heartbeat whose peer id appears twice (protobuf would keep the last: we refuse the ambiguity).
    expectError(
      decodeGossip(new Uint8Array([0x08, 0x01, 0x1a, 0x06, 0x0a, 0x01, 0x61, 0x0a, 0x01, 0x62])),
      'malformed',
      'peerId',
    );
    // labelHist as an unpacked float (wire type 5), which protons 7 would write: refused.
    expectError(
      decodeGossip(new Uint8Array([0x08, 0x01, 0x12, 0x05, 0x35, 0x00, 0x00, 0x80, 0x3f])),
      'malformed',
      'labelHist',
    );
    // A packed float field whose length is not a multiple of 4.
    const odd = pb.GossipFrame.encode({
      version: 1,
      lossReport: { peerId: 'a', seq: 1, round: 1, candidates: ['x'], losses: new Uint8Array(5), sentAt: T0 },
    });
    expectError(decodeGossip(odd), 'malformed', 'losses');
  });

  it('too_large: frame bytes, control bytes, repeated fields, strings', () => {
    expectError(decodeGossip(encodeGossip(fingerprint), { maxBytes: 10 }), 'too_large');
    expectError(decodeGossip(encodeGossip(fingerprint), { maxControlBytes: 10 }), 'too_large');
    // A model is not a control message: the control cap does not apply.
    assert.ok(decodeDirect(encodeDirect(model), { maxControlBytes: 10 }).ok);
    expectError(decodeGossip(encodeGossip(fingerprint), { maxClasses: 1 }), 'too_large', 'labelHist');
    expectError(decodeGossip(encodeGossip(fingerprint), { maxInputRank: 2 }), 'too_large', 'inputShape');
    expectError(decodeGossip(encodeGossip(fingerprint), { maxSketchDims: 1 }), 'too_large', 'projMean');
    expectError(
      decodeGossip(encodeGossip(fingerprint), { maxFeatureMoments: 2 }),
      'too_large',
      'featureMean',
    );
    expectError(decodeGossip(pbFingerprint({ peerId: 'a'.repeat(5000) })), 'too_large', 'peerId');
    expectError(decodeGossip(pbFingerprint({ peerId: 'a'.repeat(200) })), 'too_large', 'peerId');
    expectError(
      decodeError(directFrame({ error: { code: 1, message: 'm'.repeat(1000) } }), { maxMessageLength: 100 }),
      'too_large',
    );
    expectError(decodeModelEnvelope(encodeDirect(model), { maxTotalElements: 3 }), 'too_large');
  });

  it('non_finite: NaN/Inf in fingerprint floats, losses and weights', () => {
    expectError(decodeGossip(pbFingerprint({ projMean: [NaN, 1] })), 'non_finite', 'projMean');
    expectError(decodeGossip(pbFingerprint({ classMeans: [1, 2, Infinity, 4] })), 'non_finite', 'classMeans');
    expectError(decodeGossip(pbFingerprint({ featureMean: [1, NaN] })), 'non_finite', 'featureMean');
    expectError(decodeGossip(pbFingerprint({ featureStd: [Infinity, 1] })), 'non_finite', 'featureStd');
    expectError(decodeGossip(pbFingerprint({ capacity: Infinity })), 'non_finite', 'capacity');
    expectError(decodeGossip(pbFingerprint({ capacity: NaN })), 'non_finite', 'capacity');
    expectError(decodeGossip(pbLoss({ losses: [1, NaN, 2] })), 'non_finite', 'losses');
    expectError(decodeGossip(pbLoss({ losses: [1, Infinity, 2] })), 'non_finite', 'losses');
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

  it('bad_name: peer id, cluster id, model id, spec hash, view digest, duplicate ids', () => {
    expectError(decodeGossip(pbFingerprint({ peerId: 'peer one' })), 'bad_name', 'peerId');
    expectError(decodeGossip(pbFingerprint({ peerId: '' })), 'bad_name', 'peerId');
    expectError(decodeAck(directFrame({ ack: { cluster: 'a/b', round: 1 } })), 'bad_name', 'cluster');
    expectError(
      decodeGossip(
        gossipFrame({ headLease: { cluster: 'c', head: 'x y', term: 1, round: 1, leaseMs: 1, sentAt: T0 } }),
      ),
      'bad_name',
      'head',
    );
    const roundOpen = {
      cluster: 'c',
      round: 1,
      term: 1,
      head: 'h',
      deadlineMs: 1,
      specHash: 'a'.repeat(64),
      members: [],
      sentAt: T0,
    };
    expectError(
      decodeGossip(gossipFrame({ roundOpen: { ...roundOpen, specHash: 'XYZ' } })),
      'bad_name',
      'specHash',
    );
    expectError(
      decodeGossip(gossipFrame({ roundOpen: { ...roundOpen, members: ['a', 'b c'] } })),
      'bad_name',
      'members',
    );
    expectError(
      decodeGossip(gossipFrame({ roundOpen: { ...roundOpen, members: ['a', 'a'] } })),
      'bad_name',
      'members',
    );
    const heartbeat = {
      peerId: 'p',
      seq: 1,
      role: pb.Role.ROLE_MEMBER,
      round: 1,
      fingerprintSeq: 1,
      viewSize: 1,
      sentAt: T0,
    };
    for (const viewDigest of ['', '0123456789ABCDEF', '0123456789abcde', '0123456789abcdef0']) {
      expectError(
        decodeGossip(gossipFrame({ heartbeat: { ...heartbeat, viewDigest } })),
        'bad_name',
        'viewDigest',
      );
    }
    expectError(decodeGossip(pbLoss({ candidates: ['a', 'b/c', 'd'] })), 'bad_name', 'candidates');
    expectError(decodeGossip(pbLoss({ candidates: ['a', '', 'd'] })), 'bad_name', 'candidates');
    expectError(decodeGossip(pbLoss({ candidates: ['a', 'b', 'a'] })), 'bad_name', 'candidates');
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
    const warm = pb.DirectFrame.encode({
      version: 1,
      model: {
        modelId: 'm',
        warmupPeer: 'w-peer',
        round: 1,
        term: 1,
        specHash: model.specHash,
        weights: encodeWeights(weights),
      },
    });
    expectError(decodeModelEnvelope(warm), 'bad_name', 'warmupPeer');
  });

  it('shape_mismatch: histogram/sketch/moment lengths, declared vs actual spec hash, expected spec hash', () => {
    expectError(decodeGossip(pbFingerprint({ labelHist: [1] })), 'shape_mismatch', 'labelHist');
    expectError(decodeGossip(pbFingerprint({ projStd: [1] })), 'shape_mismatch', 'projStd');
    expectError(decodeGossip(pbFingerprint({ featureStd: [1] })), 'shape_mismatch', 'featureStd');
    expectError(decodeGossip(pbFingerprint({ featureMean: [] })), 'shape_mismatch', 'featureStd');
    expectError(decodeGossip(pbFingerprint({ classMeans: [1, 2, 3] })), 'shape_mismatch', 'classMeans');
    expectError(decodeGossip(pbFingerprint({ absentClasses: [1] })), 'shape_mismatch', 'classMeans');
    expectError(decodeGossip(pbLoss({ losses: [1, 2] })), 'shape_mismatch', 'losses');
    assert.throws(() => encodeGossip({ ...fingerprint, classMeans: [[1]] }), ProtocolEncodeError);
    assert.throws(() => encodeGossip({ ...fingerprint, classMeans: [[1], [1, 2]] }), ProtocolEncodeError);
    assert.throws(() => encodeGossip({ ...fingerprint, featureStd: [1] }), ProtocolEncodeError);
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

  it('bad_value: negative std, histogram not normalised, capacity out of range, zero input dim, unsorted members', () => {
    expectError(decodeGossip(pbFingerprint({ projStd: [-1, 1] })), 'bad_value', 'projStd');
    expectError(decodeGossip(pbFingerprint({ featureStd: [0.5, -0.001] })), 'bad_value', 'featureStd');
    expectError(decodeGossip(pbFingerprint({ labelHist: [0.5, 0.6] })), 'bad_value', 'labelHist');
    expectError(decodeGossip(pbFingerprint({ capacity: -1 })), 'bad_value', 'capacity');
    expectError(decodeGossip(pbFingerprint({ capacity: 16.5 })), 'bad_value', 'capacity');
    assert.ok(decodeGossip(pbFingerprint({ capacity: 16 })).ok);
    expectError(decodeGossip(pbFingerprint({ inputShape: [28, 0] })), 'bad_value', 'inputShape');
    expectError(decodeGossip(pbLoss({ losses: [1, -0.5, 2] })), 'bad_value', 'losses');
    const roundOpen = {
      cluster: 'c',
      round: 1,
      term: 1,
      head: 'h',
      deadlineMs: 1,
      specHash: 'a'.repeat(64),
      sentAt: T0,
    };
    expectError(
      decodeGossip(gossipFrame({ roundOpen: { ...roundOpen, members: ['b', 'a'] } })),
      'bad_value',
      'members',
    );
    expectError(decodeDirect(directFrame({ peerListRequest: { max: 0 } })), 'bad_value', 'max');
    expectError(decodeDirect(directFrame({ peerListRequest: { max: 257 } })), 'bad_value', 'max');
  });

  it('encoders throw ProtocolEncodeError on invalid messages', () => {
    const isEncodeError = (code: ErrorCode) => (e: unknown) =>
      e instanceof ProtocolEncodeError && e.code === code;
    assert.throws(() => encodeGossip({ ...fingerprint, peerId: 'bad id' }), isEncodeError('bad_name'));
    assert.throws(() => encodeGossip({ ...fingerprint, labelHist: [1] }), isEncodeError('shape_mismatch'));
    assert.throws(() => encodeGossip({ ...fingerprint, capacity: NaN }), isEncodeError('non_finite'));
    assert.throws(
      () => encodeGossip({ ...fingerprint, featureMean: [1, 1e39, 2] }),
      isEncodeError('non_finite'),
    );
    assert.throws(() => encodeGossip({ ...fingerprint, sentAt: 1.5 }), isEncodeError('bad_value'));
    assert.throws(() => encodeGossip({ ...fingerprint, sentAt: 2 ** 53 }), isEncodeError('bad_value'));
    assert.throws(() => encodeGossip({ ...lossReport, losses: [1, 2] }), isEncodeError('shape_mismatch'));
    assert.throws(() => encodeGossip({ ...lossReport, losses: [1, -1, 2] }), isEncodeError('bad_value'));
    assert.throws(() => encodeGossip({ ...lossReport, losses: [1, 1e39, 2] }), isEncodeError('non_finite'));
    assert.throws(
      () => encodeDirect({ ...model, specHash: 'a'.repeat(64) }),
      isEncodeError('shape_mismatch'),
    );
    assert.throws(() => encodeDirect({ ...update, cluster: 'no/slash' }), isEncodeError('bad_name'));
    assert.throws(() => encodeAck({ cluster: 'c', round: -1 }), isEncodeError('bad_value'));
    assert.throws(
      () => encodeError({ code: 'Not Snake' as ErrorMsg['code'], message: '' }),
      isEncodeError('bad_value'),
    );
  });
});
