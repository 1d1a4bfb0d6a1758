// Reads the header of a direct frame (kind, scope or cluster, round, term, spec hash, codec) from
// its first bytes, without the tensors: a head refuses a push for the wrong round, term or spec
// after a few hundred bytes instead of reading megabytes of weights first.
import { fail, ok, type Result } from '../errors.js';
import { resolveLimits, type Limits } from '../limits.js';
import { isFail } from '../wire/checks.js';
import {
  idBytes,
  lenField,
  bodyFields,
  PROTOCOL_VERSION,
  VARINT_FIELD_BYTES,
  varintBytes,
  type FieldSpecs,
} from '../wire/frame.js';
import { readVarint } from '../wire/scan.js';
import { CODECS, WEIGHTS_LAYOUT_VERSION, WEIGHTS_MAGIC, type Codec } from '../weights-codec.js';
import { DIRECT_BODIES, type DirectMessage } from './index.js';
import { modelHeaderFromPb, type ModelEnvelopeMsg } from './model.js';
import { updateHeaderFromPb, type UpdateEnvelopeMsg } from './update.js';

/** Where the weights are in the frame, and what their blob header says. */
export interface WeightsInfo {
  codec: Codec;
  tensors: number;
  /** Offset and length of the weights blob within the frame. */
  weightsOffset: number;
  weightsBytes: number;
  /** Length of the whole frame: it must equal the stream's length prefix. */
  frameBytes: number;
}

/** The header of a model envelope. */
export type ModelHeader = Omit<ModelEnvelopeMsg, 'codec' | 'weights'> & WeightsInfo;
/** The header of an update envelope. */
export type UpdateHeader = Omit<UpdateEnvelopeMsg, 'codec' | 'weights'> & WeightsInfo;
/** Direct messages without weights: decode them whole (they are bounded by maxControlBytes). */
export type ControlKind = Exclude<DirectMessage['kind'], 'model' | 'update'>;

/** What the first bytes of a direct frame tell. */
export type DirectPeek =
  | { status: 'envelope'; header: ModelHeader | UpdateHeader }
  | { status: 'control'; kind: ControlKind }
  /** The prefix ends inside the header: peek again with at least `bytes` bytes (or the whole frame). */
  | { status: 'need_more'; bytes: number };

const WEIGHTS_FIELD = 6;
const TEXT = new TextDecoder();
const BLOB_HEADER = 16;

/** Bytes of the longest canonical envelope header, up to and including the weights blob header. */
export function maxEnvelopeHeaderBytes(limits?: Partial<Limits>): number {
  const lim = resolveLimits(limits);
  const lengthPrefixed = 1 + varintBytes(lim.maxBytes); // tag and length of the body, of the weights
  const modelHeader = 2 * lenField(idBytes(lim)) + 2 * VARINT_FIELD_BYTES + lenField(64);
  return VARINT_FIELD_BYTES + lengthPrefixed + modelHeader + lengthPrefixed + BLOB_HEADER;
}

/** A cursor over the prefix of a frame whose total length may not be known yet. */
class Prefix {
  constructor(
    readonly b: Uint8Array,
    readonly bound: number,
  ) {}

  /** The varint at pos, reading no further than end: 'short' when more bytes may complete it. */
  varint(pos: number, end = Infinity): { value: number; next: number } | 'short' | 'bad' {
    const avail = Math.min(this.b.length, end);
    const r = readVarint(this.b, pos, avail);
    if (r !== undefined) return { value: r[0], next: r[1] };
    return avail - pos >= 10 || avail >= end ? 'bad' : 'short';
  }

  /** Position after a field's value of this wire type, or 'short' / 'bad'. */
  skip(pos: number, wire: number, end = Infinity): number | 'short' | 'bad' {
    let next: number;
    if (wire === 0) {
      const v = this.varint(pos, end);
      return typeof v === 'string' ? v : v.next;
    } else if (wire === 1 || wire === 5) {
      next = pos + (wire === 1 ? 8 : 4);
    } else if (wire === 2) {
      const l = this.varint(pos, end);
      if (typeof l === 'string') return l;
      next = l.next + l.value;
    } else {
      return 'bad';
    }
    if (next > end) return 'bad';
    return next <= this.b.length ? next : 'short';
  }

