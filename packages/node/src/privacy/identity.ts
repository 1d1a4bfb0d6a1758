// Secure aggregation signs each member's key advertisement with its libp2p identity key, so a head
// relaying the keys cannot substitute its own: every member verifies every advert against the
// public key inside the sender's peer id (Ed25519 and secp256k1 ids carry it inline).
import type { PrivateKey } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import type { SecAggSign, SecAggVerify } from '@ppfm/protocol';

/** Signs with this peer's identity key, verifies with any peer id's inline public key. */
export interface SecAggIdentity {
  sign: SecAggSign;
  verify: SecAggVerify;
}

/** Verifies `sig` over `bytes` by `peerId`'s inline public key; false (never a throw) otherwise. */
export const verifyByPeerId: SecAggVerify = async (peerId, bytes, sig) => {
  try {
    const key = peerIdFromString(peerId).publicKey;
    if (key === undefined) return false; // an id that only hashes its key (RSA): nothing to check against
    return await key.verify(bytes, sig);
  } catch {
    return false;
  }
};

/** The secure-aggregation identity of a peer holding `privateKey`. */
export function libp2pIdentity(privateKey: PrivateKey): SecAggIdentity {
  return { sign: async (bytes) => privateKey.sign(bytes), verify: verifyByPeerId };
}
