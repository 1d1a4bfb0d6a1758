// Round trips: every message survives encode -> decode unchanged (fast-check properties).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeAck,
  decodeDirect,
  decodeError,
  decodeFetchRequest,
  decodeGossip,
  decodeModelEnvelope,
  decodePeerList,
  decodePeerListRequest,
  decodeUpdateEnvelope,
  encodeAck,
  encodeDirect,
  encodeError,
  encodeFetchRequest,
  encodeGossip,
  encodeModelEnvelope,
  encodePeerList,
  encodePeerListRequest,
  encodeUpdateEnvelope,
  specHash,
  type DirectMessage,
  type FingerprintMsg,
  type GossipMessage,
  type LossReportMsg,
  type ModelEnvelopeMsg,
} from '../src/index.js';
import {
  ackArb,
  codecArb,
  errorArb,
  fetchArb,
  fingerprintArb,
  headLeaseArb,
  heartbeatArb,
  lossReportArb,
  modelAnnounceArb,
  modelArb,
  peerListArb,
  peerListRequestArb,
  roundOpenArb,
  updateArb,
  weightSetArb,
} from './arbitraries.js';
import { fingerprint, lossReport, model, update } from './fixtures.js';

describe('messages', () => {
  describe('gossip round trips (property)', () => {
    const arbs: [string, fc.Arbitrary<GossipMessage>][] = [
      ['fingerprint', fingerprintArb],
      ['heartbeat', heartbeatArb],
      ['head_lease', headLeaseArb],
      ['round_open', roundOpenArb],
      ['model_announce', modelAnnounceArb],
      ['loss_report', lossReportArb],
    ];
    for (const [name, arb] of arbs) {
      it(name, () => {
        fc.assert(
          fc.property(arb, (m) => {
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
    const arbs: [string, fc.Arbitrary<DirectMessage>][] = [
      ['fetch_request', fetchArb],
      ['model', modelArb],
      ['update', updateArb],
      ['ack', ackArb],
      ['error', errorArb],
      ['peer_list_request', peerListRequestArb],
      ['peer_list', peerListArb],
    ];
    for (const [name, arb] of arbs) {
      it(`${name} through encodeDirect / decodeDirect`, () => {
        fc.assert(
          fc.property(arb, (m) => {
            const r = decodeDirect(encodeDirect(m));
            if (!r.ok) assert.fail(`${r.error.code} ${r.error.field}: ${r.error.message}`);
            assert.deepStrictEqual(r.value, m);
          }),
          { numRuns: 150 },
        );
      });
    }

    it('per-kind encoders and decoders agree with the generic ones', () => {
      const strip = <M extends { kind: string }>(m: M): Omit<M, 'kind'> => {
        const { kind: _k, ...rest } = m;
        return rest;
      };
      fc.assert(
        fc.property(
          fetchArb,
          modelArb,
          updateArb,
          ackArb,
          errorArb,
          peerListRequestArb,
          peerListArb,
          (f, m, u, a, e, q, l) => {
            assert.deepStrictEqual(decodeFetchRequest(encodeFetchRequest(strip(f))), { ok: true, value: f });
            assert.deepStrictEqual(decodeModelEnvelope(encodeModelEnvelope(strip(m))), {
              ok: true,
              value: m,
            });
            assert.deepStrictEqual(decodeUpdateEnvelope(encodeUpdateEnvelope(strip(u))), {
              ok: true,
              value: u,
            });
            assert.deepStrictEqual(decodeAck(encodeAck(strip(a))), { ok: true, value: a });
            assert.deepStrictEqual(decodeError(encodeError(strip(e))), { ok: true, value: e });
            assert.deepStrictEqual(decodePeerListRequest(encodePeerListRequest(strip(q))), {
              ok: true,
              value: q,
            });
            assert.deepStrictEqual(decodePeerList(encodePeerList(strip(l))), { ok: true, value: l });
          },
        ),
        { numRuns: 50 },
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

  it('fingerprints keep empty class rows in place and raw-unit feature moments exactly (float32)', () => {
    const m: FingerprintMsg = {
      ...fingerprint,
      numClasses: 3,
      labelHist: [0.5, 0, 0.5],
      classMeans: [[1, 2], [], [3, 4]],
    };
    assert.deepStrictEqual(decodeGossip(encodeGossip(m)), { ok: true, value: m });
    const none: FingerprintMsg = { ...m, sampleCount: 0, labelHist: [0, 0, 0], classMeans: [[], [], []] };
    assert.deepStrictEqual(decodeGossip(encodeGossip(none)), { ok: true, value: none });
    const noSketch: FingerprintMsg = { ...m, classMeans: [], featureMean: [], featureStd: [] };
    assert.deepStrictEqual(decodeGossip(encodeGossip(noSketch)), { ok: true, value: noSketch });
    // Raw units: pixel means 0-255, sensor features from 0.001 to 10,000.
    const raw = [0.001, 0.5, 127.5, 255, 9999.5, 10_000].map(Math.fround);
    const rawStd = [0.0005, 0, 73.9, 120, 2500, 0.001].map(Math.fround);
    const unscaled: FingerprintMsg = { ...fingerprint, featureMean: raw, featureStd: rawStd };
    assert.deepStrictEqual(decodeGossip(encodeGossip(unscaled)), { ok: true, value: unscaled });
  });

  it('loss reports round-trip, including an empty one', () => {
    assert.deepStrictEqual(decodeGossip(encodeGossip(lossReport)), { ok: true, value: lossReport });
    const empty: LossReportMsg = { ...lossReport, candidates: [], losses: [] };
    assert.deepStrictEqual(decodeGossip(encodeGossip(empty)), { ok: true, value: empty });
  });

  it('scopes: global, cluster and warm-up models and fetches', () => {
    for (const scope of [
      { kind: 'global' } as const,
      { kind: 'cluster', cluster: 'c-9_x' } as const,
      { kind: 'warmup', peer: '12D3KooWWarm' } as const,
    ]) {
      const m: ModelEnvelopeMsg = { ...model, scope };
      assert.deepStrictEqual(decodeDirect(encodeDirect(m)), { ok: true, value: m });
      const f = { kind: 'fetch_request', scope, minRound: 3 } as const;
      assert.deepStrictEqual(decodeDirect(encodeDirect(f)), { ok: true, value: f });
    }
  });
});
