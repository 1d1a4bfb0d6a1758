// PPFM messages: TypeScript discriminated unions over the protons-generated schema
// (pb/messages.proto). Gossip messages travel in a GossipFrame, direct-stream messages in a
// DirectFrame; each frame carries the protocol version and exactly one body.
import { MaxLengthError } from 'protons-runtime';
import { fail, ok, unwrapOrThrow, type ErrorCode, type Result } from './errors.js';
import { checkClusterId, checkErrorCode, checkModelId, checkPeerId, checkSpecHash } from './ids.js';
import { resolveLimits, type Limits } from './limits.js';
import * as pb from './pb/messages.pb.js';
import { scanMessage } from './wire-scan.js';
import { CODECS, decodeWeightsBlob, encodeWeights, type Codec } from './weights-codec.js';
import { specHash, type WeightSet } from './weights.js';

/** Wire protocol version written in every frame; frames with any other version are rejected. */
export const PROTOCOL_VERSION = 1;

/** A peer's role in its cluster as announced in heartbeats. */
export type Role = 'unassigned' | 'member' | 'head';

/** What a model belongs to: one cluster, or the global model shared by all heads. */
export type Scope = { kind: 'global' } | { kind: 'cluster'; cluster: string };

/** A peer's data fingerprint (see @ppfm/meta computeFingerprint); floats travel as float32. */
export interface FingerprintMsg {
  kind: 'fingerprint';
  peerId: string;
  /** Increases whenever the peer's fingerprint changes. */
  seq: number;
  sampleCount: number;
  inputShape: number[];
  numClasses: number;
  /** Normalised label histogram: numClasses entries in [0, 1] summing to 1 (or all 0 for no data). */
  labelHist: number[];
  /** Input-moment sketch: mean and std of each seeded projection dimension. */
  projMean: number[];
  projStd: number[];
  /**
   * Class-conditional sketch: no rows, or numClasses rows of projected means, each [] (class has
   * no samples) or of one common length.
   */
  classMeans: number[][];
  /** Capacity score used for head election (higher is better), finite and >= 0. */
  capacity: number;
}

/**
 * Loss-based cluster refinement (IFCA rule): the sender's loss of each candidate model (a peer's
 * warm-up model or a cluster model, named by peer or cluster id) on its own training split.
 * losses[i] belongs to candidates[i]; ids are distinct, losses finite and >= 0 (float32 on the wire).
 */
export interface LossReportMsg {
  kind: 'loss_report';
  peerId: string;
  /** Increases with every report the sender publishes; receivers keep the latest. */
  seq: number;
  /** The round whose models were scored (the warm-up round for peer candidates). */
  round: number;
  candidates: string[];
  losses: number[];
}

/** Liveness beacon on the fingerprints topic. */
export interface HeartbeatMsg {
  kind: 'heartbeat';
  peerId: string;
  seq: number;
  cluster?: string;
  role: Role;
  round: number;
  /** seq of the sender's latest fingerprint, so receivers notice a missed one. */
  fingerprintSeq: number;
}

/** A head's lease on its cluster; valid for leaseMs after receipt (relative: no clock sync needed). */
export interface HeadLeaseMsg {
  kind: 'head_lease';
  cluster: string;
  head: string;
  term: number;
  round: number;
  leaseMs: number;
}

/** A head opens a round; members have deadlineMs (relative) to push updates against specHash. */
export interface RoundOpenMsg {
  kind: 'round_open';
  cluster: string;
  round: number;
  term: number;
  head: string;
  deadlineMs: number;
  specHash: string;
}

/** A cluster or global model. specHash must equal specHash(weights). */
export interface ModelEnvelopeMsg {
  kind: 'model';
  modelId: string;
  scope: Scope;
  round: number;
  term: number;
  specHash: string;
  codec: Codec;
  weights: WeightSet;
}

/** A member's weight difference (phi_i - theta_c) for a round. specHash must equal specHash(weights). */
export interface UpdateEnvelopeMsg {
  kind: 'update';
  cluster: string;
  baseRound: number;
  term: number;
  sampleCount: number;
  specHash: string;
  codec: Codec;
  weights: WeightSet;
}

/** Asks a head for a model of `scope` at round >= minRound, optionally in a preferred codec. */
export interface FetchRequestMsg {
  kind: 'fetch_request';
  scope: Scope;
  minRound: number;
  codec?: Codec;
}

/** Positive reply on a direct stream. */
export interface AckMsg {
  kind: 'ack';
  cluster: string;
  round: number;
}

/** Negative reply on a direct stream; `code` is snake_case (see DIRECT_ERROR_CODES). */
export interface ErrorMsg {
  kind: 'error';
  code: string;
  message: string;
}

/** Error codes a peer sends in ErrorMsg; receivers must tolerate others (forward compatibility). */
export const DIRECT_ERROR_CODES = [
  'not_found',
  'not_head',
  'stale_round',
  'wrong_term',
  'wrong_spec',
  'busy',
  'rejected',
  'internal',
] as const;

