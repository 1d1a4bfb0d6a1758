// The peer's typed event bus, in the style of Lodestar's network/events.ts: services announce
// what happened here, and the log, the terminal, metrics and the checkpointer subscribe,
// instead of being called from everywhere. Delivery is synchronous and in order; a listener
// that throws is reported on `listener_error` and never breaks the emitter.
import type { LogEvent } from './log/events.js';
import type { ClusterMap, Cluster } from './clustering.js';
import type { HeldModel } from './services/model-store.js';
import type { SecAggParams, SecAggResult } from '@ppfm/protocol';

/** Peer roles as the services see them. */
export type PeerRole = 'unassigned' | 'member' | 'head';

/** Events between the peer's parts, by name. */
export interface PeerEventMap {
  /** An event for the JSON-lines log (the log, metrics and dashboard read these). */
  log: LogEvent;
  /** A line for the terminal. Waits, discards and fallbacks are always also logged. */
  notice: { level: 'info' | 'warn'; message: string };
  /** Membership changed (joins, leaves, fingerprint updates). */
  'view:changed': { peers: readonly string[]; digest: string };
  /** A new cluster map; `mine` is this peer's cluster. */
  'clusters:changed': { map: ClusterMap; mine: Cluster };
  /** This peer's role or head changed inside its cluster. */
  'role:changed': { cluster: string; role: PeerRole; head: string | undefined; term: number };
  /** This peer holds a new cluster model (fetched from its head, or published as head). */
  'model:adopted': { model: HeldModel };
  /** Secure aggregation, head: a member's masked input as received (what the head sees of it). */
  'secagg:input': { cluster: string; round: number; term: number; from: string; masked: Uint32Array };
  /** Secure aggregation, head: the decoded sum of a round. */
  'secagg:sum': { cluster: string; round: number; term: number; result: SecAggResult; params: SecAggParams };
  /** Secure aggregation, member: the exact vector and weight this peer masked (in process only). */
  'secagg:contributed': {
    cluster: string;
    round: number;
    term: number;
    update: Float32Array;
    weight: number;
  };
  /** A listener threw: logged once by the peer, the bus carries on. */
  listener_error: { event: string; error: unknown };
}

type Listener<T> = (payload: T) => void;

/** A small synchronous typed emitter. */
export class EventBus<M extends object = PeerEventMap> {
  private readonly listeners = new Map<keyof M, Set<Listener<never>>>();

  /** Subscribes; returns the unsubscribe function. */
  on<K extends keyof M>(name: K, fn: Listener<M[K]>): () => void {
    let set = this.listeners.get(name);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(fn as Listener<never>);
    return () => set.delete(fn as Listener<never>);
  }

  /** Resolves with the first payload of `name` that satisfies `pred` (tests and waits). */
  once<K extends keyof M>(
    name: K,
    pred: (p: M[K]) => boolean = () => true,
    signal?: AbortSignal,
  ): Promise<M[K]> {
    return new Promise((resolve, reject) => {
      const off = this.on(name, (p) => {
        if (!pred(p)) return;
        off();
        signal?.removeEventListener('abort', onAbort);
        resolve(p);
      });
      const onAbort = (): void => {
        off();
        reject(signal?.reason ?? new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Delivers `payload` to every listener of `name`, in subscription order. */
  emit<K extends keyof M>(name: K, payload: M[K]): void {
    const set = this.listeners.get(name);
    if (set === undefined) return;
    for (const fn of [...set]) {
      try {
        (fn as Listener<M[K]>)(payload);
      } catch (error) {
        if (name !== 'listener_error')
          this.emit('listener_error' as K, { event: String(name), error } as M[K]);
      }
    }
  }
}
