// /ppfm/1/model/fetch: serves this peer's cluster model (and its warm-up model) to peers that
// ask. Read-only against the model store; records who fetched a head's final model.
import { decodeFetchRequest, encodeError, encodeModelEnvelope, PROTOCOL_MODEL_FETCH } from '@ppfm/protocol';
import { logEvent, type PeerComponents } from '../components.js';

export type FetchComponents = Pick<PeerComponents, 'self' | 'bus' | 'store' | 'spec' | 'settings'>;

/** Handles one fetch request body from `from`; returns the reply bytes. */
export function handleFetch(
  c: FetchComponents,
  body: Uint8Array,
  from: string,
  onServed?: (from: string, round: number) => void,
  /** Our cluster's id now: the held model is served under it too (ids are renamed when views merge). */
  currentCluster?: () => string | undefined,
): Uint8Array {
  const r = decodeFetchRequest(body);
  if (!r.ok) {
    logEvent(c, {
      event: 'message_rejected',
      protocol: PROTOCOL_MODEL_FETCH,
      from,
      reason: r.error.code,
      detail: r.error.message,
    });
    return encodeError({ code: 'rejected', message: `${r.error.code}: ${r.error.message}`.slice(0, 500) });
  }
  const q = r.value;
  const codec = q.codec ?? c.settings.codec;
  if (q.scope.kind === 'warmup') {
    const w = c.store.warmup;
    if (q.scope.peer !== c.self || w === undefined)
      return encodeError({ code: 'not_found', message: 'no such warm-up model here' });
    return encodeModelEnvelope({
      modelId: `warmup/${c.self.slice(-16)}`,
      scope: q.scope,
      round: 0,
      term: 0,
      specHash: c.spec,
      codec,
      weights: w,
    });
  }
  const m = c.store.model;
  const asked = q.scope.kind === 'cluster' ? q.scope.cluster : undefined;
  const ours =
    m !== undefined && (m.cluster === asked || (asked !== undefined && currentCluster?.() === asked));
  if (asked === undefined || m === undefined || !ours || m.round < q.minRound)
    return encodeError({ code: 'not_found', message: 'no such model here' });
  onServed?.(from, m.round);
  return encodeModelEnvelope({
    modelId: `${asked}/round-${m.round}`,
    scope: { kind: 'cluster', cluster: asked },
    round: m.round,
    term: m.term,
    specHash: c.spec,
    codec,
    weights: m.weights,
  });
}