/** Everything published on gossip topics. */
export type GossipMessage =
  FingerprintMsg | HeartbeatMsg | HeadLeaseMsg | RoundOpenMsg | ModelEnvelopeMsg | LossReportMsg;
/** Everything sent on direct streams (requests and replies). */
export type DirectMessage = FetchRequestMsg | ModelEnvelopeMsg | UpdateEnvelopeMsg | AckMsg | ErrorMsg;
/** Extra checks a receiver can ask of a decoded model or update. */
export interface Expect {
  /** Reject (shape_mismatch) a model/update whose spec hash differs. */
  specHash?: string;
}

const ROLE_TO_PB: Record<Role, pb.Role> = {
  unassigned: pb.Role.ROLE_UNASSIGNED,
  member: pb.Role.ROLE_MEMBER,
  head: pb.Role.ROLE_HEAD,
};
const CODEC_TO_PB: Record<Codec, pb.CodecId> = {
  float32: pb.CodecId.CODEC_FLOAT32,
  float16: pb.CodecId.CODEC_FLOAT16,
  int8: pb.CodecId.CODEC_INT8,
};

// Body field numbers (see messages.proto) and which of them carry a weights blob (field 6 inside).
const GOSSIP_BODIES: Record<number, GossipMessage['kind']> = {
  2: 'fingerprint',
  3: 'heartbeat',
  4: 'head_lease',
  5: 'round_open',
  6: 'model',
  7: 'loss_report',
};
const DIRECT_BODIES: Record<number, DirectMessage['kind']> = {
  2: 'fetch_request',
  3: 'model',
  4: 'update',
  5: 'ack',
  6: 'error',
};
const WEIGHTS_FIELD = 6;

// ---------------------------------------------------------------- validation helpers

type Ok<T> = { ok: true; value: T };
type Fail = { ok: false; error: { code: ErrorCode; message: string; field?: string } };

function isFail<T>(r: Result<T>): r is Fail {
  return !r.ok;
}

function checkUint(v: unknown, field: string): Result<number> {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    return fail('bad_value', 'not a uint32', field);
  }
  return ok(v);
}

function checkFloats(v: unknown, field: string, max: number, nonNegative = false): Result<number[]> {
  if (!Array.isArray(v)) return fail('malformed', 'not an array', field);
  if (v.length > max) return fail('too_large', `more than ${max} values`, field);
  for (const x of v) {
    if (typeof x !== 'number') return fail('malformed', 'not a number', field);
    if (!Number.isFinite(x) || !Number.isFinite(Math.fround(x)))
      return fail('non_finite', 'NaN or Infinity', field);
    if (nonNegative && x < 0) return fail('bad_value', 'negative value', field);
  }
  return ok(v as number[]);
}

function checkScope(cluster: string | undefined, lim: Limits, field = 'cluster'): Result<Scope> {
  if (cluster === undefined) return ok({ kind: 'global' });
  const c = checkClusterId(cluster, lim.maxStringLength, field);
  return c.ok ? ok({ kind: 'cluster', cluster: c.value }) : c;
}

function scopeToPb(s: Scope): string | undefined {
  return s.kind === 'global' ? undefined : s.cluster;
}

function roleFromPb(r: unknown): Result<Role> {
  if (r === pb.Role.ROLE_UNASSIGNED || r === 'ROLE_UNASSIGNED') return ok('unassigned');
  if (r === pb.Role.ROLE_MEMBER || r === 'ROLE_MEMBER') return ok('member');
  if (r === pb.Role.ROLE_HEAD || r === 'ROLE_HEAD') return ok('head');
  return fail('bad_value', 'unknown role', 'role');
}

function codecFromPb(c: unknown): Result<Codec> {
  for (const name of CODECS) {
    const id = CODEC_TO_PB[name];
    if (c === id || c === String(id)) return ok(name);
  }
  return fail('unknown_kind', 'unknown codec', 'codec');
}

// ---------------------------------------------------------------- per-message pb -> TS

