// Helpers for multi-node tests on 127.0.0.1: waiting on conditions, raw hosts.
import '../../src/polyfill.js';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { createHost, type StartedHost } from '../../src/host.js';

/** Polls `cond` every `stepMs` until it is true or `timeoutMs` passes (then throws with `what`). */
export async function waitFor(
  cond: () => boolean,
  timeoutMs: number,
  what: string,
  stepMs = 50,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Starts a loopback host with a fresh Ed25519 identity. */
export async function rawHost(bootstrap: string[] = [], gossipMaxBytes?: number): Promise<StartedHost> {
  // @libp2p/crypto may resolve a nested copy of @libp2p/interface: same shape, distinct type.
  const privateKey = (await generateKeyPair('Ed25519')) as unknown as PrivateKey;
  return createHost({
    privateKey,
    listen: ['/ip4/127.0.0.1/tcp/0'],
    bootstrap,
    oneHost: true,
    gossipMaxBytes,
  });
}
