// Bounds-before-allocation for the secure-aggregation frames: walks a frame on the wire against a
// small schema (wire type, byte cap and repeat cap per field, nested messages) before protons
// decodes it, so no field can make the decoder allocate more than the limits allow.
import { fail, ok, type Result } from '../errors.js';
import { scanMessage } from '../wire/scan.js';

/** What one field may look like on the wire. */
export type FieldSpec =
  { wire: 0 } | { wire: 1 } | { wire: 2; maxBytes: number; maxCount?: number; nested?: Schema };

/** Field number -> spec; fields not listed are skipped (protobuf forward compatibility). */
export type Schema = Readonly<Record<number, FieldSpec>>;

/** Checks b[start, end) against `schema`, recursively; `what` names the message in errors. */
export function scanSchema(
  b: Uint8Array,
  start: number,
  end: number,
  schema: Schema,
  what: string,
  maxFields: number,
): Result<true> {
  const fields = scanMessage(b, start, end, maxFields);
  if (!fields.ok) return fail(fields.error.code, fields.error.message, what);
  const counts = new Map<number, number>();
  for (const f of fields.value) {
    const spec = schema[f.field];
    if (spec === undefined) continue;
    if (spec.wire !== f.wireType)
      return fail('malformed', `field ${f.field} has wire type ${f.wireType}`, what);
    if (spec.wire !== 2) continue;
    const n = (counts.get(f.field) ?? 0) + 1;
    counts.set(f.field, n);
    if (spec.maxCount !== undefined && n > spec.maxCount)
      return fail('too_large', `field ${f.field} repeated more than ${spec.maxCount} times`, what);
    if (f.end - f.start > spec.maxBytes)
      return fail('too_large', `field ${f.field} is ${f.end - f.start} bytes (max ${spec.maxBytes})`, what);
    if (spec.nested !== undefined) {
      const r = scanSchema(b, f.start, f.end, spec.nested, what, maxFields);
      if (!r.ok) return r;
    }
  }
  return ok(true);
}
