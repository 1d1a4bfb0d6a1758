// Private networks, for deployments that want strangers kept out altogether: an allowlist of peer
// ids (the connection gater refuses any other peer, inbound or outbound, right after the
// encryption handshake proves its id) and/or a pre-shared swarm key (libp2p's pnet: without the
// key a connection never gets past its first bytes). Both are read from files with a clear
// one-line error naming the file, the line and what is wrong.
import { readFile } from 'node:fs/promises';
import type { ConnectionGater, PeerId } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';

/** A file that cannot be used as it is (message: `FILE[:LINE]: what is wrong`). */
export class PrivateNetworkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrivateNetworkError';
  }
}

/**
 * Parses an allowlist: one peer id per line; blank lines and `#` comments are skipped. Throws
 * PrivateNetworkError naming `file` and the line of the first entry that is not a peer id.
 */
export function parseAllowList(text: string, file: string): Set<string> {
  const out = new Set<string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const entry = (lines[i] as string).replace(/#.*$/, '').trim();
    if (entry === '') continue;
    try {
      out.add(peerIdFromString(entry).toString());
    } catch {
      throw new PrivateNetworkError(`${file}:${i + 1}: not a peer id: ${JSON.stringify(entry.slice(0, 80))}`);
    }
  }
  if (out.size === 0) throw new PrivateNetworkError(`${file}: no peer ids (one per line expected)`);
  return out;
}

/** Reads and parses an allowlist file (see parseAllowList). */
export async function readAllowList(path: string): Promise<Set<string>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new PrivateNetworkError(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseAllowList(text, path);
}

/**
 * A connection gater admitting only `allowed` peers (plus `self`): dials to others are not made,
 * and a connection from or to another peer is closed once its encryption handshake names it.
 */
export function allowListGater(allowed: ReadonlySet<string>, self: string): ConnectionGater {
  const denied = (peer: PeerId): boolean => {
    const id = peer.toString();
    return id !== self && !allowed.has(id);
  };
  return {
    denyDialPeer: async (peer) => denied(peer),
    denyInboundEncryptedConnection: async (peer) => denied(peer),
    denyOutboundEncryptedConnection: async (peer) => denied(peer),
  };
}

const SWARM_KEY_HEADER = '/key/swarm/psk/1.0.0/';

/**
 * Checks a swarm key file's text (`/key/swarm/psk/1.0.0/`, `/base16/`, 64 hex digits, as
 * `ppfm`'s and IPFS's key generators write it) and returns its bytes for @libp2p/pnet.
 */
export function parseSwarmKey(text: string, file: string): Uint8Array {
  const lines = text.split(/\r?\n/);
  if (lines[0]?.trim() !== SWARM_KEY_HEADER)
    throw new PrivateNetworkError(
      `${file}:1: expected "${SWARM_KEY_HEADER}", got ${JSON.stringify((lines[0] ?? '').slice(0, 40))}`,
    );
  if (lines[1]?.trim() !== '/base16/')
    throw new PrivateNetworkError(`${file}:2: expected "/base16/" (the only encoding supported)`);
  const hex = (lines[2] ?? '').trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex))
    throw new PrivateNetworkError(
      `${file}:3: expected 64 hex digits (a 32-byte key), got ${hex.length} characters`,
    );
  return new TextEncoder().encode(`${SWARM_KEY_HEADER}\n/base16/\n${hex.toLowerCase()}`);
}

/** Reads and checks a swarm key file (see parseSwarmKey). */
export async function readSwarmKey(path: string): Promise<Uint8Array> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new PrivateNetworkError(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseSwarmKey(text, path);
}

/** A fresh swarm key file's text (32 random bytes), for `--swarm-key` files and tests. */
export function generateSwarmKey(): string {
  const key = new Uint8Array(32);
  crypto.getRandomValues(key);
  const hex = [...key].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${SWARM_KEY_HEADER}\n/base16/\n${hex}\n`;
}
