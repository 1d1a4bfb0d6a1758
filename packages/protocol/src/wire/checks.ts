// Field checks shared by every message decoder (and, through them, by the encoders).
import { fail, ok, type ErrorCode, type Result } from '../errors.js';
import { MAX_COUNTER } from '../limits.js';

/** A failed Result, narrowed. */
export type Fail = { ok: false; error: { code: ErrorCode; message: string; field?: string } };

/** Narrows a Result to its failure. */
export function isFail<T>(r: Result<T>): r is Fail {
  return !r.ok;
}

/** A uint32 (sequence numbers, sizes, counts). */
export function checkUint(v: unknown, field: string): Result<number> {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    return fail('bad_value', 'not a uint32', field);
  }
  return ok(v);
}

/** A term or round: uint32 on the wire but at most 2^31 - 1, so `x + 1` never overflows the encoding. */
export function checkCounter(v: unknown, field: string): Result<number> {
  const u = checkUint(v, field);
  if (isFail(u)) return u;
  if (u.value > MAX_COUNTER) return fail('bad_value', `above 2^31 - 1 (${MAX_COUNTER})`, field);
  return u;
}

/** Checks several uint32 or counter fields in order; the first failure wins. */
export function checkAll(
  checks: readonly [check: typeof checkUint, value: unknown, field: string][],
): Result<true> {
  for (const [check, v, f] of checks) {
    const r = check(v, f);
    if (isFail(r)) return r;
  }
  return ok(true);
}

/** A send time: integer milliseconds since the Unix epoch, exactly representable (<= 2^53 - 1). */
export function checkSentAt(v: unknown, field = 'sentAt'): Result<number> {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    return fail('bad_value', 'not an integer millisecond timestamp in [0, 2^53 - 1]', field);
  }
  return ok(v);
}

/** Finite float32 values (optionally >= 0), at most `max` of them. */
export function checkFloats(v: unknown, field: string, max: number, nonNegative = false): Result<number[]> {
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

/** A single finite float32 in [min, max]. */
export function checkFloatIn(v: unknown, field: string, min: number, max: number): Result<number> {
  if (typeof v !== 'number') return fail('malformed', 'not a number', field);
  if (!Number.isFinite(v)) return fail('non_finite', 'not finite', field);
  if (v < min || v > max) return fail('bad_value', `outside [${min}, ${max}]`, field);
  return ok(v);
}

/** Distinct strings passing `check`, at most `max`; with `sorted`, strictly increasing. */
export function checkIdList(
  v: unknown,
  field: string,
  max: number,
  check: (s: unknown, field: string) => Result<string>,
  sorted = false,
): Result<string[]> {
  if (!Array.isArray(v)) return fail('malformed', 'not an array', field);
  if (v.length > max) return fail('too_large', `more than ${max} entries`, field);
  const seen = new Set<string>();
  let prev: string | undefined;
  for (const s of v) {
    const id = check(s, field);
    if (isFail(id)) return id;
    if (seen.has(id.value)) return fail('bad_name', 'duplicate id', field);
    if (sorted && prev !== undefined && id.value < prev) return fail('bad_value', 'ids not sorted', field);
    seen.add(id.value);
    prev = id.value;
  }
  return ok([...(v as string[])]);
}
