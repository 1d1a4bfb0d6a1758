// Hand-written valid messages and raw-frame builders shared by the specs.
import assert from 'node:assert/strict';
import {
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
import { packFloats } from '../src/wire/packed.js';

/** 2024-01-01T00:00:00Z in ms: a plausible send time. */
export const T0 = 1_704_067_200_000;

/** Asserts a failed Result with this code (and field, when given). */
export function expectError<T>(r: Result<T>, code: ErrorCode, field?: string): void {
  assert.equal(r.ok, false, `expected ${code}, got ok`);
  if (!r.ok) {
    assert.equal(r.error.code, code, r.error.message);
    if (field !== undefined) assert.equal(r.error.field, field, r.error.message);
  }
}

export const weights: WeightSet = [
  { name: 'dense_0/kernel', shape: [2, 2], values: new Float32Array([1, 2, 3, 4]) },
  { name: 'dense_0/bias', shape: [2], values: new Float32Array([0.5, -0.5]) },
];

export const fingerprint: FingerprintMsg = {
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
  featureMean: [0.5, 127.5, 9999],
  featureStd: [0.25, 80, 0],
  capacity: 2.5,
  sentAt: T0,
};

export const model: ModelEnvelopeMsg = {
  kind: 'model',
  modelId: 'c1/r7',
  scope: { kind: 'cluster', cluster: 'c1' },
  round: 7,
  term: 2,
  specHash: specHash(weights),
  codec: 'float32',
  weights,
};

export const update: UpdateEnvelopeMsg = {
  kind: 'update',
  cluster: 'c1',
  baseRound: 7,
  term: 2,
  sampleCount: 600,
  specHash: specHash(weights),
  codec: 'float32',
  weights,
};

export const lossReport: LossReportMsg = {
  kind: 'loss_report',
  peerId: '12D3KooWExamplePeer',
  seq: 4,
  round: 1,
  candidates: ['12D3KooWExamplePeer', 'QmOther', 'c1'],
  losses: [0.25, 2.5, 0],
  sentAt: T0,
};

export const gossipFrame = (f: Partial<pb.GossipFrame>): Uint8Array =>
  pb.GossipFrame.encode({ version: 1, ...f });
export const directFrame = (f: Partial<pb.DirectFrame>): Uint8Array =>
  pb.DirectFrame.encode({ version: 1, ...f });

/** A raw fingerprint frame with float arrays given as numbers (packed here) and any field overridden. */
export function pbFingerprint(
  over: Partial<
    Omit<pb.Fingerprint, 'labelHist' | 'projMean' | 'projStd' | 'classMeans' | 'featureMean' | 'featureStd'>
  > &
    Partial<
      Record<'labelHist' | 'projMean' | 'projStd' | 'classMeans' | 'featureMean' | 'featureStd', number[]>
    >,
): Uint8Array {
  const floats = {
    labelHist: [0.25, 0.75],
    projMean: [0.5, -1],
    projStd: [1, 2],
    classMeans: [1, 2, 3, 4],
    featureMean: [0.5, 127.5],
    featureStd: [0.25, 80],
  };
  const { labelHist, projMean, projStd, classMeans, featureMean, featureStd, ...rest } = {
    ...floats,
    ...over,
  };
  return gossipFrame({
    fingerprint: {
      peerId: fingerprint.peerId,
      seq: 3,
      sampleCount: 600,
      inputShape: [28, 28, 1],
      numClasses: 2,
      classDims: 2,
      absentClasses: [],
      capacity: 2.5,
      sentAt: T0,
      ...rest,
      labelHist: packFloats(labelHist),
      projMean: packFloats(projMean),
      projStd: packFloats(projStd),
      classMeans: packFloats(classMeans),
      featureMean: packFloats(featureMean),
      featureStd: packFloats(featureStd),
    },
  });
}
