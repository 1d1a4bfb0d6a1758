// Frame scanning: before protons allocates anything, walk the frame and its body on the wire and
// check them against a per-message field table (wire types, how often a field may occur, byte
// bounds of strings, bytes and packed floats, one-of groups, the envelope's weights last). Then
// protons only ever decodes bytes whose every allocation is already bounded by the limits.
import { MaxLengthError } from 'protons-runtime';
import { fail, ok, type Result } from '../errors.js';
import { DEFAULT_LIMITS, type Limits } from '../limits.js';
import { isFail, type Fail } from './checks.js';
import { readVarint, scanMessage, type WireField } from './scan.js';

/** Wire protocol version written in every frame; frames with any other version are rejected. */
export const PROTOCOL_VERSION = 1;

/** What a message's field may look like on the wire. */
export interface FieldSpec {
  /** The TypeScript field name, reported in errors. */
  name: string;
  /** Protobuf wire type: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32. */
  wire: 0 | 1 | 2 | 5;
  /** A repeated field may occur at most this often; without it the field occurs at most once. */
  maxCount?: number;
  /** Length-delimited fields: at most this many bytes. */
  maxBytes?: number;
  /** Length-delimited fields: the length must be a multiple of this (packed float32: 4). */
  multipleOf?: number;
  /** Fields of one `oneof`: at most one of the group may be present. */
  oneof?: string;
  /** A nested message, checked with its own table. */
  nested?: FieldSpecs;
  /** Must be the last field of its message (an envelope's weights: headers can be read first). */
  last?: boolean;
  /** Varint fields: a uint64 (up to 2^53 - 1, a safe JS integer); otherwise at most 2^32 - 1. */
  wide?: boolean;
}

/** Field number -> spec; fields not listed (from a later schema) are skipped by protons. */
export type FieldSpecs = Readonly<Record<number, FieldSpec>>;

/** A frame body: its kind, whether it carries a weights blob, and its field table under given limits. */
export interface BodySpec {
  kind: string;
  weights: boolean;
  fields: (lim: Limits) => FieldSpecs;
}

// Field tables of the default limits, built once per body (decoding a heartbeat must stay cheap).
const defaultTables = new WeakMap<BodySpec, FieldSpecs>();

// The limits field tables depend on; the others (maxControlBytes, tensor limits...) do not matter.
const TABLE_LIMITS = [
  'maxBytes',
  'maxStringLength',
  'maxMessageLength',
  'maxClasses',
  'maxSketchDims',
  'maxClassSketch',
  'maxInputRank',
  'maxLossCandidates',
  'maxFeatureMoments',
  'maxMembers',
  'maxPeers',
  'maxPeerAddrs',
  'maxAddrBytes',
] as const satisfies readonly (keyof Limits)[];

/** The field table of a body under `lim`, cached when its limits are the defaults. */
export function bodyFields(spec: BodySpec, lim: Readonly<Limits>): FieldSpecs {
  if (lim !== DEFAULT_LIMITS && TABLE_LIMITS.some((k) => lim[k] !== DEFAULT_LIMITS[k]))
    return spec.fields(lim);
  let t = defaultTables.get(spec);
  if (t === undefined) {
    t = spec.fields(DEFAULT_LIMITS);
    defaultTables.set(spec, t);
  }
  return t;
}

/** Bytes a string may take on the wire: ids are ASCII, free text up to 3 UTF-8 bytes per UTF-16 unit. */
export const idBytes = (lim: Limits): number => lim.maxStringLength;
export const textBytes = (lim: Limits): number => 3 * lim.maxMessageLength;

/** Bytes of a varint holding n. */
export function varintBytes(n: number): number {
  let b = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    b++;
  }
  return b;
}

/** A uint32 varint field on the wire: tag (one byte) and at most 5 bytes of value. */
export const VARINT_FIELD_BYTES = 6;

/** A length-delimited field of at most n bytes: tag (field numbers < 16 take one byte) + length + value. */
export const lenField = (n: number): number => 1 + varintBytes(n) + n;

// Unknown fields (a later schema) are tolerated but still bounded in number.
const UNKNOWN_FIELD_SLACK = 64;
const budgets = new WeakMap<FieldSpecs, number>();

/** How many fields a message with this table may hold (bounds the scanner's field list). */
function fieldBudget(specs: FieldSpecs): number {
  let n = budgets.get(specs);
  if (n === undefined) {
    n = UNKNOWN_FIELD_SLACK;
    for (const s of Object.values(specs)) n += s.maxCount ?? 1;
    budgets.set(specs, n);
  }
  return n;
}