function fromPbFingerprint(m: pb.Fingerprint, lim: Limits): Result<FingerprintMsg> {
  const peerId = checkPeerId(m.peerId, lim.maxStringLength);
  if (isFail(peerId)) return peerId;
  for (const [v, f] of [
    [m.seq, 'seq'],
    [m.sampleCount, 'sampleCount'],
    [m.numClasses, 'numClasses'],
    [m.classDims, 'classDims'],
  ] as const) {
    const r = checkUint(v, f);
    if (isFail(r)) return r;
  }
  if (m.inputShape.length > lim.maxInputRank) return fail('too_large', 'input rank too high', 'inputShape');
  if (m.inputShape.length === 0) return fail('bad_value', 'empty input shape', 'inputShape');
  for (const d of m.inputShape) {
    if (!Number.isInteger(d) || d < 1) return fail('bad_value', 'input dimension < 1', 'inputShape');
  }
  if (m.numClasses > lim.maxClasses) return fail('too_large', 'too many classes', 'numClasses');
  const hist = checkFloats(m.labelHist, 'labelHist', lim.maxClasses, true);
  if (isFail(hist)) return hist;
  if (hist.value.length !== m.numClasses) {
    return fail('shape_mismatch', 'labelHist length differs from numClasses', 'labelHist');
  }
  let sum = 0;
  for (const x of hist.value) {
    if (x > 1) return fail('bad_value', 'histogram entry above 1', 'labelHist');
    sum += x;
  }
  if (sum !== 0 && Math.abs(sum - 1) > 1e-3)
    return fail('bad_value', 'histogram does not sum to 1', 'labelHist');
  const mean = checkFloats(m.projMean, 'projMean', lim.maxSketchDims);
  if (isFail(mean)) return mean;
  const std = checkFloats(m.projStd, 'projStd', lim.maxSketchDims, true);
  if (isFail(std)) return std;
  if (std.value.length !== mean.value.length) {
    return fail('shape_mismatch', 'projStd and projMean lengths differ', 'projStd');
  }
  if (m.classDims > lim.maxSketchDims) return fail('too_large', 'class sketch dims too high', 'classDims');
  const flat = checkFloats(m.classMeans, 'classMeans', lim.maxClassSketch);
  if (isFail(flat)) return flat;
  const rows = classRows(flat.value, m.absentClasses, m.classDims, m.numClasses);
  if (isFail(rows)) return rows;
  if (!Number.isFinite(m.capacity)) return fail('non_finite', 'capacity is not finite', 'capacity');
  if (m.capacity < 0) return fail('bad_value', 'negative capacity', 'capacity');
  return ok({
    kind: 'fingerprint',
    peerId: peerId.value,
    seq: m.seq,
    sampleCount: m.sampleCount,
    inputShape: [...m.inputShape],
    numClasses: m.numClasses,
    labelHist: hist.value,
    projMean: mean.value,
    projStd: std.value,
    classMeans: rows.value,
    capacity: m.capacity,
  });
}

/**
 * Rebuilds the class-conditional sketch: no rows at all, or numClasses rows where the classes listed
 * in `absent` (strictly increasing) are [] and every other row is classDims long.
 */
function classRows(flat: number[], absent: number[], dims: number, numClasses: number): Result<number[][]> {
  if (flat.length === 0 && absent.length === 0) {
    if (dims !== 0 && numClasses !== 0)
      return fail('shape_mismatch', 'classDims set but no class rows', 'classMeans');
    return ok([]);
  }
  for (let i = 0; i < absent.length; i++) {
    const c = absent[i] as number;
    if (c >= numClasses || (i > 0 && c <= (absent[i - 1] as number))) {
      return fail('bad_value', 'absentClasses not increasing class indices', 'absentClasses');
    }
  }
  const present = numClasses - absent.length;
  if ((present > 0 && dims === 0) || flat.length !== present * dims) {
    return fail('shape_mismatch', 'classMeans is not (numClasses - absent) x classDims', 'classMeans');
  }
  const rows: number[][] = [];
  let a = 0;
  let at = 0;
  for (let c = 0; c < numClasses; c++) {
    if (absent[a] === c) {
      rows.push([]);
      a++;
    } else {
      rows.push(flat.slice(at, at + dims));
      at += dims;
    }
  }
  return ok(rows);
}

function toPbFingerprint(m: FingerprintMsg): pb.Fingerprint {
  if (!Array.isArray(m.classMeans))
    unwrapOrThrow(fail('malformed', 'classMeans is not an array', 'classMeans'));
  // Rows are [] for classes without samples (as @ppfm/meta computes them) or all the same length.
  const dims = m.classMeans.find((r) => Array.isArray(r) && r.length > 0)?.length ?? 0;
  const absentClasses: number[] = [];
  const classMeans: number[] = [];
  if (m.classMeans.length > 0 && m.classMeans.length !== m.numClasses) {
    unwrapOrThrow(fail('shape_mismatch', 'classMeans needs one row per class', 'classMeans'));
  }
  m.classMeans.forEach((row, c) => {
    if (!Array.isArray(row) || (row.length !== 0 && row.length !== dims)) {
      unwrapOrThrow(fail('shape_mismatch', 'classMeans rows differ in length', 'classMeans'));
    }
    if (row.length === 0) absentClasses.push(c);
    else classMeans.push(...row);
  });
  return {
    peerId: m.peerId,
    seq: m.seq,
    sampleCount: m.sampleCount,
    inputShape: m.inputShape,
    numClasses: m.numClasses,
    labelHist: m.labelHist,
    projMean: m.projMean,
    projStd: m.projStd,
    classDims: dims,
    classMeans,
    capacity: m.capacity,
    absentClasses,
  };
}

