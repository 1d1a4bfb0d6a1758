// FetchRequest: a peer asks another for a model over /ppfm/1/model/fetch.
import { fail, ok, type Result } from '../errors.js';
import type { Limits } from '../limits.js';
import * as pb from '../pb/messages.pb.js';
import { checkCounter, isFail } from '../wire/checks.js';
import { idBytes, type FieldSpecs } from '../wire/frame.js';
import { scopeFromPb, scopeToPb, type Scope } from '../wire/scope.js';
import { CODECS, type Codec } from '../weights-codec.js';

/** Asks for a model of `scope` at round >= minRound, optionally in a preferred codec. */
export interface FetchRequestMsg {
  kind: 'fetch_request';
  scope: Scope;
  minRound: number;
  codec?: Codec;
}

const CODEC_TO_PB: Record<Codec, pb.CodecId> = {
  float32: pb.CodecId.CODEC_FLOAT32,
  float16: pb.CodecId.CODEC_FLOAT16,
  int8: pb.CodecId.CODEC_INT8,
};

/** Wire layout of a FetchRequest body. */
export function fetchFields(lim: Limits): FieldSpecs {
  return {
    1: { name: 'cluster', wire: 2, maxBytes: idBytes(lim), oneof: 'scope' },
    4: { name: 'warmupPeer', wire: 2, maxBytes: idBytes(lim), oneof: 'scope' },
    2: { name: 'minRound', wire: 0 },
    3: { name: 'codec', wire: 0 },
  };
}

function codecFromPb(c: unknown): Result<Codec> {
  for (const name of CODECS) if (c === CODEC_TO_PB[name]) return ok(name);
  return fail('unknown_kind', 'unknown codec', 'codec');
}

/** Validates a decoded FetchRequest body. */
export function fetchFromPb(m: pb.FetchRequest, lim: Limits): Result<FetchRequestMsg> {
  const scope = scopeFromPb(m, lim);
  if (isFail(scope)) return scope;
  const r = checkCounter(m.minRound, 'minRound');
  if (isFail(r)) return r;
  const out: FetchRequestMsg = { kind: 'fetch_request', scope: scope.value, minRound: m.minRound };
  if (m.codec !== undefined) {
    const c = codecFromPb(m.codec);
    if (isFail(c)) return c;
    out.codec = c.value;
  }
  return ok(out);
}

/** Builds the protobuf body. */
export function fetchToPb(m: FetchRequestMsg): pb.FetchRequest {
  const out: pb.FetchRequest = { minRound: m.minRound, ...scopeToPb(m.scope) };
  if (m.codec !== undefined) out.codec = CODEC_TO_PB[m.codec];
  return out;
}
