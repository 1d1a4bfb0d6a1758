// Binary weights codec. A WeightSet travels as one opaque blob (inside a protobuf `bytes`
// field), so a 1M-parameter model is a couple of memcpy-speed copies, not a million varints.
//
// Layout v1 (all integers little-endian):
//   offset 0   u32  magic 0x57465050 (ASCII "PPFW")
//          4   u8   layout version = 1
//          5   u8   codec: 0 = float32, 1 = float16, 2 = int8
//          6   u16  reserved, must be 0
//          8   u32  tensor count
//         12   u32  CRC-32 (IEEE) of every byte from offset 16 to the end
//   then, per tensor, in order:
//              u16  name length L, then L bytes of ASCII name [A-Za-z0-9_.:/-]
//              u8   rank R, then R x u32 dims (row-major shape; rank 0 = scalar)
//              int8 codec only: f32 min, f32 scale (value = min + scale * code)
//              zero bytes up to the next multiple of 4 (offset from blob start)
//              payload: N = prod(dims) elements of 4 (f32) | 2 (f16 bits) | 1 (u8 code) bytes
//   the blob ends exactly after the last payload.
//
// Error bounds of the lossy codecs (tested in test/weights-codec.spec.ts):
//   float16: |x - x'| <= 2^-11 |x| for 2^-14 <= |x| <= 65504, <= 2^-25 below, |x| > 65504 clamps to +-65504.
//   int8:    |x - x'| <= scale/2 = (max - min) / 510 per tensor (plus float32 rounding of the result).
import { fail, ok, unwrapOrThrow, type ErrorCode, type Result } from './errors.js';
import { crc32 } from './crc32.js';
import { f32BitsToF16, float16Table } from './float16.js';
import { resolveLimits, type Limits } from './limits.js';
import { isTensorName, type WeightSet } from './weights.js';

/** Tensor encodings: float32 is lossless, float16 and int8 are lossy with documented bounds. */
export type Codec = 'float32' | 'float16' | 'int8';

/** All codecs, in wire-id order. */
export const CODECS: readonly Codec[] = ['float32', 'float16', 'int8'];

/** Magic number at offset 0 of a weights blob ("PPFW"). */
export const WEIGHTS_MAGIC = 0x57465050;
/** Layout version written by this implementation. */
export const WEIGHTS_LAYOUT_VERSION = 1;
const HEADER_BYTES = 16;
const BYTES_PER_ELEMENT: Record<Codec, number> = { float32: 4, float16: 2, int8: 1 };
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A decoded weight set together with the codec it was sent in. */
export interface DecodedWeights {
  codec: Codec;
  weights: WeightSet;
}

interface TensorHeader {
  name: string;
  shape: number[];
  count: number;
  min: number;
  scale: number;
  payload: number; // byte offset of the payload
}

/** Checks a WeightSet is encodable and decodable under `limits`: names, shapes, finiteness, sizes. */
export function validateWeights(ws: WeightSet, limits?: Partial<Limits>): Result<WeightSet> {
  const lim = resolveLimits(limits);
  if (!Array.isArray(ws)) return fail('malformed', 'weights is not an array', 'weights');
  if (ws.length > lim.maxTensors) return fail('too_large', `more than ${lim.maxTensors} tensors`, 'weights');
  const seen = new Set<string>();
  let total = 0;
  for (let i = 0; i < ws.length; i++) {
    const t = ws[i];
    const field = `weights[${i}]`;
    if (t === undefined || typeof t !== 'object') return fail('malformed', 'tensor is not an object', field);
    if (typeof t.name !== 'string' || t.name.length > lim.maxNameLength) {
      return fail('bad_name', `tensor name missing or longer than ${lim.maxNameLength}`, field);
    }
    if (!isTensorName(t.name, lim.maxNameLength)) return fail('bad_name', `invalid tensor name`, field);
    if (seen.has(t.name)) return fail('bad_name', `duplicate tensor name ${t.name}`, field);
    seen.add(t.name);
    if (!Array.isArray(t.shape) || t.shape.length > lim.maxRank) {
      return fail('too_large', `shape missing or rank above ${lim.maxRank}`, field);
    }
    let count = 1;
    for (const d of t.shape) {
      if (!Number.isInteger(d) || d < 0 || d > 0xffffffff)
        return fail('bad_value', 'invalid dimension', field);
      count *= d;
      if (count > lim.maxElementsPerTensor) return fail('too_large', 'tensor has too many elements', field);
    }
    if (!(t.values instanceof Float32Array)) return fail('malformed', 'values is not a Float32Array', field);
    if (t.values.length !== count) {
      return fail('shape_mismatch', `shape holds ${count} elements, values has ${t.values.length}`, field);
    }
    total += count;
    if (total > lim.maxTotalElements) return fail('too_large', 'weight set has too many elements', field);
    if (!allFinite(t.values)) return fail('non_finite', 'tensor holds NaN or Infinity', field);
  }
  return ok(ws);
}