function fromPbHeartbeat(m: pb.Heartbeat, lim: Limits): Result<HeartbeatMsg> {
  const peerId = checkPeerId(m.peerId, lim.maxStringLength);
  if (isFail(peerId)) return peerId;
  const role = roleFromPb(m.role);
  if (isFail(role)) return role;
  for (const [v, f] of [
    [m.seq, 'seq'],
    [m.round, 'round'],
    [m.fingerprintSeq, 'fingerprintSeq'],
  ] as const) {
    const r = checkUint(v, f);
    if (isFail(r)) return r;
  }
  const out: HeartbeatMsg = {
    kind: 'heartbeat',
    peerId: peerId.value,
    seq: m.seq,
    role: role.value,
    round: m.round,
    fingerprintSeq: m.fingerprintSeq,
  };
  if (m.cluster !== undefined) {
    const c = checkClusterId(m.cluster, lim.maxStringLength);
    if (isFail(c)) return c;
    out.cluster = c.value;
  }
  return ok(out);
}

function toPbHeartbeat(m: HeartbeatMsg): pb.Heartbeat {
  const out: pb.Heartbeat = {
    peerId: m.peerId,
    seq: m.seq,
    role: ROLE_TO_PB[m.role],
    round: m.round,
    fingerprintSeq: m.fingerprintSeq,
  };
  if (m.cluster !== undefined) out.cluster = m.cluster;
  return out;
}

function fromPbHeadLease(m: pb.HeadLease, lim: Limits): Result<HeadLeaseMsg> {
  const cluster = checkClusterId(m.cluster, lim.maxStringLength);
  if (isFail(cluster)) return cluster;
  const head = checkPeerId(m.head, lim.maxStringLength, 'head');
  if (isFail(head)) return head;
  for (const [v, f] of [
    [m.term, 'term'],
    [m.round, 'round'],
    [m.leaseMs, 'leaseMs'],
  ] as const) {
    const r = checkUint(v, f);
    if (isFail(r)) return r;
  }
  return ok({
    kind: 'head_lease',
    cluster: cluster.value,
    head: head.value,
    term: m.term,
    round: m.round,
    leaseMs: m.leaseMs,
  });
}

function fromPbRoundOpen(m: pb.RoundOpen, lim: Limits): Result<RoundOpenMsg> {
  const cluster = checkClusterId(m.cluster, lim.maxStringLength);
  if (isFail(cluster)) return cluster;
  const head = checkPeerId(m.head, lim.maxStringLength, 'head');
  if (isFail(head)) return head;
  const hash = checkSpecHash(m.specHash);
  if (isFail(hash)) return hash;
  for (const [v, f] of [
    [m.term, 'term'],
    [m.round, 'round'],
    [m.deadlineMs, 'deadlineMs'],
  ] as const) {
    const r = checkUint(v, f);
    if (isFail(r)) return r;
  }
  return ok({
    kind: 'round_open',
    cluster: cluster.value,
    round: m.round,
    term: m.term,
    head: head.value,
    deadlineMs: m.deadlineMs,
    specHash: hash.value,
  });
}

function fromPbLossReport(m: pb.LossReport, lim: Limits): Result<LossReportMsg> {
  const peerId = checkPeerId(m.peerId, lim.maxStringLength);
  if (isFail(peerId)) return peerId;
  for (const [v, f] of [
    [m.seq, 'seq'],
    [m.round, 'round'],
  ] as const) {
    const r = checkUint(v, f);
    if (isFail(r)) return r;
  }
  if (!Array.isArray(m.candidates)) return fail('malformed', 'not an array', 'candidates');
  if (m.candidates.length > lim.maxLossCandidates) {
    return fail('too_large', `more than ${lim.maxLossCandidates} candidates`, 'candidates');
  }
  const seen = new Set<string>();
  for (const c of m.candidates) {
    // Cluster ids are a superset of peer ids, so one rule admits both kinds of candidate.
    const id = checkClusterId(c, lim.maxStringLength, 'candidates');
    if (isFail(id)) return id;
    if (seen.has(c)) return fail('bad_name', 'duplicate candidate id', 'candidates');
    seen.add(c);
  }
  const losses = checkFloats(m.losses, 'losses', lim.maxLossCandidates, true);
  if (isFail(losses)) return losses;
  if (losses.value.length !== m.candidates.length) {
    return fail('shape_mismatch', 'losses and candidates lengths differ', 'losses');
  }
  return ok({
    kind: 'loss_report',
    peerId: peerId.value,
    seq: m.seq,
    round: m.round,
    candidates: [...m.candidates],
    losses: [...losses.value],
  });
}