  /** The answer when the prefix ends too early: read more, unless the header is already too long. */
  short(): Result<DirectPeek> {
    if (this.b.length >= this.bound) return fail('too_large', `frame header exceeds ${this.bound} bytes`);
    return ok({ status: 'need_more', bytes: this.bound });
  }
}

/**
 * Peeks at a direct frame's first bytes. An envelope (model or update) yields its header, checked
 * as the decoder checks it, plus where its weights are; any other kind is named only (decode it
 * whole). A header the decoder would refuse is refused here too; one longer than
 * maxEnvelopeHeaderBytes (no canonical encoder writes one) is too_large. Never throws.
 */
export function peekDirectHeader(prefix: Uint8Array, limits?: Partial<Limits>): Result<DirectPeek> {
  if (!(prefix instanceof Uint8Array)) return fail('malformed', 'not bytes');
  const lim = resolveLimits(limits);
  const p = new Prefix(prefix, maxEnvelopeHeaderBytes(lim));
  let pos = 0;
  let version: number | undefined;
  let before = 0; // top-level fields before the body
  for (;;) {
    if (pos >= p.bound) return fail('too_large', `frame header exceeds ${p.bound} bytes`);
    const tag = p.varint(pos);
    if (tag === 'short') return p.short();
    if (tag === 'bad') return fail('malformed', 'bad field tag');
    const field = Math.floor(tag.value / 8);
    const wire = tag.value % 8;
    pos = tag.next;
    const body = DIRECT_BODIES[field];
    if (body !== undefined) {
      if (wire !== 2) return fail('malformed', 'message body has the wrong wire type', 'body');
      if (!body.weights) return ok({ status: 'control', kind: body.kind as ControlKind });
      if (before !== 1 || version === undefined) {
        return fail('malformed', 'an envelope frame is its version then its body, nothing else', 'body');
      }
      if (version !== PROTOCOL_VERSION)
        return fail('unknown_version', `protocol version ${version}`, 'version');
      const len = p.varint(pos);
      if (len === 'short') return p.short();
      if (len === 'bad') return fail('malformed', 'bad body length');
      const frameBytes = len.next + len.value;
      if (frameBytes > lim.maxBytes) return fail('too_large', `${frameBytes} bytes exceeds ${lim.maxBytes}`);
      return peekEnvelope(
        p,
        len.next,
        frameBytes,
        body.kind as 'model' | 'update',
        bodyFields(body, lim),
        lim,
      );
    }
    before++;
    if (field === 1) {
      if (wire !== 0) return fail('malformed', 'version has the wrong wire type', 'version');
      if (version !== undefined) return fail('malformed', 'version repeated', 'version');
      const v = p.varint(pos);
      if (v === 'short') return p.short();
      if (v === 'bad') return fail('malformed', 'bad version');
      version = v.value;
      pos = v.next;
      continue;
    }
    const next = p.skip(pos, wire);
    if (next === 'short') return p.short();
    if (next === 'bad') return fail('malformed', `bad field ${field}`);
    pos = next;
  }
}

