// Fetching models from other peers over /ppfm/1/model/fetch: one place that dials, caps the
// reply at what a model of our spec can legitimately weigh, decodes, checks shapes, and logs
// every refusal. Returns undefined (never throws) when the model cannot be had.
import { peerIdFromString } from '@libp2p/peer-id';
import { weightSetsCompatible, type WeightSet } from '@ppfm/meta/light';
import {
  decodeDirect,
  encodeFetchRequest,
  PROTOCOL_MODEL_FETCH,
  type Codec,
  type Scope,
} from '@ppfm/protocol';
import { logEvent, type PeerComponents } from '../components.js';
import type { HeldModel } from '../services/model-store.js';
import { request, StreamError } from '../streams.js';

export type ModelClientComponents = Pick<
  PeerComponents,
  'libp2p' | 'bus' | 'timing' | 'settings' | 'spec' | 'store'
>;

/** Why a fetch gave no model: the decoder's or the stream's code, `not_served`, `unreachable`. */
export interface Refusal {
  ok: false;
  reason: string;
  detail: string;
}

/** A fetched model, or why there is none. */
export type FetchOutcome = { ok: true; model: HeldModel } | Refusal;

/** Fetches cluster (or warm-up) models from peers. */
export class ModelClient {
  /** Encoded size of the last cluster model fetched (for traffic accounting). */
  lastModelBytes = 0;

  constructor(private readonly c: ModelClientComponents) {}

  /** Fetches `cluster`'s model at round >= minRound from `peer`; undefined (logged) on failure. */
  async fetch(
    peer: string,
    cluster: string,
    minRound: number,
    signal?: AbortSignal,
  ): Promise<HeldModel | undefined> {
    const r = await this.fetchOrWhy(peer, cluster, minRound, signal);
    return r.ok ? r.model : undefined;
  }

  /** As fetch, but says why there is no model (the refusals are logged as message_rejected too). */
  async fetchOrWhy(
    peer: string,
    cluster: string,
    minRound: number,
    signal?: AbortSignal,
  ): Promise<FetchOutcome> {
    const bytes = await this.exchange(peer, { kind: 'cluster', cluster }, minRound, signal);
    if (!(bytes instanceof Uint8Array)) return bytes;
    const m = this.decode(peer, bytes, (s) => s.kind === 'cluster' && s.cluster === cluster);
    if (!('weights' in m)) return m;
    this.lastModelBytes = bytes.byteLength;
    return { ok: true, model: { cluster, round: m.round, term: m.term, weights: m.weights, source: peer } };
  }

  /** Fetches `peer`'s warm-up model (loss-based clustering). */
  async fetchWarmup(peer: string, signal?: AbortSignal): Promise<WeightSet | undefined> {
    const bytes = await this.exchange(peer, { kind: 'warmup', peer }, 0, signal);
    if (!(bytes instanceof Uint8Array)) return undefined;
    const m = this.decode(peer, bytes, (s) => s.kind === 'warmup' && s.peer === peer);
    return 'weights' in m ? m.weights : undefined;
  }

  private async exchange(
    peer: string,
    scope: Scope,
    minRound: number,
    signal?: AbortSignal,
  ): Promise<Uint8Array | Refusal> {
    let pid;
    try {
      pid = peerIdFromString(peer);
    } catch {
      return { ok: false, reason: 'bad_peer_id', detail: peer };
    }
    try {
      return await request(
        this.c.libp2p,
        pid,
        PROTOCOL_MODEL_FETCH,
        encodeFetchRequest({ scope, minRound, codec: this.c.settings.codec as Codec }),
        { maxBytes: this.c.settings.streamMaxBytes, timeoutMs: this.c.timing.fetchTimeoutMs },
        signal,
      );
    } catch (err) {
      if (err instanceof StreamError && err.code === 'too_large') {
        this.rejected(peer, 'too_large', err.message);
        return { ok: false, reason: 'too_large', detail: err.message };
      }
      return { ok: false, reason: 'unreachable', detail: (err as Error).message };
    }
  }

  private decode(
    peer: string,
    bytes: Uint8Array,
    scopeOk: (s: Scope) => boolean,
  ): { round: number; term: number; weights: WeightSet } | Refusal {
    const r = decodeDirect(bytes, { maxBytes: this.c.settings.streamMaxBytes }, { specHash: this.c.spec });
    if (!r.ok) {
      this.rejected(peer, r.error.code, r.error.message);
      return { ok: false, reason: r.error.code, detail: r.error.message };
    }
    const m = r.value;
    // not_found etc.: the peer said no, nothing hostile
    if (m.kind === 'error') return { ok: false, reason: 'not_served', detail: `${m.code}: ${m.message}` };
    if (m.kind !== 'model') {
      this.rejected(peer, 'unknown_kind', m.kind);
      return { ok: false, reason: 'unknown_kind', detail: m.kind };
    }
    if (!weightSetsCompatible(m.weights, this.c.store.template) || !scopeOk(m.scope)) {
      this.rejected(peer, 'shape_mismatch', m.modelId);
      return { ok: false, reason: 'shape_mismatch', detail: m.modelId };
    }
    return { round: m.round, term: m.term, weights: m.weights };
  }

  private rejected(from: string, reason: string, detail: string): void {
    logEvent(this.c, { event: 'message_rejected', protocol: PROTOCOL_MODEL_FETCH, from, reason, detail });
  }
}