/** Checks an envelope's declared spec hash against its weights and the receiver's expectation. */
/** Decodes an envelope's weights blob and checks it against the declared and the expected spec hash. */
function checkTensors(
  declared: string,
  blob: Uint8Array,
  lim: Limits,
  expect: Expect | undefined,
  what: 'model' | 'update',
): Result<{ specHash: string; codec: Codec; weights: WeightSet }> {
  const pre = checkSpecHash(declared);
  if (isFail(pre)) return pre;
  // Cheap rejection before touching the tensors.
  if (expect?.specHash !== undefined && expect.specHash !== pre.value) {
    return fail('shape_mismatch', `${what} spec differs from the expected one`, 'specHash');
  }
  const w = decodeWeightsBlob(blob, lim);
  if (isFail(w)) return w;
  if (specHash(w.value.weights) !== pre.value) {
    return fail('shape_mismatch', 'declared spec hash does not match the tensors', 'specHash');
  }
  return ok({ specHash: pre.value, codec: w.value.codec, weights: w.value.weights });
}

/** Encoders refuse an envelope whose declared spec hash does not describe its tensors. */
function assertSpecHash(m: { specHash: string; weights: WeightSet }): void {
  if (m.specHash !== specHash(m.weights)) {
    unwrapOrThrow(fail('shape_mismatch', 'specHash does not match the tensors', 'specHash'));
  }
}

function fromPbModel(m: pb.ModelEnvelope, lim: Limits, expect?: Expect): Result<ModelEnvelopeMsg> {
  const modelId = checkModelId(m.modelId, lim.maxStringLength);
  if (isFail(modelId)) return modelId;
  const scope = checkScope(m.cluster, lim);
  if (isFail(scope)) return scope;
  for (const [v, f] of [
    [m.round, 'round'],
    [m.term, 'term'],
  ] as const) {
    const r = checkUint(v, f);
    if (isFail(r)) return r;
  }
  const t = checkTensors(m.specHash, m.weights, lim, expect, 'model');
  if (isFail(t)) return t;
  return ok({
    kind: 'model',
    modelId: modelId.value,
    scope: scope.value,
    round: m.round,
    term: m.term,
    ...t.value,
  });
}

function toPbModel(m: ModelEnvelopeMsg): pb.ModelEnvelope {
  assertSpecHash(m);
  const out: pb.ModelEnvelope = {
    modelId: m.modelId,
    round: m.round,
    term: m.term,
    specHash: m.specHash,
    weights: encodeWeights(m.weights, m.codec),
  };
  const cluster = scopeToPb(m.scope);
  if (cluster !== undefined) out.cluster = cluster;
  return out;
}

function fromPbUpdate(m: pb.UpdateEnvelope, lim: Limits, expect?: Expect): Result<UpdateEnvelopeMsg> {
  const cluster = checkClusterId(m.cluster, lim.maxStringLength);
  if (isFail(cluster)) return cluster;
  for (const [v, f] of [
    [m.baseRound, 'baseRound'],
    [m.term, 'term'],
    [m.sampleCount, 'sampleCount'],
  ] as const) {
    const r = checkUint(v, f);
    if (isFail(r)) return r;
  }
  const t = checkTensors(m.specHash, m.weights, lim, expect, 'update');
  if (isFail(t)) return t;
  return ok({
    kind: 'update',
    cluster: cluster.value,
    baseRound: m.baseRound,
    term: m.term,
    sampleCount: m.sampleCount,
    ...t.value,
  });
}

function toPbUpdate(m: UpdateEnvelopeMsg): pb.UpdateEnvelope {
  assertSpecHash(m);
  return {
    cluster: m.cluster,
    baseRound: m.baseRound,
    term: m.term,
    sampleCount: m.sampleCount,
    specHash: m.specHash,
    weights: encodeWeights(m.weights, m.codec),
  };
}

function fromPbFetch(m: pb.FetchRequest, lim: Limits): Result<FetchRequestMsg> {
  const scope = checkScope(m.cluster, lim);
  if (isFail(scope)) return scope;
  const r = checkUint(m.minRound, 'minRound');
  if (isFail(r)) return r;
  const out: FetchRequestMsg = { kind: 'fetch_request', scope: scope.value, minRound: m.minRound };
  if (m.codec !== undefined) {
    const c = codecFromPb(m.codec);
    if (isFail(c)) return c;
    out.codec = c.value;
  }
  return ok(out);
}

function toPbFetch(m: FetchRequestMsg): pb.FetchRequest {
  const out: pb.FetchRequest = { minRound: m.minRound };
  const cluster = scopeToPb(m.scope);
  if (cluster !== undefined) out.cluster = cluster;
  if (m.codec !== undefined) out.codec = CODEC_TO_PB[m.codec];
  return out;
}

function fromPbAck(m: pb.Ack, lim: Limits): Result<AckMsg> {
  const cluster = checkClusterId(m.cluster, lim.maxStringLength);
  if (isFail(cluster)) return cluster;
  const r = checkUint(m.round, 'round');
  if (isFail(r)) return r;
  return ok({ kind: 'ack', cluster: cluster.value, round: m.round });
}