function allFinite(v: Float32Array): boolean {
  for (let i = 0; i < v.length; i++) {
    const x = v[i] as number;
    // x - x is NaN for NaN and +-Infinity, 0 otherwise.
    if (x - x !== 0) return false;
  }
  return true;
}

function alignUp4(n: number): number {
  return (n + 3) & ~3;
}

function int8Params(values: Float32Array): { min: number; scale: number } {
  if (values.length === 0) return { min: 0, scale: 0 };
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  let scale = Math.fround((max - min) / 255);
  // float32 rounding may have shrunk the range; widen by ulps until min + 255*scale covers max.
  while (Math.fround(min + 255 * scale) < max) scale = nextUp(scale);
  if (!Number.isFinite(Math.fround(min + 255 * scale))) {
    // Range wider than float32 can step through: fall back to a scale that stays finite.
    scale = Math.fround((max / 255 - min / 255) * (1 - 2 ** -20));
  }
  return { min, scale };
}

function nextUp(x: number): number {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer);
  if (x === 0) u[0] = 1;
  else u[0] = (u[0] as number) + 1; // scale is positive here
  return f[0] as number;
}

/** Encodes a WeightSet into a checksummed blob in the given codec; throws ProtocolEncodeError if invalid. */
export function encodeWeights(ws: WeightSet, codec: Codec = 'float32', limits?: Partial<Limits>): Uint8Array {
  unwrapOrThrow(validateWeights(ws, limits));
  const codecId = CODECS.indexOf(codec);
  if (codecId < 0) unwrapOrThrow(fail('unknown_kind', `unknown codec ${String(codec)}`, 'codec'));
  const bpe = BYTES_PER_ELEMENT[codec];
  const params = codec === 'int8' ? ws.map((t) => int8Params(t.values)) : [];
  // Size pass so the output is allocated once.
  let size = HEADER_BYTES;
  for (const t of ws) {
    size += 2 + t.name.length + 1 + 4 * t.shape.length + (codec === 'int8' ? 8 : 0);
    size = alignUp4(size) + t.values.length * bpe;
  }
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, WEIGHTS_MAGIC, true);
  out[4] = WEIGHTS_LAYOUT_VERSION;
  out[5] = codecId;
  dv.setUint32(8, ws.length, true);
  let p = HEADER_BYTES;
  for (let ti = 0; ti < ws.length; ti++) {
    const t = ws[ti] as (typeof ws)[number];
    dv.setUint16(p, t.name.length, true);
    p += 2;
    for (let i = 0; i < t.name.length; i++) out[p++] = t.name.charCodeAt(i);
    out[p++] = t.shape.length;
    for (const d of t.shape) {
      dv.setUint32(p, d, true);
      p += 4;
    }
    const prm = params[ti];
    if (prm !== undefined) {
      dv.setFloat32(p, prm.min, true);
      dv.setFloat32(p + 4, prm.scale, true);
      p += 8;
    }
    p = alignUp4(p);
    const n = t.values.length;
    if (codec === 'float32') {
      writeFloat32(out, p, t.values);
    } else if (codec === 'float16') {
      writeFloat16(out, p, t.values);
    } else if (prm !== undefined) {
      writeInt8(out, p, t.values, prm.min, prm.scale);
    }
    p += n * bpe;
  }
  dv.setUint32(12, crc32(out.subarray(HEADER_BYTES)), true);
  return out;
}

function writeFloat32(out: Uint8Array, p: number, v: Float32Array): void {
  if (LITTLE_ENDIAN) {
    out.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), p);
    return;
  }
  const dv = new DataView(out.buffer, out.byteOffset);
  for (let i = 0; i < v.length; i++) dv.setFloat32(p + 4 * i, v[i] as number, true);
}

function writeFloat16(out: Uint8Array, p: number, v: Float32Array): void {
  // Source bits via a Uint32Array view of an aligned copy (v may sit at any byteOffset).
  const bits = new Uint32Array(v.slice().buffer);
  const n = bits.length;
  if (LITTLE_ENDIAN && p % 2 === 0 && out.byteOffset % 2 === 0) {
    const h = new Uint16Array(out.buffer, out.byteOffset + p, n);
    for (let i = 0; i < n; i++) h[i] = f32BitsToF16(bits[i] as number);
    return;
  }
  for (let i = 0; i < n; i++) {
    const h = f32BitsToF16(bits[i] as number);
    out[p + 2 * i] = h & 0xff;
    out[p + 2 * i + 1] = h >>> 8;
  }
}

