/** Why a decode failed; stable strings that peers log and tests match on. */
export type ErrorCode =
  | 'malformed'
  | 'too_large'
  | 'unknown_version'
  | 'shape_mismatch'
  | 'non_finite'
  | 'bad_name'
  | 'checksum'
  | 'unknown_kind'
  | 'bad_value';

/** A typed decode/validation failure; `field` names the offending field when there is one. */
export interface ProtocolError {
  code: ErrorCode;
  message: string;
  field?: string;
}

/** Either a decoded value or a typed error: decoders return this and never throw. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ProtocolError };

/** Wraps a value as a successful Result. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** Builds a failed Result with the given code, message and optional field. */
export function fail<T = never>(code: ErrorCode, message: string, field?: string): Result<T> {
  const error: ProtocolError = field === undefined ? { code, message } : { code, message, field };
  return { ok: false, error };
}

/**
 * Thrown by encoders (never by decoders) when asked to encode something a decoder would reject,
 * so that a bug surfaces at the sender rather than as a rejected message at every receiver.
 */
export class ProtocolEncodeError extends Error {
  readonly code: ErrorCode;
  readonly field?: string;
  constructor(error: ProtocolError) {
    super(error.field === undefined ? error.message : `${error.field}: ${error.message}`);
    this.name = 'ProtocolEncodeError';
    this.code = error.code;
    if (error.field !== undefined) this.field = error.field;
  }
}

/** Returns the value of a Result or throws a ProtocolEncodeError (encoder-side helper). */
export function unwrapOrThrow<T>(r: Result<T>): T {
  if (r.ok) return r.value;
  throw new ProtocolEncodeError(r.error);
}
