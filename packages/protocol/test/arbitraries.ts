// fast-check generators for every PPFM message and for WeightSets (shared by the specs).
import fc from 'fast-check';
import {
  DIRECT_ERROR_CODES,
  MAX_CAPACITY,
  MAX_COUNTER,
  MAX_LEASE_MS,
  specHash,
  type AckMsg,
  type Codec,
  type ErrorMsg,
  type FetchRequestMsg,
  type FingerprintMsg,
  type HeadLeaseMsg,
  type HeartbeatMsg,
  type LossReportMsg,
  type ModelAnnounceMsg,
  type ModelEnvelopeMsg,
  type PeerListMsg,
  type PeerListRequestMsg,
  type RoundOpenMsg,
  type Scope,
  type UpdateEnvelopeMsg,
  type WeightSet,
} from '../src/index.js';

export const peerIdArb = fc.stringMatching(/^[A-Za-z0-9]{1,60}$/);
export const clusterIdArb = fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/);
export const modelIdArb = fc.stringMatching(/^[A-Za-z0-9_.:/-]{1,60}$/);
export const uint32Arb = fc.integer({ min: 0, max: 0xffffffff });
/** Terms and rounds: uint32 on the wire, at most 2^31 - 1. */
export const counterArb = fc.integer({ min: 0, max: MAX_COUNTER });
/** Send times: any exactly representable millisecond count. */
export const sentAtArb = fc.maxSafeNat();
export const codecArb: fc.Arbitrary<Codec> = fc.constantFrom('float32', 'float16', 'int8');
export const scopeArb: fc.Arbitrary<Scope> = fc.oneof(
  fc.constant<Scope>({ kind: 'global' }),
  clusterIdArb.map((cluster): Scope => ({ kind: 'cluster', cluster })),
  peerIdArb.map((peer): Scope => ({ kind: 'warmup', peer })),
);
export const viewDigestArb = fc.stringMatching(/^[0-9a-f]{16}$/);
/** Finite float32 values (what survives the wire exactly). */
export const f32Arb = fc.float({ noNaN: true, noDefaultInfinity: true });
const nonNegF32Arb = fc.float({ min: 0, noNaN: true, noDefaultInfinity: true });
const f32Array = (n: number): fc.Arbitrary<number[]> => fc.array(f32Arb, { minLength: n, maxLength: n });

const tensorNameArb = fc.stringMatching(/^[A-Za-z0-9_.:/-]{1,40}$/);

/** WeightSets of up to `maxTensors` tensors, rank 0..3, dims 0..6, arbitrary finite float32 values. */
export function weightSetArb(maxTensors = 5, values: fc.Arbitrary<number> = f32Arb): fc.Arbitrary<WeightSet> {
  return fc
    .uniqueArray(fc.tuple(tensorNameArb, fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 3 })), {
      maxLength: maxTensors,
      selector: ([name]) => name,
    })
    .chain((specs) =>
      fc.tuple(
        ...specs.map(([name, shape]) =>
          fc
            .array(values, {
              minLength: shape.reduce((a, b) => a * b, 1),
              maxLength: shape.reduce((a, b) => a * b, 1),
            })
            .map((v) => ({ name, shape, values: new Float32Array(v) })),
        ),
      ),
    );
}

export const fingerprintArb: fc.Arbitrary<FingerprintMsg> = fc
  .record({
    peerId: peerIdArb,
    seq: uint32Arb,
    sampleCount: uint32Arb,
    inputShape: fc.array(fc.integer({ min: 1, max: 1024 }), { minLength: 1, maxLength: 4 }),
    counts: fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 12 }),
    dims: fc.integer({ min: 0, max: 8 }),
    withClassMeans: fc.boolean(),
    features: fc.integer({ min: 0, max: 40 }),
    capacity: fc.float({ min: 0, max: MAX_CAPACITY, noNaN: true }),
    sentAt: sentAtArb,
  })
  .chain((r) => {
    const total = r.counts.reduce((a, b) => a + b, 0);
    const labelHist = r.counts.map((c) => (total === 0 ? 0 : Math.fround(c / total)));
    const n = r.counts.length;
    const rows = r.withClassMeans ? n : 0;
    return fc
      .record({
        projMean: f32Array(r.dims),
        projStd: fc.array(nonNegF32Arb, { minLength: r.dims, maxLength: r.dims }),
        // Rows are [] for classes without samples, as @ppfm/meta computes them.
        classMeans: fc.tuple(
          ...r.counts.slice(0, rows).map((c) => (c === 0 ? fc.constant([]) : f32Array(r.dims))),
        ),
        featureMean: f32Array(r.features),
        featureStd: fc.array(nonNegF32Arb, { minLength: r.features, maxLength: r.features }),
      })
      .map((s): FingerprintMsg => ({
        kind: 'fingerprint',
        peerId: r.peerId,
        seq: r.seq,
        sampleCount: r.sampleCount,
        inputShape: r.inputShape,
        numClasses: n,
        labelHist,
        projMean: s.projMean,
        projStd: s.projStd,
        classMeans: s.classMeans,
        featureMean: s.featureMean,
        featureStd: s.featureStd,
        capacity: r.capacity,
        sentAt: r.sentAt,
      }));
  });