function fromPbError(m: pb.ErrorReply, lim: Limits): Result<ErrorMsg> {
  const code = checkErrorCode(m.code, lim.maxStringLength);
  if (isFail(code)) return code;
  if (typeof m.message !== 'string') return fail('malformed', 'message is not a string', 'message');
  if (m.message.length > lim.maxMessageLength) return fail('too_large', 'error message too long', 'message');
  return ok({ kind: 'error', code: code.value, message: m.message });
}

// ---------------------------------------------------------------- frame scanning

interface FrameInfo {
  version: number;
  body: number | undefined;
}

/**
 * Walks the frame and its body on the wire before protons allocates anything: exactly one body,
 * control messages within maxControlBytes, every string/bytes field within its limit.
 */
function scanFrame(
  bytes: Uint8Array,
  lim: Limits,
  bodies: Record<number, string>,
  weightBodies: ReadonlySet<number>,
): Result<FrameInfo> {
  if (!(bytes instanceof Uint8Array)) return fail('malformed', 'not bytes');
  if (bytes.length > lim.maxBytes) return fail('too_large', `${bytes.length} bytes exceeds ${lim.maxBytes}`);
  const top = scanMessage(bytes, 0, bytes.length, 64);
  if (isFail(top)) return top;
  let version = 0;
  let body: { field: number; start: number; end: number } | undefined;
  for (const f of top.value) {
    if (f.field === 1) {
      if (f.wireType !== 0) return fail('malformed', 'version has the wrong wire type', 'version');
      // Re-read the varint value from the bytes: scanMessage already proved it terminates.
      version = readSmallVarint(bytes, f.start, f.end);
    } else if (bodies[f.field] !== undefined) {
      if (f.wireType !== 2) return fail('malformed', 'message body has the wrong wire type', 'body');
      if (body !== undefined && body.field !== f.field)
        return fail('malformed', 'more than one message body');
      body = f;
    }
  }
  if (version !== PROTOCOL_VERSION) return fail('unknown_version', `protocol version ${version}`, 'version');
  if (body === undefined) return ok({ version, body: undefined });
  const carriesWeights = weightBodies.has(body.field);
  if (!carriesWeights && bytes.length > lim.maxControlBytes) {
    return fail('too_large', `${bytes.length} bytes exceeds ${lim.maxControlBytes} for a control message`);
  }
  // Fingerprints and loss reports repeat scalars unpacked, one field each: bound the field count by
  // the sketch and candidate limits.
  const maxFields =
    32 +
    lim.maxInputRank +
    2 * lim.maxClasses +
    2 * lim.maxSketchDims +
    lim.maxClassSketch +
    2 * lim.maxLossCandidates;
  const inner = scanMessage(bytes, body.start, body.end, maxFields);
  if (isFail(inner)) return fail(inner.error.code, inner.error.message, bodies[body.field]);
  // Limits count UTF-16 units (checked after decoding); one unit is at most 3 UTF-8 bytes on the wire.
  const maxString = 3 * Math.max(lim.maxStringLength, lim.maxMessageLength);
  for (const f of inner.value) {
    if (f.wireType !== 2 || (carriesWeights && f.field === WEIGHTS_FIELD)) continue;
    if (f.end - f.start > maxString) {
      return fail('too_large', `field ${f.field} of ${bodies[body.field]} exceeds ${maxString} bytes`);
    }
  }
  return ok({ version, body: body.field });
}

function readSmallVarint(b: Uint8Array, start: number, end: number): number {
  let v = 0;
  let mul = 1;
  for (let i = start; i < end; i++) {
    v += ((b[i] as number) & 0x7f) * mul;
    mul *= 128;
  }
  return v;
}

function protonsFailure(e: unknown): Fail {
  if (e instanceof MaxLengthError) return fail('too_large', e.message) as Fail;
  return fail('malformed', `protobuf decode failed: ${(e as Error)?.message ?? String(e)}`) as Fail;
}

function repeatedLimits(lim: Limits): Record<string, number> {
  return {
    inputShape: lim.maxInputRank,
    labelHist: lim.maxClasses,
    projMean: lim.maxSketchDims,
    projStd: lim.maxSketchDims,
    classMeans: lim.maxClassSketch,
    absentClasses: lim.maxClasses,
  };
}

// ---------------------------------------------------------------- gossip

const GOSSIP_WEIGHT_BODIES = new Set([6]);
const DIRECT_WEIGHT_BODIES = new Set([3, 4]);