function writeInt8(out: Uint8Array, p: number, v: Float32Array, min: number, scale: number): void {
  if (scale === 0) return; // all codes 0: every value equals min
  // Multiply by the reciprocal and round half up with a truncating add: v >= min, so the operand is >= 0.
  // The reciprocal can move a value across a rounding midpoint only by float64 rounding, far below scale/2.
  const inv = 1 / scale;
  const codes = out.subarray(p, p + v.length);
  for (let i = 0; i < v.length; i++) {
    const q = ((v[i] as number) - min) * inv + 0.5;
    codes[i] = q >= 255 ? 255 : q; // Uint8Array stores truncate toward zero
  }
}

/** Decodes a weights blob to its WeightSet (see decodeWeightsBlob for the codec too). Never throws. */
export function decodeWeights(bytes: Uint8Array, limits?: Partial<Limits>): Result<WeightSet> {
  const r = decodeWeightsBlob(bytes, limits);
  return r.ok ? ok(r.value.weights) : r;
}

/**
 * Decodes a weights blob and reports its codec. Never throws: checks size, header, checksum, every
 * record against `limits` before allocating any tensor, then finiteness of every decoded value.
 */
export function decodeWeightsBlob(bytes: Uint8Array, limits?: Partial<Limits>): Result<DecodedWeights> {
  try {
    return decodeWeightsUnsafe(bytes, resolveLimits(limits));
  } catch (e) {
    // Defensive: the parser is written not to throw; a RangeError here is still just bad input.
    return fail('malformed', `weights decode failed: ${(e as Error).message}`, 'weights');
  }
}

function bad<T>(code: ErrorCode, message: string, field = 'weights'): Result<T> {
  return fail(code, message, field);
}

function decodeWeightsUnsafe(bytes: Uint8Array, lim: Limits): Result<DecodedWeights> {
  if (!(bytes instanceof Uint8Array)) return bad('malformed', 'weights is not bytes');
  const len = bytes.length;
  if (len > lim.maxBytes) return bad('too_large', `weights blob of ${len} bytes exceeds ${lim.maxBytes}`);
  if (len < HEADER_BYTES) return bad('malformed', 'weights blob shorter than its header');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== WEIGHTS_MAGIC) return bad('malformed', 'bad weights magic');
  if (bytes[4] !== WEIGHTS_LAYOUT_VERSION)
    return bad('unknown_version', `weights layout version ${bytes[4]}`);
  const codec = CODECS[bytes[5] as number];
  if (codec === undefined) return bad('unknown_kind', `unknown codec id ${bytes[5]}`, 'codec');
  if (dv.getUint16(6, true) !== 0) return bad('malformed', 'reserved header bits set');
  const count = dv.getUint32(8, true);
  if (count > lim.maxTensors) return bad('too_large', `${count} tensors exceeds ${lim.maxTensors}`);
  if (crc32(bytes.subarray(HEADER_BYTES)) !== dv.getUint32(12, true)) {
    return bad('checksum', 'weights checksum mismatch');
  }
  const bpe = BYTES_PER_ELEMENT[codec];

  // Pass 1: parse and bound every record header; nothing proportional to element counts is allocated.
  const headers: TensorHeader[] = [];
  const names = new Set<string>();
  let total = 0;
  let p = HEADER_BYTES;
  for (let ti = 0; ti < count; ti++) {
    const field = `weights[${ti}]`;
    if (p + 2 > len) return bad('malformed', 'truncated tensor record', field);
    const nameLen = dv.getUint16(p, true);
    p += 2;
    if (nameLen === 0) return bad('bad_name', 'empty tensor name', field);
    if (nameLen > lim.maxNameLength)
      return bad('too_large', `tensor name longer than ${lim.maxNameLength}`, field);
    if (p + nameLen + 1 > len) return bad('malformed', 'truncated tensor name', field);
    let name = '';
    for (let i = 0; i < nameLen; i++) {
      const c = bytes[p + i] as number;
      if (!isNameByte(c)) return bad('bad_name', 'invalid byte in tensor name', field);
      name += String.fromCharCode(c);
    }
    p += nameLen;
    if (names.has(name)) return bad('bad_name', `duplicate tensor name ${name}`, field);
    names.add(name);
    const rank = bytes[p++] as number;
    if (rank > lim.maxRank) return bad('too_large', `rank ${rank} exceeds ${lim.maxRank}`, field);
    if (p + 4 * rank > len) return bad('malformed', 'truncated shape', field);
    const shape: number[] = [];
    let elements = 1;
    for (let d = 0; d < rank; d++) {
      const dim = dv.getUint32(p, true);
      p += 4;
      shape.push(dim);
      elements *= dim;
      // Checked per dimension so the product never leaves exact-integer range.
      if (elements > lim.maxElementsPerTensor) {
        return bad('too_large', `tensor exceeds ${lim.maxElementsPerTensor} elements`, field);
      }
    }
    total += elements;
    if (total > lim.maxTotalElements)
      return bad('too_large', `weights exceed ${lim.maxTotalElements} elements`);
    let min = 0;
    let scale = 0;
    if (codec === 'int8') {
      if (p + 8 > len) return bad('malformed', 'truncated quantisation parameters', field);
      min = dv.getFloat32(p, true);
      scale = dv.getFloat32(p + 4, true);
      p += 8;
      if (!Number.isFinite(min) || !Number.isFinite(scale)) {
        return bad('non_finite', 'quantisation parameters not finite', field);
      }
      if (scale < 0) return bad('bad_value', 'negative quantisation scale', field);
      if (!Number.isFinite(Math.fround(min + 255 * scale))) {
        return bad('non_finite', 'quantisation range overflows float32', field);
      }
    }
    const aligned = alignUp4(p);
    if (aligned > len) return bad('malformed', 'truncated padding', field);
    for (; p < aligned; p++) if (bytes[p] !== 0) return bad('malformed', 'non-zero padding', field);
    const payloadBytes = elements * bpe;
    if (p + payloadBytes > len) return bad('malformed', 'truncated tensor payload', field);
    headers.push({ name, shape, count: elements, min, scale, payload: p });
    p += payloadBytes;
  }
  if (p !== len) return bad('malformed', `${len - p} trailing bytes after the last tensor`);

  // Pass 2: allocate (bounded by the checks above) and convert.
  const weights: WeightSet = [];
  for (let ti = 0; ti < headers.length; ti++) {
    const h = headers[ti] as TensorHeader;
    const src = bytes.subarray(h.payload, h.payload + h.count * bpe);
    let values: Float32Array | undefined;
    if (codec === 'float32') values = readFloat32(src, h.count);
    else if (codec === 'float16') values = readFloat16(src, h.count);
    else values = readInt8(src, h.count, h.min, h.scale);
    if (values === undefined) return bad('non_finite', 'tensor holds NaN or Infinity', `weights[${ti}]`);
    weights.push({ name: h.name, shape: h.shape, values });
  }
  return ok({ codec, weights });
}