/** Checks the message in b[start, end) against its field table; typed error on the first violation. */
export function checkMessage(
  b: Uint8Array,
  start: number,
  end: number,
  specs: FieldSpecs,
): Result<WireField[]> {
  const scanned = scanMessage(b, start, end, fieldBudget(specs));
  if (isFail(scanned)) return scanned;
  const fields = scanned.value;
  const counts: number[] = []; // by field number (small: a sparse array is cheaper than a Map)
  let groups: Map<string, number> | undefined;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] as WireField;
    const spec = specs[f.field];
    if (spec === undefined) continue;
    if (f.wireType !== spec.wire)
      return fail('malformed', `wire type ${f.wireType}, expected ${spec.wire}`, spec.name);
    const n = (counts[f.field] ?? 0) + 1;
    counts[f.field] = n;
    if (spec.maxCount === undefined && n > 1) return fail('malformed', 'singular field repeated', spec.name);
    if (spec.maxCount !== undefined && n > spec.maxCount) {
      return fail('too_large', `more than ${spec.maxCount} entries`, spec.name);
    }
    if (spec.oneof !== undefined) {
      groups ??= new Map();
      const other = groups.get(spec.oneof);
      if (other !== undefined && other !== f.field)
        return fail('malformed', `more than one ${spec.oneof}`, spec.name);
      groups.set(spec.oneof, f.field);
    }
    if (spec.last === true && i !== fields.length - 1) {
      return fail('malformed', 'fields follow the weights', spec.name);
    }
    if (f.wireType === 0) {
      // protons truncates a uint32 to its low 32 bits: refuse what it would silently alter.
      const v = f.end - f.start <= 4 ? 0 : (readVarint(b, f.start, f.end)?.[0] ?? Infinity); // <= 4 bytes: < 2^28
      if (v > (spec.wide === true ? Number.MAX_SAFE_INTEGER : 0xffffffff)) {
        return fail(
          'bad_value',
          `varint out of range for ${spec.wide === true ? 'uint64' : 'uint32'}`,
          spec.name,
        );
      }
    }
    if (f.wireType !== 2) continue;
    const len = f.end - f.start;
    if (spec.maxBytes !== undefined && len > spec.maxBytes) {
      return fail('too_large', `${len} bytes exceeds ${spec.maxBytes}`, spec.name);
    }
    if (spec.multipleOf !== undefined && len % spec.multipleOf !== 0) {
      return fail('malformed', `length ${len} is not a multiple of ${spec.multipleOf}`, spec.name);
    }
    if (spec.nested !== undefined) {
      const r = checkMessage(b, f.start, f.end, spec.nested);
      if (isFail(r)) return r;
    }
  }
  return ok(fields);
}

/** The body of a frame that passed scanFrame: its field number and position. */
export interface FrameBody {
  field: number;
  start: number;
  end: number;
}

/**
 * Walks a frame before protons allocates anything: version 1, exactly one known body, frames
 * without weights within maxControlBytes, and the body checked against its field table.
 */
export function scanFrame(
  bytes: Uint8Array,
  lim: Readonly<Limits>,
  bodies: Readonly<Record<number, BodySpec>>,
): Result<FrameBody> {
  if (!(bytes instanceof Uint8Array)) return fail('malformed', 'not bytes');
  if (bytes.length > lim.maxBytes) return fail('too_large', `${bytes.length} bytes exceeds ${lim.maxBytes}`);
  const top = scanMessage(bytes, 0, bytes.length, UNKNOWN_FIELD_SLACK);
  if (isFail(top)) return top;
  let version = 0;
  let body: FrameBody | undefined;
  let versions = 0;
  for (const f of top.value) {
    if (f.field === 1) {
      if (f.wireType !== 0) return fail('malformed', 'version has the wrong wire type', 'version');
      if (++versions > 1) return fail('malformed', 'version repeated', 'version');
      version = readSmallVarint(bytes, f.start, f.end);
    } else if (bodies[f.field] !== undefined) {
      if (f.wireType !== 2) return fail('malformed', 'message body has the wrong wire type', 'body');
      if (body !== undefined) return fail('malformed', 'more than one message body', 'body');
      body = { field: f.field, start: f.start, end: f.end };
    }
  }
  if (version !== PROTOCOL_VERSION) return fail('unknown_version', `protocol version ${version}`, 'version');
  if (body === undefined) return fail('unknown_kind', 'frame has no known message body', 'body');
  const spec = bodies[body.field] as BodySpec;
  // An envelope is exactly [version][body] so that peekDirectHeader sees what the decoder sees.
  if (spec.weights && (top.value.length !== 2 || top.value[1]?.field !== body.field)) {
    return fail('malformed', 'an envelope frame is its version then its body, nothing else', 'body');
  }
  if (!spec.weights && bytes.length > lim.maxControlBytes) {
    return fail('too_large', `${bytes.length} bytes exceeds ${lim.maxControlBytes} for a control message`);
  }
  const inner = checkMessage(bytes, body.start, body.end, bodyFields(spec, lim));
  if (isFail(inner)) return inner;
  return ok(body);
}

/** Value of a varint that scanMessage already proved terminates (lossy above 2^53, which is fine for a version). */
export function readSmallVarint(b: Uint8Array, start: number, end: number): number {
  let v = 0;
  let mul = 1;
  for (let i = start; i < end; i++) {
    v += ((b[i] as number) & 0x7f) * mul;
    mul *= 128;
  }
  return v;
}

/** Maps an exception from protons (after the scan, rare: e.g. a bad enum value) to a typed failure. */
export function protonsFailure(e: unknown): Fail {
  if (e instanceof MaxLengthError) return fail('too_large', e.message) as Fail;
  return fail('malformed', `protobuf decode failed: ${(e as Error)?.message ?? String(e)}`) as Fail;
}
