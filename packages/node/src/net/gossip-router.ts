// The one place where gossip meets the peer (Lodestar's gossipValidatorFn): every inbound
// message is size-capped, rate-limited, decoded and validated to a typed outcome before any
// state changes; only accepted messages reach a handler. Rejections lower the sender's gossipsub
// score (P4) and are logged; ignores (stale, not for us) are counted and logged once in a while.
import type { GossipsubEvents } from '@chainsafe/libp2p-gossipsub';
import { TopicValidatorResult, type Message, type PeerId, type PubSub } from '@libp2p/interface';
import { ignore, reject, rejectDecodeError, type ValidationResult } from '@ppfm/protocol';
import type { Clock } from '../clock.js';
import type { TrafficCounter } from '../traffic.js';
import { registerTopicScore, unregisterTopicScore } from './gossip-score.js';
import { RateLimiter, type RateLimit } from './rate-limit.js';

/** Outcome of validating one message: accept, ignore (no penalty) or reject (penalised). */
export type Validation = ValidationResult;

/** A decoder in the style of @ppfm/protocol's `Result`. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; error: ProtocolErrorLike };
type ProtocolErrorLike = Parameters<typeof rejectDecodeError>[0];

/** How one topic is decoded, validated and applied. */
export interface TopicHandler<T> {
  /** Frames larger than this are rejected before decoding. */
  maxBytes: number;
  decode(bytes: Uint8Array): Decoded<T>;
  /** Message kind for rate limiting (e.g. 'heartbeat'); reads state, never changes it. */
  kindOf(msg: T): string;
  /** Semantic checks against the peer's state; must not change state. */
  validate(msg: T, from: string): Validation;
  /** Applies an accepted message. */
  apply(msg: T, from: string): void;
}

/** A discarded message, for the log. */
export interface Discarded {
  topic: string;
  from: string;
  result: 'ignore' | 'reject';
  code: string;
  detail: string;
}

export interface GossipRouterInit {
  pubsub: PubSub<GossipsubEvents>;
  clock: Clock;
  onDiscard: (d: Discarded) => void;
  traffic?: TrafficCounter;
  /** Per message kind ('*' for any); default: no limit. */
  rateLimits?: Readonly<Record<string, RateLimit>>;
}

/** Subscribes, validates and dispatches PPFM gossip topics on one pubsub service. */
export class GossipRouter {
  private readonly handlers = new Map<string, TopicHandler<unknown>>();
  // Decoded values of messages the validator accepted, so handlers do not decode twice.
  private readonly decoded = new WeakMap<Uint8Array, { value: unknown; from: string }>();
  private readonly onMsg: (evt: CustomEvent<Message>) => void;
  private readonly limiter: RateLimiter;

  constructor(private readonly init: GossipRouterInit) {
    this.limiter = new RateLimiter(init.rateLimits ?? {});
    this.onMsg = (evt) => this.deliver(evt.detail);
    init.pubsub.addEventListener('message', this.onMsg);
  }

  /** Installs the validator for `topic` and subscribes to it. */
  join<T>(topic: string, h: TopicHandler<T>): void {
    this.handlers.set(topic, h as TopicHandler<unknown>);
    // Invalid messages on the topic lower the sender's gossipsub score (P4) from now on.
    registerTopicScore(this.init.pubsub, topic);
    this.init.pubsub.topicValidators.set(topic, (peer, msg) => this.validate(topic, peer, msg));
    this.init.pubsub.subscribe(topic);
  }

  /** Unsubscribes from `topic` and removes its validator. */
  leave(topic: string): void {
    if (!this.handlers.delete(topic)) return;
    this.init.pubsub.topicValidators.delete(topic);
    this.init.pubsub.unsubscribe(topic);
    unregisterTopicScore(this.init.pubsub, topic);
  }

  /** Topics currently joined. */
  topics(): string[] {
    return [...this.handlers.keys()];
  }

  /** Publishes; never throws (publish failures are transient: the next period repeats it). */
  async publish(topic: string, bytes: Uint8Array): Promise<number> {
    try {
      const r = await this.init.pubsub.publish(topic, bytes);
      this.init.traffic?.add('gossip', bytes.byteLength * r.recipients.length, 0);
      return r.recipients.length;
    } catch {
      return 0;
    }
  }

  /** Detaches from the pubsub service. */
  close(): void {
    this.init.pubsub.removeEventListener('message', this.onMsg);
    for (const t of [...this.handlers.keys()]) this.leave(t);
  }

  /** Runs the checks of one inbound message (exported for tests through `check`). */
  check(topic: string, from: string, data: Uint8Array): { v: Validation; value?: unknown } {
    const h = this.handlers.get(topic);
    if (h === undefined) return { v: ignore('unknown_cluster', topic) };
    if (data.byteLength > h.maxBytes)
      return { v: reject('too_large', `${data.byteLength} > ${h.maxBytes} bytes`) };
    let d: Decoded<unknown>;
    try {
      d = h.decode(data);
    } catch (err) {
      return { v: reject('malformed', (err as Error).message) };
    }
    if (!d.ok) return { v: rejectDecodeError(d.error) };
    const kind = h.kindOf(d.value);
    if (!this.limiter.take(from, kind, this.init.clock.now()))
      return { v: reject('rate_limited', `${kind} from ${from}`) };
    try {
      return { v: h.validate(d.value, from), value: d.value };
    } catch (err) {
      // A validator bug must not let a message through, nor crash the peer.
      return { v: ignore('internal', (err as Error).message) };
    }
  }

  private validate(topic: string, peer: PeerId, msg: Message): TopicValidatorResult {
    // StrictSign (gossipsub's default) drops unsigned messages before we see them; `from` is
    // the authenticated author, `peer` only the neighbour that forwarded it.
    const from = msg.type === 'signed' ? msg.from.toString() : peer.toString();
    // A plain, unshared copy: libp2p hands out Node Buffers (pool views).
    const data = new Uint8Array(msg.data);
    this.init.traffic?.add('gossip', 0, data.byteLength);
    const { v, value } = this.check(topic, from, data);
    if (v.result !== 'accept') {
      this.init.onDiscard({ topic, from, result: v.result, code: v.code, detail: v.detail ?? '' });
      return v.result === 'reject' ? TopicValidatorResult.Reject : TopicValidatorResult.Ignore;
    }
    this.decoded.set(msg.data, { value, from });
    return TopicValidatorResult.Accept;
  }

  private deliver(msg: Message): void {
    const h = this.handlers.get(msg.topic);
    const hit = this.decoded.get(msg.data);
    if (h === undefined || hit === undefined) return;
    this.decoded.delete(msg.data);
    try {
      h.apply(hit.value, hit.from);
    } catch (err) {
      this.init.onDiscard({
        topic: msg.topic,
        from: hit.from,
        result: 'ignore',
        code: 'internal',
        detail: (err as Error)?.message ?? String(err),
      });
    }
  }
}