function isNameByte(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x3a) || // 0-9 and ':'
    (c >= 0x41 && c <= 0x5a) || // A-Z
    (c >= 0x61 && c <= 0x7a) || // a-z
    c === 0x5f || // _
    c === 0x2e || // .
    c === 0x2f || // /
    c === 0x2d // -
  );
}

/**
 * Copies bytes into a fresh, aligned ArrayBuffer. Uint8Array's own slice is called on purpose:
 * a Node Buffer (what libp2p streams deliver) overrides slice() to return a view into a shared pool.
 */
function copyBytes(src: Uint8Array): Uint8Array {
  return Uint8Array.prototype.slice.call(src);
}

function readFloat32(src: Uint8Array, n: number): Float32Array | undefined {
  let values: Float32Array;
  if (LITTLE_ENDIAN) {
    values = new Float32Array(copyBytes(src).buffer, 0, n);
  } else {
    values = new Float32Array(n);
    const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
    for (let i = 0; i < n; i++) values[i] = dv.getFloat32(4 * i, true);
  }
  return allFinite(values) ? values : undefined;
}

function readFloat16(src: Uint8Array, n: number): Float32Array | undefined {
  const table = float16Table();
  const values = new Float32Array(n);
  if (LITTLE_ENDIAN) {
    const h = new Uint16Array(copyBytes(src).buffer, 0, n);
    for (let i = 0; i < n; i++) {
      const b = h[i] as number;
      // Exponent 31 is Inf or NaN.
      if ((b & 0x7c00) === 0x7c00) return undefined;
      values[i] = table[b] as number;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const b = (src[2 * i] as number) | ((src[2 * i + 1] as number) << 8);
      if ((b & 0x7c00) === 0x7c00) return undefined;
      values[i] = table[b] as number;
    }
  }
  return values;
}

function readInt8(src: Uint8Array, n: number, min: number, scale: number): Float32Array {
  // min and min + 255*scale were checked finite and scale >= 0, so every entry is finite.
  const lut = new Float32Array(256);
  for (let q = 0; q < 256; q++) lut[q] = min + q * scale;
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = lut[src[i] as number] as number;
  return values;
}