export const heartbeatArb: fc.Arbitrary<HeartbeatMsg> = fc
  .record(
    {
      peerId: peerIdArb,
      seq: uint32Arb,
      cluster: clusterIdArb,
      role: fc.constantFrom('unassigned' as const, 'member' as const, 'head' as const),
      round: counterArb,
      fingerprintSeq: uint32Arb,
      viewSize: uint32Arb,
      viewDigest: viewDigestArb,
      sentAt: sentAtArb,
    },
    {
      requiredKeys: ['peerId', 'seq', 'role', 'round', 'fingerprintSeq', 'viewSize', 'viewDigest', 'sentAt'],
    },
  )
  .map((r) => ({ kind: 'heartbeat', ...r }));

export const headLeaseArb: fc.Arbitrary<HeadLeaseMsg> = fc
  .record({
    cluster: clusterIdArb,
    head: peerIdArb,
    term: counterArb,
    round: counterArb,
    leaseMs: fc.integer({ min: 0, max: MAX_LEASE_MS }),
    sentAt: sentAtArb,
  })
  .map((r) => ({ kind: 'head_lease', ...r }));

export const specHashArb = fc.stringMatching(/^[0-9a-f]{64}$/);

export const roundOpenArb: fc.Arbitrary<RoundOpenMsg> = fc
  .record({
    cluster: clusterIdArb,
    round: counterArb,
    term: counterArb,
    head: peerIdArb,
    deadlineMs: uint32Arb,
    specHash: specHashArb,
    members: fc.uniqueArray(peerIdArb, { maxLength: 20 }).map((ids) => ids.sort()),
    sentAt: sentAtArb,
  })
  .map((r) => ({ kind: 'round_open', ...r }));

export const modelAnnounceArb: fc.Arbitrary<ModelAnnounceMsg> = fc
  .record({
    cluster: clusterIdArb,
    round: counterArb,
    term: counterArb,
    head: peerIdArb,
    specHash: specHashArb,
    sentAt: sentAtArb,
  })
  .map((r) => ({ kind: 'model_announce', ...r }));

export const modelArb: fc.Arbitrary<ModelEnvelopeMsg> = fc
  .record({
    modelId: modelIdArb,
    scope: scopeArb,
    round: counterArb,
    term: counterArb,
    weights: weightSetArb(),
  })
  .map((r) => ({ kind: 'model', ...r, specHash: specHash(r.weights), codec: 'float32' }));

export const updateArb: fc.Arbitrary<UpdateEnvelopeMsg> = fc
  .record({
    cluster: clusterIdArb,
    baseRound: counterArb,
    term: counterArb,
    sampleCount: uint32Arb,
    weights: weightSetArb(),
  })
  .map((r) => ({ kind: 'update', ...r, specHash: specHash(r.weights), codec: 'float32' }));

export const fetchArb: fc.Arbitrary<FetchRequestMsg> = fc
  .record({ scope: scopeArb, minRound: counterArb, codec: codecArb }, { requiredKeys: ['scope', 'minRound'] })
  .map((r) => ({ kind: 'fetch_request', ...r }));

export const ackArb: fc.Arbitrary<AckMsg> = fc
  .record({ cluster: clusterIdArb, round: counterArb })
  .map((r) => ({ kind: 'ack', ...r }));

export const errorArb: fc.Arbitrary<ErrorMsg> = fc
  .record({ code: fc.constantFrom(...DIRECT_ERROR_CODES), message: fc.string({ maxLength: 200 }) })
  .map((r) => ({ kind: 'error', ...r }));

export const peerListRequestArb: fc.Arbitrary<PeerListRequestMsg> = fc
  .integer({ min: 1, max: 256 })
  .map((max) => ({ kind: 'peer_list_request', max }));

/** Peer lists: distinct ids, 0..8 non-empty binary addresses each. */
export const peerListArb: fc.Arbitrary<PeerListMsg> = fc
  .uniqueArray(
    fc.record({
      id: peerIdArb,
      addrs: fc.array(fc.uint8Array({ minLength: 1, maxLength: 64 }), { maxLength: 8 }),
    }),
    { maxLength: 20, selector: (p) => p.id },
  )
  .map((peers) => ({ kind: 'peer_list', peers }));

/** Loss reports: distinct peer or cluster ids as candidates, one finite non-negative float32 loss each. */
export const lossReportArb: fc.Arbitrary<LossReportMsg> = fc
  .record({
    peerId: peerIdArb,
    seq: uint32Arb,
    round: counterArb,
    sentAt: sentAtArb,
    scored: fc.uniqueArray(fc.tuple(fc.oneof(peerIdArb, clusterIdArb), nonNegF32Arb), {
      maxLength: 12,
      selector: ([id]) => id,
    }),
  })
  .map((r) => ({
    kind: 'loss_report',
    peerId: r.peerId,
    seq: r.seq,
    round: r.round,
    candidates: r.scored.map(([id]) => id),
    losses: r.scored.map(([, loss]) => loss),
    sentAt: r.sentAt,
  }));

/** Deterministic mulberry32 generator for the fuzz test. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