/** Walks an envelope body up to its weights, checking each field as checkMessage would. */
function peekEnvelope(
  p: Prefix,
  start: number,
  end: number,
  kind: 'model' | 'update',
  specs: FieldSpecs,
  lim: Limits,
): Result<DirectPeek> {
  const values: Record<string, string | number> = {};
  const seen = new Set<number>();
  const groups = new Set<string>();
  let pos = start;
  for (;;) {
    if (pos >= end) return fail('malformed', 'envelope has no weights', 'weights');
    if (pos >= p.bound) return fail('too_large', `frame header exceeds ${p.bound} bytes`);
    const tag = p.varint(pos, end);
    if (tag === 'short') return p.short();
    if (tag === 'bad') return fail('malformed', 'bad field tag');
    const field = Math.floor(tag.value / 8);
    const wire = tag.value % 8;
    pos = tag.next;
    const spec = specs[field];
    if (spec === undefined) {
      const next = p.skip(pos, wire, end);
      if (next === 'short') return p.short();
      if (next === 'bad') return fail('malformed', `bad field ${field}`);
      pos = next;
      continue;
    }
    if (wire !== spec.wire) return fail('malformed', `wire type ${wire}, expected ${spec.wire}`, spec.name);
    if (seen.has(field)) return fail('malformed', 'singular field repeated', spec.name);
    seen.add(field);
    if (spec.oneof !== undefined) {
      if (groups.has(spec.oneof)) return fail('malformed', `more than one ${spec.oneof}`, spec.name);
      groups.add(spec.oneof);
    }
    const v = p.varint(pos, end);
    if (v === 'short') return p.short();
    if (v === 'bad') return fail('malformed', 'bad varint', spec.name);
    if (wire === 0) {
      if (v.value > 0xffffffff) return fail('bad_value', 'varint out of range for uint32', spec.name);
      values[spec.name] = v.value;
      pos = v.next;
      continue;
    }
    // Length-delimited: v is the length.
    if (spec.maxBytes !== undefined && v.value > spec.maxBytes) {
      return fail('too_large', `${v.value} bytes exceeds ${spec.maxBytes}`, spec.name);
    }
    const valueEnd = v.next + v.value;
    if (valueEnd > end) return fail('malformed', 'field runs past the end of the message', spec.name);
    if (field === WEIGHTS_FIELD) {
      if (valueEnd !== end) return fail('malformed', 'fields follow the weights', spec.name);
      return peekWeights(p, v.next, v.value, end, kind, values, lim);
    }
    if (valueEnd > p.b.length) return p.short();
    values[spec.name] = TEXT.decode(p.b.subarray(v.next, valueEnd));
    pos = valueEnd;
  }
}

function peekWeights(
  p: Prefix,
  offset: number,
  length: number,
  frameBytes: number,
  kind: 'model' | 'update',
  values: Record<string, string | number>,
  lim: Limits,
): Result<DirectPeek> {
  const b = p.b;
  // Header fields absent on the wire hold their proto3 defaults, as protons decodes them.
  const str = (k: string): string => (typeof values[k] === 'string' ? (values[k] as string) : '');
  const num = (k: string): number => (typeof values[k] === 'number' ? (values[k] as number) : 0);
  const optStr = (k: string): string | undefined =>
    typeof values[k] === 'string' ? (values[k] as string) : undefined;
  const header: Result<
    Omit<ModelEnvelopeMsg, 'codec' | 'weights'> | Omit<UpdateEnvelopeMsg, 'codec' | 'weights'>
  > =
    kind === 'model'
      ? modelHeaderFromPb(
          {
            modelId: str('modelId'),
            cluster: optStr('cluster'),
            warmupPeer: optStr('warmupPeer'),
            round: num('round'),
            term: num('term'),
            specHash: str('specHash'),
          },
          lim,
        )
      : updateHeaderFromPb(
          {
            cluster: str('cluster'),
            baseRound: num('baseRound'),
            term: num('term'),
            sampleCount: num('sampleCount'),
            specHash: str('specHash'),
          },
          lim,
        );
  if (isFail(header)) return header;
  if (length < BLOB_HEADER) return fail('malformed', 'weights blob shorter than its header', 'weights');
  if (b.length < offset + BLOB_HEADER) return p.short();
  const dv = new DataView(b.buffer, b.byteOffset + offset, BLOB_HEADER);
  if (dv.getUint32(0, true) !== WEIGHTS_MAGIC) return fail('malformed', 'bad weights magic', 'weights');
  if (dv.getUint8(4) !== WEIGHTS_LAYOUT_VERSION) {
    return fail('unknown_version', `weights layout version ${dv.getUint8(4)}`, 'weights');
  }
  const codec = CODECS[dv.getUint8(5)];
  if (codec === undefined) return fail('unknown_kind', `unknown codec id ${dv.getUint8(5)}`, 'codec');
  if (dv.getUint16(6, true) !== 0) return fail('malformed', 'reserved header bits set', 'weights');
  const tensors = dv.getUint32(8, true);
  if (tensors > lim.maxTensors)
    return fail('too_large', `${tensors} tensors exceeds ${lim.maxTensors}`, 'weights');
  const info: WeightsInfo = { codec, tensors, weightsOffset: offset, weightsBytes: length, frameBytes };
  return ok({ status: 'envelope', header: { ...header.value, ...info } as ModelHeader | UpdateHeader });
}
