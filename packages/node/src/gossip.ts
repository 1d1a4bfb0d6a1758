// Gossip helpers: every inbound message is decoded and checked in the topic validator
// (Reject invalid so the sender's score drops, Ignore stale), and handlers get only the
// decoded value of accepted messages.
import type { GossipsubEvents } from '@chainsafe/libp2p-gossipsub';
import { TopicValidatorResult, type Message, type PeerId, type PubSub } from '@libp2p/interface';
import type { TrafficCounter } from './traffic.js';

/** Outcome of validating one gossip message. */
export type Verdict =
  | { result: 'accept' }
  | { result: 'ignore'; reason: string }
  | { result: 'reject'; reason: string; detail?: string };

/** A decoder in the style of @ppfm/protocol's `Result`. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string } };

export interface TopicSpec<T> {
  /** Frames larger than this are rejected before decoding (default: no extra cap). */
  maxBytes?: number;
  decode: (bytes: Uint8Array) => Decoded<T>;
  /** Semantic checks after decoding: sender matches, current round, known cluster... */
  check?: (value: T, from: string) => Verdict;
  onMessage: (value: T, from: string) => void;
}

export interface RejectInfo {
  topic: string;
  from: string;
  reason: string;
  detail: string;
}

/** Subscribes and validates PPFM gossip topics on one pubsub service. */
export class Gossip {
  private readonly specs = new Map<string, TopicSpec<unknown>>();
  // Decoded values of messages the validator accepted, so handlers do not decode twice.
  private readonly decoded = new WeakMap<Uint8Array, { value: unknown; from: string }>();
  private readonly onMsg: (evt: CustomEvent<Message>) => void;

  constructor(
    private readonly pubsub: PubSub<GossipsubEvents>,
    private readonly onReject: (info: RejectInfo) => void,
    private readonly onIgnore?: (info: RejectInfo) => void,
    private readonly traffic?: TrafficCounter,
  ) {
    this.onMsg = (evt) => this.deliver(evt.detail);
    this.pubsub.addEventListener('message', this.onMsg);
  }

  /** Installs the validator for `topic` and subscribes to it. */
  join<T>(topic: string, spec: TopicSpec<T>): void {
    this.specs.set(topic, spec as TopicSpec<unknown>);
    this.pubsub.topicValidators.set(topic, (peer, msg) => this.validate(topic, peer, msg));
    this.pubsub.subscribe(topic);
  }

  /** Unsubscribes from `topic` and removes its validator. */
  leave(topic: string): void {
    if (!this.specs.delete(topic)) return;
    this.pubsub.topicValidators.delete(topic);
    this.pubsub.unsubscribe(topic);
  }

  /** Topics currently joined. */
  topics(): string[] {
    return [...this.specs.keys()];
  }

  /** Publishes raw bytes; never throws (zero-peer topics are allowed, errors are transient). */
  async publish(topic: string, bytes: Uint8Array): Promise<number> {
    try {
      const r = await this.pubsub.publish(topic, bytes);
      // Approximate fan-out: payload once per direct recipient (gossipsub forwarding not counted).
      this.traffic?.add('gossip', bytes.byteLength * r.recipients.length, 0);
      return r.recipients.length;
    } catch {
      return 0;
    }
  }

  /** Detaches from the pubsub service. */
  close(): void {
    this.pubsub.removeEventListener('message', this.onMsg);
    for (const t of [...this.specs.keys()]) this.leave(t);
  }

  private validate(topic: string, peer: PeerId, msg: Message): TopicValidatorResult {
    const spec = this.specs.get(topic);
    if (spec === undefined) return TopicValidatorResult.Ignore;
    // Unsigned messages carry no author: nothing to attribute state to.
    const from = msg.type === 'signed' ? msg.from.toString() : peer.toString();
    let verdict: Verdict;
    let value: unknown;
    // A plain, unshared copy: libp2p hands out Node Buffers (pool views), whose .slice() does
    // not copy, and decoders must never read neighbouring pool bytes.
    const data = new Uint8Array(msg.data);
    this.traffic?.add('gossip', 0, data.byteLength);
    try {
      if (spec.maxBytes !== undefined && data.byteLength > spec.maxBytes) {
        verdict = {
          result: 'reject',
          reason: 'too_large',
          detail: `${data.byteLength} > ${spec.maxBytes} bytes`,
        };
      } else {
        verdict = { result: 'accept' };
      }
      const d: Decoded<unknown> =
        verdict.result === 'reject' ? { ok: true, value: undefined } : spec.decode(data);
      if (verdict.result === 'reject') {
        // oversized: already decided
      } else if (!d.ok) {
        verdict = { result: 'reject', reason: d.error.code, detail: d.error.message };
      } else {
        value = d.value;
        verdict = spec.check ? spec.check(d.value, from) : { result: 'accept' };
      }
    } catch (err) {
      verdict = { result: 'reject', reason: 'malformed', detail: (err as Error).message };
    }
    if (verdict.result === 'reject') {
      this.onReject({ topic, from: peer.toString(), reason: verdict.reason, detail: verdict.detail ?? '' });
      return TopicValidatorResult.Reject;
    }
    if (verdict.result === 'ignore') {
      this.onIgnore?.({ topic, from: peer.toString(), reason: verdict.reason, detail: '' });
      return TopicValidatorResult.Ignore;
    }
    this.decoded.set(msg.data, { value, from });
    return TopicValidatorResult.Accept;
  }

  private deliver(msg: Message): void {
    const spec = this.specs.get(msg.topic);
    const hit = this.decoded.get(msg.data);
    if (spec === undefined || hit === undefined) return;
    this.decoded.delete(msg.data);
    try {
      spec.onMessage(hit.value, hit.from);
    } catch {
      // a handler bug must not break the gossip event loop; handlers log their own errors
    }
  }
}