/** Encodes a gossip message into a versioned GossipFrame; throws ProtocolEncodeError if it would not decode. */
export function encodeGossip(m: GossipMessage): Uint8Array {
  const frame: pb.GossipFrame = { version: PROTOCOL_VERSION };
  const lim = resolveLimits();
  switch (m.kind) {
    case 'fingerprint':
      frame.fingerprint = toPbFingerprint(m);
      unwrapOrThrow(fromPbFingerprint(frame.fingerprint, lim));
      break;
    case 'heartbeat':
      frame.heartbeat = toPbHeartbeat(m);
      unwrapOrThrow(fromPbHeartbeat(frame.heartbeat, lim));
      break;
    case 'head_lease':
      frame.headLease = {
        cluster: m.cluster,
        head: m.head,
        term: m.term,
        round: m.round,
        leaseMs: m.leaseMs,
      };
      unwrapOrThrow(fromPbHeadLease(frame.headLease, lim));
      break;
    case 'round_open':
      frame.roundOpen = {
        cluster: m.cluster,
        round: m.round,
        term: m.term,
        head: m.head,
        deadlineMs: m.deadlineMs,
        specHash: m.specHash,
      };
      unwrapOrThrow(fromPbRoundOpen(frame.roundOpen, lim));
      break;
    case 'model':
      frame.model = toPbModel(m);
      unwrapOrThrow(checkModelHeader(frame.model, lim));
      break;
    case 'loss_report':
      frame.lossReport = {
        peerId: m.peerId,
        seq: m.seq,
        round: m.round,
        candidates: m.candidates,
        losses: m.losses,
      };
      unwrapOrThrow(fromPbLossReport(frame.lossReport, lim));
      break;
    default:
      unwrapOrThrow(fail('unknown_kind', `unknown gossip kind ${(m as { kind: unknown }).kind}`, 'kind'));
  }
  return pb.GossipFrame.encode(frame);
}

/** Header checks of a model envelope without decoding its weights (encoder side). */
function checkModelHeader(m: pb.ModelEnvelope, lim: Limits): Result<true> {
  const id = checkModelId(m.modelId, lim.maxStringLength);
  if (isFail(id)) return id;
  const scope = checkScope(m.cluster, lim);
  if (isFail(scope)) return scope;
  for (const [v, f] of [
    [m.round, 'round'],
    [m.term, 'term'],
  ] as const) {
    const r = checkUint(v, f);
    if (isFail(r)) return r;
  }
  return ok(true);
}

/** Decodes a gossip frame. Never throws; typed error for anything invalid (see README, error codes). */
export function decodeGossip(
  bytes: Uint8Array,
  limits?: Partial<Limits>,
  expect?: Expect,
): Result<GossipMessage> {
  try {
    const lim = resolveLimits(limits);
    const info = scanFrame(bytes, lim, GOSSIP_BODIES, GOSSIP_WEIGHT_BODIES);
    if (isFail(info)) return info;
    if (info.value.body === undefined)
      return fail('unknown_kind', 'gossip frame has no known message body', 'body');
    let frame: pb.GossipFrame;
    try {
      frame = pb.GossipFrame.decode(bytes, {
        limits: {
          fingerprint: repeatedLimits(lim),
          lossReport: { candidates: lim.maxLossCandidates, losses: lim.maxLossCandidates },
        },
      });
    } catch (e) {
      return protonsFailure(e);
    }
    if (frame.fingerprint !== undefined) return fromPbFingerprint(frame.fingerprint, lim);
    if (frame.heartbeat !== undefined) return fromPbHeartbeat(frame.heartbeat, lim);
    if (frame.headLease !== undefined) return fromPbHeadLease(frame.headLease, lim);
    if (frame.roundOpen !== undefined) return fromPbRoundOpen(frame.roundOpen, lim);
    if (frame.model !== undefined) return fromPbModel(frame.model, lim, expect);
    if (frame.lossReport !== undefined) return fromPbLossReport(frame.lossReport, lim);
    return fail('unknown_kind', 'gossip frame has no message body', 'body');
  } catch (e) {
    // Defensive net: validation code is written not to throw, but a decoder must never throw.
    return fail('malformed', `unexpected decode failure: ${(e as Error)?.message ?? String(e)}`);
  }
}

// ---------------------------------------------------------------- direct streams

/** Encodes a direct-stream message into a versioned DirectFrame; throws ProtocolEncodeError if invalid. */
export function encodeDirect(m: DirectMessage): Uint8Array {
  const frame: pb.DirectFrame = { version: PROTOCOL_VERSION };
  const lim = resolveLimits();
  switch (m.kind) {
    case 'fetch_request':
      frame.fetchRequest = toPbFetch(m);
      unwrapOrThrow(fromPbFetch(frame.fetchRequest, lim));
      break;
    case 'model':
      frame.model = toPbModel(m);
      unwrapOrThrow(checkModelHeader(frame.model, lim));
      break;
    case 'update':
      frame.update = toPbUpdate(m);
      unwrapOrThrow(checkClusterId(m.cluster, lim.maxStringLength));
      for (const [v, f] of [
        [m.baseRound, 'baseRound'],
        [m.term, 'term'],
        [m.sampleCount, 'sampleCount'],
      ] as const) {
        unwrapOrThrow(checkUint(v, f));
      }
      break;
    case 'ack':
      frame.ack = { cluster: m.cluster, round: m.round };
      unwrapOrThrow(fromPbAck(frame.ack, lim));
      break;
    case 'error':
      frame.error = { code: m.code, message: m.message };
      unwrapOrThrow(fromPbError(frame.error, lim));
      break;
    default:
      unwrapOrThrow(fail('unknown_kind', `unknown direct kind ${(m as { kind: unknown }).kind}`, 'kind'));
  }
  return pb.DirectFrame.encode(frame);
}

