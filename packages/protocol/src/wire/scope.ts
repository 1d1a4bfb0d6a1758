// What a model belongs to, as carried by model envelopes and fetch requests.
import { fail, ok, unwrapOrThrow, type Result } from '../errors.js';
import { checkClusterId, checkPeerId } from '../ids.js';
import type { Limits } from '../limits.js';

/**
 * The global model shared by all heads, one cluster's model, or one peer's warm-up model (trained
 * on its own data before clustering, scored by others for loss-based clustering).
 */
export type Scope =
  { kind: 'global' } | { kind: 'cluster'; cluster: string } | { kind: 'warmup'; peer: string };

/** The protobuf `oneof scope` of ModelEnvelope and FetchRequest: no field means global. */
export interface PbScope {
  cluster?: string;
  warmupPeer?: string;
}

/** Validates a decoded scope; both fields set is malformed (the frame scan already rules it out). */
export function scopeFromPb(m: PbScope, lim: Limits): Result<Scope> {
  if (m.cluster !== undefined && m.warmupPeer !== undefined) return fail('malformed', 'two scopes', 'scope');
  if (m.cluster !== undefined) {
    const c = checkClusterId(m.cluster, lim.maxStringLength);
    return c.ok ? ok({ kind: 'cluster', cluster: c.value }) : c;
  }
  if (m.warmupPeer !== undefined) {
    const p = checkPeerId(m.warmupPeer, lim.maxStringLength, 'warmupPeer');
    return p.ok ? ok({ kind: 'warmup', peer: p.value }) : p;
  }
  return ok({ kind: 'global' });
}

/** The protobuf fields of a scope (encoder side: throws ProtocolEncodeError on an unknown kind). */
export function scopeToPb(s: Scope): PbScope {
  switch (s?.kind) {
    case 'global':
      return {};
    case 'cluster':
      return { cluster: s.cluster };
    case 'warmup':
      return { warmupPeer: s.peer };
    default:
      return unwrapOrThrow(fail('malformed', 'unknown scope kind', 'scope'));
  }
}
