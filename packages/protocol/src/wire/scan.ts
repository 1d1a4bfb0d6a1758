// A minimal protobuf wire-format walker used BEFORE protons decodes anything: it checks the
// frame is well-formed (varints terminate, lengths fit), finds which body field is present,
// and bounds every length-delimited field so no string can allocate more than its limit.
import { fail, ok, type Result } from '../errors.js';

/** One top-level field as seen on the wire. */
export interface WireField {
  field: number;
  wireType: number;
  start: number; // first byte of the value (after the length prefix for wire type 2)
  end: number;
}

/** Reads a base-128 varint at `pos`; returns [value, next] or undefined when truncated or over 64 bits. */
export function readVarint(b: Uint8Array, pos: number, end: number): [number, number] | undefined {
  let value = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) return undefined;
    const byte = b[pos++] as number;
    value += (byte & 0x7f) * mul;
    if ((byte & 0x80) === 0) return [value, pos];
    mul *= 128;
  }
  return undefined;
}

/** Lists the fields of the message occupying b[start, end); typed error on any structural fault. */
export function scanMessage(
  b: Uint8Array,
  start: number,
  end: number,
  maxFields: number,
): Result<WireField[]> {
  const fields: WireField[] = [];
  let pos = start;
  while (pos < end) {
    if (fields.length >= maxFields) return fail('too_large', `more than ${maxFields} fields`);
    const tag = readVarint(b, pos, end);
    if (tag === undefined) return fail('malformed', 'truncated field tag');
    pos = tag[1];
    const field = Math.floor(tag[0] / 8);
    const wireType = tag[0] % 8;
    if (field === 0) return fail('malformed', 'field number 0');
    let valueStart = pos;
    switch (wireType) {
      case 0: {
        const v = readVarint(b, pos, end);
        if (v === undefined) return fail('malformed', 'truncated varint');
        pos = v[1];
        break;
      }
      case 1:
        pos += 8;
        break;
      case 5:
        pos += 4;
        break;
      case 2: {
        const l = readVarint(b, pos, end);
        if (l === undefined) return fail('malformed', 'truncated length');
        valueStart = l[1];
        pos = l[1] + l[0];
        break;
      }
      default:
        return fail('malformed', `unsupported wire type ${wireType}`);
    }
    if (pos > end) return fail('malformed', 'field runs past the end of the message');
    fields.push({ field, wireType, start: valueStart, end: pos });
  }
  return ok(fields);
}
