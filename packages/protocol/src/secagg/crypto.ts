// Key agreement and share encryption from node:crypto: X25519 keys from raw 32-byte secrets,
// Diffie-Hellman, HKDF-SHA256, AES-256-GCM, and the Shamir sharing (shamir-secret-sharing, audited,
// GF(2^8), at most 255 shares) wrapped so that no malformed share can throw.
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  hkdfSync,
  type KeyObject,
} from 'node:crypto';
import { combine, split } from 'shamir-secret-sharing';

/** Raw X25519 key and seed size. */
export const KEY_BYTES = 32;
/** A Shamir share of a 32-byte secret: 32 value bytes and the x coordinate. */
export const SHARE_BYTES = KEY_BYTES + 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Plaintext of an encrypted share pair: share of the mask key, then share of the self-mask seed. */
export const SHARE_PAIR_BYTES = 2 * SHARE_BYTES;
/** nonce || ciphertext || tag of one share pair. */
export const CIPHERTEXT_BYTES = NONCE_BYTES + SHARE_PAIR_BYTES + TAG_BYTES;

// DER prefixes of X25519 keys (RFC 8410): PKCS#8 private and SubjectPublicKeyInfo public.
const PKCS8_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20,
]);
const SPKI_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00]);

function withPrefix(prefix: Uint8Array, raw: Uint8Array): Buffer {
  const out = Buffer.alloc(prefix.length + raw.length);
  out.set(prefix, 0);
  out.set(raw, prefix.length);
  return out;
}

/** An X25519 key pair made from a raw 32-byte secret (which is what gets Shamir-shared). */
export interface X25519Pair {
  secret: Uint8Array;
  privateKey: KeyObject;
  publicKey: Uint8Array;
}

/** Builds the X25519 key pair of a 32-byte secret. */
export function x25519FromSecret(secret: Uint8Array): X25519Pair {
  const privateKey = createPrivateKey({
    key: withPrefix(PKCS8_PREFIX, secret),
    format: 'der',
    type: 'pkcs8',
  });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return { secret: secret.slice(), privateKey, publicKey: new Uint8Array(spki.subarray(SPKI_PREFIX.length)) };
}

/**
 * X25519 shared secret of our private key and a peer's raw public key; undefined for a key of the
 * wrong size, one node:crypto refuses, or a low-order point (all-zero secret).
 */
export function agree(privateKey: KeyObject, peerPublic: Uint8Array): Uint8Array | undefined {
  if (peerPublic.length !== KEY_BYTES) return undefined;
  try {
    const publicKey = createPublicKey({
      key: withPrefix(SPKI_PREFIX, peerPublic),
      format: 'der',
      type: 'spki',
    });
    const s = new Uint8Array(diffieHellman({ privateKey, publicKey }));
    return s.some((b) => b !== 0) ? s : undefined;
  } catch {
    return undefined;
  }
}

/** HKDF-SHA256 of `len` bytes. */
export function hkdf(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, len: number): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', ikm, salt, info, len));
}

/** AES-256-GCM: nonce || ciphertext || tag. */
export function seal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const c = createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(aad);
  const body = c.update(plaintext);
  c.final();
  const out = new Uint8Array(NONCE_BYTES + body.length + TAG_BYTES);
  out.set(nonce, 0);
  out.set(body, NONCE_BYTES);
  out.set(c.getAuthTag(), NONCE_BYTES + body.length);
  return out;
}

/** Opens what seal produced; undefined when the tag, key, AAD or size is wrong. */
export function open(key: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | undefined {
  if (sealed.length < NONCE_BYTES + TAG_BYTES) return undefined;
  try {
    const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE_BYTES));
    d.setAAD(aad);
    d.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    const body = d.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES));
    d.final();
    return new Uint8Array(body);
  } catch {
    return undefined;
  }
}

/** Splits a 32-byte secret into `shares` Shamir shares, any `threshold` of which rebuild it. */
export async function shamirSplit(
  secret: Uint8Array,
  shares: number,
  threshold: number,
): Promise<Uint8Array[]> {
  // The library insists on a plain Uint8Array (not a Buffer).
  return split(Uint8Array.from(secret), shares, threshold);
}

/** Rebuilds a secret from shares; undefined when they are malformed (sizes, zero or repeated x). */
export async function shamirCombine(shares: Uint8Array[]): Promise<Uint8Array | undefined> {
  if (shares.length < 2 || shares.some((s) => s.length !== SHARE_BYTES || s[KEY_BYTES] === 0))
    return undefined;
  if (new Set(shares.map((s) => s[KEY_BYTES])).size !== shares.length) return undefined;
  try {
    return await combine(shares.map((s) => Uint8Array.from(s)));
  } catch {
    return undefined;
  }
}
