// Canonical byte strings of secure aggregation: the round context (HKDF salt), what a key
// advertisement's signature covers, the AEAD associated data of a share, and the HKDF `info` of
// each derived key. Every string is length-prefixed so no two fields can be confused.
import { createHash } from 'node:crypto';
import type { SecAggRound } from './types.js';

const DOMAIN = 'ppfm/secagg/v1';
const te = new TextEncoder();

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
}

/** A 2-byte length prefix then the bytes (strings as UTF-8). */
function lp(v: string | Uint8Array): Uint8Array {
  const b = typeof v === 'string' ? te.encode(v) : v;
  const out = new Uint8Array(2 + b.length);
  new DataView(out.buffer).setUint16(0, b.length, true);
  out.set(b, 2);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The round context (cluster, round, term): salt of every HKDF of the round. */
export function roundContext(r: SecAggRound): Uint8Array {
  return concat([lp(DOMAIN), lp(r.cluster), u32(r.round), u32(r.term)]);
}

/** The fields of a key advertisement that its identity signature covers. */
export interface AdvertBody extends SecAggRound {
  sender: string;
  cipherKey: Uint8Array;
  maskKey: Uint8Array;
  commitment: Uint8Array;
}

/** The bytes a member signs (and every other member verifies) for its key advertisement. */
export function advertSigningBytes(a: AdvertBody): Uint8Array {
  return concat([
    lp(`${DOMAIN}/advert`),
    roundContext(a),
    lp(a.sender),
    lp(a.cipherKey),
    lp(a.maskKey),
    lp(a.commitment),
  ]);
}

/** AEAD associated data of the share `sender` encrypts for `recipient` in round r. */
export function shareAad(r: SecAggRound, sender: string, recipient: string): Uint8Array {
  return concat([lp(`${DOMAIN}/share`), roundContext(r), lp(sender), lp(recipient)]);
}

/** HKDF info of the share-encryption key from sender to recipient (one key per direction). */
export function shareKeyInfo(sender: string, recipient: string): Uint8Array {
  return concat([lp('share-key'), lp(sender), lp(recipient)]);
}

/** HKDF info of the pairwise mask of u and v (order-independent). */
export function pairMaskInfo(u: string, v: string): Uint8Array {
  const [a, b] = u < v ? [u, v] : [v, u];
  return concat([lp('pair-mask'), lp(a), lp(b)]);
}

/** HKDF info of u's self mask. */
export function selfMaskInfo(u: string): Uint8Array {
  return concat([lp('self-mask'), lp(u)]);
}

/** SHA-256 commitment to u's self-mask seed, published (signed) in its advert. */
export function seedCommitment(r: SecAggRound, sender: string, seed: Uint8Array): Uint8Array {
  const h = createHash('sha256');
  h.update(concat([lp(`${DOMAIN}/commit`), roundContext(r), lp(sender), lp(seed)]));
  return new Uint8Array(h.digest());
}
