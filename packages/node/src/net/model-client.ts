// Fetching models from other peers over /ppfm/1/model/fetch: one place that dials, caps the
// reply at what a model of our spec can legitimately weigh, decodes, checks shapes, and logs
// every refusal. Returns undefined (never throws) when the model cannot be had.
import { peerIdFromString } from '@libp2p/peer-id';
import { weightSetsCompatible, type WeightSet } from '@ppfm/meta';
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
    const bytes = await this.exchange(peer, { kind: 'cluster', cluster }, minRound, signal);
    if (bytes === undefined) return undefined;
    const m = this.decode(peer, bytes, (s) => s.kind === 'cluster' && s.cluster === cluster);
    if (m === undefined) return undefined;
    this.lastModelBytes = bytes.byteLength;
    return { cluster, round: m.round, term: m.term, weights: m.weights, source: peer };
  }

  /** Fetches `peer`'s warm-up model (loss-based clustering). */
  async fetchWarmup(peer: string, signal?: AbortSignal): Promise<WeightSet | undefined> {
    const bytes = await this.exchange(peer, { kind: 'warmup', peer }, 0, signal);
    if (bytes === undefined) return undefined;
    return this.decode(peer, bytes, (s) => s.kind === 'warmup' && s.peer === peer)?.weights;
  }

  private async exchange(
    peer: string,
    scope: Scope,
    minRound: number,
    signal?: AbortSignal,
  ): Promise<Uint8Array | undefined> {
    let pid;
    try {
      pid = peerIdFromString(peer);
    } catch {
      return undefined;
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
      if (err instanceof StreamError && err.code === 'too_large')
        this.rejected(peer, 'too_large', err.message);
      return undefined;
    }
  }

  private decode(
    peer: string,
    bytes: Uint8Array,
    scopeOk: (s: Scope) => boolean,
  ): { round: number; term: number; weights: WeightSet } | undefined {
    const r = decodeDirect(bytes, { maxBytes: this.c.settings.streamMaxBytes }, { specHash: this.c.spec });
    if (!r.ok) {
      this.rejected(peer, r.error.code, r.error.message);
      return undefined;
    }
    const m = r.value;
    if (m.kind === 'error') return undefined; // not_found etc.: the peer said no, nothing hostile
    if (m.kind !== 'model') {
      this.rejected(peer, 'unknown_kind', m.kind);
      return undefined;
    }
    if (!weightSetsCompatible(m.weights, this.c.store.template) || !scopeOk(m.scope)) {
      this.rejected(peer, 'shape_mismatch', m.modelId);
      return undefined;
    }
    return { round: m.round, term: m.term, weights: m.weights };
  }

  private rejected(from: string, reason: string, detail: string): void {
    logEvent(this.c, { event: 'message_rejected', protocol: PROTOCOL_MODEL_FETCH, from, reason, detail });
  }
}
