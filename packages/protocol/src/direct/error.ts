// ErrorReply: the negative reply on any direct stream, with a typed code.
import { fail, ok, unwrapOrThrow, type Result } from '../errors.js';
import type { Limits } from '../limits.js';
import type * as pb from '../pb/messages.pb.js';
import { textBytes, type FieldSpecs } from '../wire/frame.js';

/**
 * Why a direct request failed. Wire values are the index in DIRECT_ERROR_CODES (the proto enum
 * DirectErrorCode); a value this version does not know decodes to 'unknown', never to an error.
 */
export type DirectErrorCode =
  | 'unknown'
  | 'not_found'
  | 'not_head'
  | 'not_member'
  | 'stale_round'
  | 'wrong_term'
  | 'wrong_spec'
  | 'too_large'
  | 'rate_limited'
  | 'busy'
  | 'rejected'
  | 'internal';

/** Every DirectErrorCode, in wire order (index = enum value). */
export const DIRECT_ERROR_CODES: readonly DirectErrorCode[] = Object.freeze([
  'unknown',
  'not_found',
  'not_head',
  'not_member',
  'stale_round',
  'wrong_term',
  'wrong_spec',
  'too_large',
  'rate_limited',
  'busy',
  'rejected',
  'internal',
]);

/** Negative reply on a direct stream. */
export interface ErrorMsg {
  kind: 'error';
  code: DirectErrorCode;
  message: string;
}

/** Wire layout of an ErrorReply body. */
export function errorFields(lim: Limits): FieldSpecs {
  return {
    2: { name: 'message', wire: 2, maxBytes: textBytes(lim) },
    3: { name: 'code', wire: 0 },
  };
}

/** Validates a decoded ErrorReply body; unknown codes become 'unknown' (forward compatible). */
export function errorFromPb(m: pb.ErrorReply, lim: Limits): Result<ErrorMsg> {
  if (typeof m.message !== 'string') return fail('malformed', 'message is not a string', 'message');
  if (m.message.length > lim.maxMessageLength) return fail('too_large', 'error message too long', 'message');
  const code = DIRECT_ERROR_CODES[m.code] ?? 'unknown';
  return ok({ kind: 'error', code, message: m.message });
}

/** Builds the protobuf body; throws ProtocolEncodeError on a code outside DirectErrorCode. */
export function errorToPb(m: ErrorMsg): pb.ErrorReply {
  const code = DIRECT_ERROR_CODES.indexOf(m.code);
  if (code < 0) unwrapOrThrow(fail('bad_value', `unknown error code ${String(m.code)}`, 'code'));
  return { code, message: m.message };
}
