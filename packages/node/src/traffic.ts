/**
 * Per-peer traffic accounting: application payload bytes of direct-protocol requests/responses
 * (model fetch, update push, peer exchange) and gossip publishes/deliveries. Transport overhead
 * (length prefixes, yamux, Noise, gossipsub control and forwarding) is not counted.
 */
import { PROTOCOL_VIEW_SYNC } from '@ppfm/protocol';
import type { Host } from './host.js';

/** Which path the bytes took: direct request/response streams, or gossip payloads. */
export type TrafficKind = 'direct' | 'gossip';

/** Membership control streams (anti-entropy) count with gossip: `direct` stays the model traffic. */
export function trafficKindOf(protocol: string): TrafficKind {
  return protocol === PROTOCOL_VIEW_SYNC ? 'gossip' : 'direct';
}

/** Byte totals of one window. */
export interface TrafficTotals {
  sentBytes: number;
  receivedBytes: number;
  /** The direct-stream part of sentBytes (model fetch, update push, peer exchange). */
  directSentBytes: number;
}

/** Cumulative and since-last-round byte counters of one peer. */
export class TrafficCounter {
  private readonly total: TrafficTotals = { sentBytes: 0, receivedBytes: 0, directSentBytes: 0 };
  private mark: TrafficTotals = { ...this.total };

  /** Records `sent` bytes out and `received` bytes in. */
  add(kind: TrafficKind, sent: number, received: number): void {
    this.total.sentBytes += sent;
    this.total.receivedBytes += received;
    if (kind === 'direct') this.total.directSentBytes += sent;
  }

  /** Totals since start. */
  get totals(): TrafficTotals {
    return { ...this.total };
  }

  /** Bytes since the previous call (or since creation); starts a new per-round window. */
  takeRound(): TrafficTotals {
    const t = this.total;
    const m = this.mark;
    this.mark = { ...t };
    return {
      sentBytes: t.sentBytes - m.sentBytes,
      receivedBytes: t.receivedBytes - m.receivedBytes,
      directSentBytes: t.directSentBytes - m.directSentBytes,
    };
  }
}

// Keyed by host so that every module using streams.ts on that host (peer, pex) counts
// into the same place without threading a counter through each call.
const counters = new WeakMap<Host, TrafficCounter>();

/** Makes `counter` receive the stream traffic of `host`. */
export function attachTraffic(host: Host, counter: TrafficCounter): void {
  counters.set(host, counter);
}

/** The counter attached to `host`, if any. */
export function trafficOf(host: Host): TrafficCounter | undefined {
  return counters.get(host);
}