/** Decodes any direct-stream frame (request or reply). Never throws. */
export function decodeDirect(
  bytes: Uint8Array,
  limits?: Partial<Limits>,
  expect?: Expect,
): Result<DirectMessage> {
  try {
    const lim = resolveLimits(limits);
    const info = scanFrame(bytes, lim, DIRECT_BODIES, DIRECT_WEIGHT_BODIES);
    if (isFail(info)) return info;
    if (info.value.body === undefined)
      return fail('unknown_kind', 'direct frame has no known message body', 'body');
    let frame: pb.DirectFrame;
    try {
      frame = pb.DirectFrame.decode(bytes);
    } catch (e) {
      return protonsFailure(e);
    }
    if (frame.fetchRequest !== undefined) return fromPbFetch(frame.fetchRequest, lim);
    if (frame.model !== undefined) return fromPbModel(frame.model, lim, expect);
    if (frame.update !== undefined) return fromPbUpdate(frame.update, lim, expect);
    if (frame.ack !== undefined) return fromPbAck(frame.ack, lim);
    if (frame.error !== undefined) return fromPbError(frame.error, lim);
    return fail('unknown_kind', 'direct frame has no message body', 'body');
  } catch (e) {
    return fail('malformed', `unexpected decode failure: ${(e as Error)?.message ?? String(e)}`);
  }
}

function decodeKind<K extends DirectMessage['kind']>(
  kind: K,
  bytes: Uint8Array,
  limits?: Partial<Limits>,
  expect?: Expect,
): Result<Extract<DirectMessage, { kind: K }>> {
  const r = decodeDirect(bytes, limits, expect);
  if (isFail(r)) return r;
  if (r.value.kind !== kind) return fail('unknown_kind', `expected ${kind}, got ${r.value.kind}`, 'kind');
  return r as Ok<Extract<DirectMessage, { kind: K }>>;
}

/** Encodes a FetchRequest for /ppfm/1/model/fetch. */
export function encodeFetchRequest(m: Omit<FetchRequestMsg, 'kind'>): Uint8Array {
  return encodeDirect({ ...m, kind: 'fetch_request' });
}
/** Decodes a FetchRequest; any other direct message yields unknown_kind. */
export function decodeFetchRequest(b: Uint8Array, limits?: Partial<Limits>): Result<FetchRequestMsg> {
  return decodeKind('fetch_request', b, limits);
}
/** Encodes a ModelEnvelope for a direct stream (the fetch reply). */
export function encodeModelEnvelope(m: Omit<ModelEnvelopeMsg, 'kind'>): Uint8Array {
  return encodeDirect({ ...m, kind: 'model' });
}
/** Decodes a direct-stream ModelEnvelope, optionally requiring a spec hash. */
export function decodeModelEnvelope(
  b: Uint8Array,
  limits?: Partial<Limits>,
  expect?: Expect,
): Result<ModelEnvelopeMsg> {
  return decodeKind('model', b, limits, expect);
}
/** Encodes an UpdateEnvelope for /ppfm/1/update/push. */
export function encodeUpdateEnvelope(m: Omit<UpdateEnvelopeMsg, 'kind'>): Uint8Array {
  return encodeDirect({ ...m, kind: 'update' });
}
/** Decodes an UpdateEnvelope, optionally requiring a spec hash. */
export function decodeUpdateEnvelope(
  b: Uint8Array,
  limits?: Partial<Limits>,
  expect?: Expect,
): Result<UpdateEnvelopeMsg> {
  return decodeKind('update', b, limits, expect);
}
/** Encodes an Ack reply. */
export function encodeAck(m: Omit<AckMsg, 'kind'>): Uint8Array {
  return encodeDirect({ ...m, kind: 'ack' });
}
/** Decodes an Ack reply. */
export function decodeAck(b: Uint8Array, limits?: Partial<Limits>): Result<AckMsg> {
  return decodeKind('ack', b, limits);
}
/** Encodes an Error reply. */
export function encodeError(m: Omit<ErrorMsg, 'kind'>): Uint8Array {
  return encodeDirect({ ...m, kind: 'error' });
}
/** Decodes an Error reply. */
export function decodeError(b: Uint8Array, limits?: Partial<Limits>): Result<ErrorMsg> {
  return decodeKind('error', b, limits);
}
