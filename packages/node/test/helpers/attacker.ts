// A hostile peer for tests: a stock libp2p node with PPFM's transports and gossipsub that
// speaks the wire through @ppfm/protocol's own encoders (or raw bytes), subscribes to any topic,
// publishes anything, serves any protocol and pushes to anyone.
import '../../src/polyfill.js';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id';
import { createHost, type StartedHost } from '../../src/host.js';
import { request, serve } from '../../src/streams.js';

let names = 0;

/**
 * A key whose peer id sorts after every id in `ids`: with equal capacities the election prefers the
 * smallest id, so a hostile member built on it is never the candidate its view would elect.
 */
export async function keySortingAfter(ids: readonly string[]): Promise<PrivateKey> {
  const max = [...ids].sort().at(-1) ?? '';
  for (;;) {
    const k = (await generateKeyPair('Ed25519')) as unknown as PrivateKey;
    if (peerIdFromPrivateKey(k).toString() > max) return k;
  }
}

/** The attacker's handle. */
export interface Attacker {
  host: StartedHost;
  id: string;
  /** Subscribes to `topics` and resolves once `min` peers are seen on each. */
  join(topics: string[], min?: number): Promise<void>;
  /** Publishes raw bytes (signed by the attacker, as gossipsub requires); never throws. */
  publish(topic: string, bytes: Uint8Array): Promise<number>;
  /** Sends one request on a direct protocol; resolves with the reply or the error. */
  ask(
    peer: string,
    protocol: string,
    body: Uint8Array,
    maxBytes?: number,
    timeoutMs?: number,
  ): Promise<Uint8Array | Error>;
  /** Serves `protocol` with `reply`; returns how many requests it got so far. */
  serve(protocol: string, reply: (body: Uint8Array, from: string) => Uint8Array): Promise<() => number>;
  /** Starts recording every gossip message it receives as it came over the wire (signed by its author). */
  capture(): CapturedMessage[];
  /** Sends recorded messages, byte for byte, to every peer it is connected to; returns how many RPCs went out. */
  replay(msgs: readonly CapturedMessage[]): number;
  stop(): Promise<void>;
}

/** Messages per replayed RPC (well under the receivers' 1 MiB frame limit). */
const REPLAY_BATCH = 32;

/** A gossip message as it travels in an RPC (author, seqno, signature and key included). */
export interface CapturedMessage {
  from?: Uint8Array;
  data?: Uint8Array;
  seqno?: Uint8Array;
  topic: string;
  signature?: Uint8Array;
  key?: Uint8Array;
}

/** The internals of gossipsub an attacker uses to record and re-send raw messages. */
interface RawGossip {
  handleReceivedRpc(from: unknown, rpc: { messages: CapturedMessage[] }): Promise<void>;
  sendRpc(id: string, rpc: { subscriptions: never[]; messages: CapturedMessage[] }): boolean;
}

/** How the attacker's host is built (defaults: memory transport, a fresh key, signed gossip). */
export interface AttackerOptions {
  transport?: 'memory' | 'tcp';
  /** Its key; default a fresh Ed25519 key. */
  privateKey?: PrivateKey;
  /** Publish unsigned messages (gossipsub StrictNoSign) instead of signed ones. */
  unsigned?: boolean;
  /** A swarm key to join a private network with (default none). */
  swarmKey?: Uint8Array;
}

/** Starts an attacker that bootstraps into the test network (memory transport by default). */
export async function startAttacker(
  bootstrap: string[],
  transportOrOptions: 'memory' | 'tcp' | AttackerOptions = 'memory',
): Promise<Attacker> {
  const o: AttackerOptions =
    typeof transportOrOptions === 'string' ? { transport: transportOrOptions } : transportOrOptions;
  const transport = o.transport ?? 'memory';
  const privateKey = o.privateKey ?? ((await generateKeyPair('Ed25519')) as unknown as PrivateKey);
  const host = await createHost({
    privateKey,
    transport,
    listen: [transport === 'memory' ? `/memory/attacker-${process.pid}-${++names}` : '/ip4/127.0.0.1/tcp/0'],
    bootstrap,
    oneHost: true,
    ...(o.unsigned === true ? { signaturePolicy: 'StrictNoSign' as const } : {}),
    ...(o.swarmKey !== undefined ? { swarmKey: o.swarmKey } : {}),
  });
  const ps = host.libp2p.services.pubsub;
  return {
    host,
    id: host.libp2p.peerId.toString(),
    async join(topics, min = 1) {
      for (const t of topics) ps.subscribe(t);
      await new Promise<void>((resolve, reject) => {
        const deadline = Date.now() + 20_000;
        const check = (): void => {
          if (topics.every((t) => ps.getSubscribers(t).length >= min)) return resolve();
          if (Date.now() > deadline)
            return reject(new Error(`attacker sees no subscribers on ${topics.join(', ')}`));
          setTimeout(check, 50);
        };
        check();
      });
    },
    async publish(topic, bytes) {
      try {
        return (await ps.publish(topic, bytes)).recipients.length;
      } catch {
        return 0;
      }
    },
    async ask(peer, protocol, body, maxBytes = 64 << 20, timeoutMs = 5000) {
      try {
        return await request(host.libp2p, peerIdFromString(peer), protocol, body, { maxBytes, timeoutMs });
      } catch (err) {
        return err as Error;
      }
    },
    async serve(protocol, reply) {
      let n = 0;
      await serve(
        host.libp2p,
        protocol,
        async (b, from) => {
          n++;
          return reply(b, from);
        },
        { encodeError: () => new Uint8Array(0) },
      );
      return () => n;
    },
    capture() {
      const out: CapturedMessage[] = [];
      const raw = ps as unknown as RawGossip;
      const orig = raw.handleReceivedRpc.bind(raw);
      raw.handleReceivedRpc = async (from, rpc) => {
        for (const m of rpc.messages) out.push({ ...m });
        return orig(from, rpc);
      };
      return out;
    },
    replay(msgs) {
      const raw = ps as unknown as RawGossip;
      let sent = 0;
      // In RPCs of at most REPLAY_BATCH messages: one RPC of a whole capture can pass the peers'
      // 1 MiB inbound frame limit, and the receiver then drops all of it unread (a capture of ~280
      // signed fingerprints did, and the replay test saw nothing to call stale).
      for (const peer of host.libp2p.getPeers())
        for (let i = 0; i < msgs.length; i += REPLAY_BATCH)
          if (raw.sendRpc(peer.toString(), { subscriptions: [], messages: msgs.slice(i, i + REPLAY_BATCH) }))
            sent++;
      return sent;
    },
    stop: () => host.stop(),
  };
}
