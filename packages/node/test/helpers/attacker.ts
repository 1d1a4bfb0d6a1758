// A hostile peer for tests: a stock libp2p node with PPFM's transports and gossipsub that
// speaks the wire through @ppfm/protocol's own encoders (or raw bytes), subscribes to any topic,
// publishes anything, serves any protocol and pushes to anyone.
import '../../src/polyfill.js';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { createHost, type StartedHost } from '../../src/host.js';
import { request, serve } from '../../src/streams.js';

let names = 0;

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
  stop(): Promise<void>;
}

/** Starts an attacker that bootstraps into the test network (memory transport by default). */
export async function startAttacker(
  bootstrap: string[],
  transport: 'memory' | 'tcp' = 'memory',
): Promise<Attacker> {
  const privateKey = (await generateKeyPair('Ed25519')) as unknown as PrivateKey;
  const host = await createHost({
    privateKey,
    transport,
    listen: [transport === 'memory' ? `/memory/attacker-${process.pid}-${++names}` : '/ip4/127.0.0.1/tcp/0'],
    bootstrap,
    oneHost: true,
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
    stop: () => host.stop(),
  };
}
