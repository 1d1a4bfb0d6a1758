// Secure-aggregation messages: TypeScript discriminated unions over pb/secagg.proto (one versioned
// SecAggFrame per message; codec.ts encodes and decodes them) and the decoder's limits.
import { MAX_SECAGG_LENGTH, MAX_SECAGG_MEMBERS } from './arithmetic.js';
import type { AdvertBody } from './context.js';
import type { SecAggRound } from './types.js';

/** Version written in every SecAggFrame; any other is unknown_version. */
export const SECAGG_VERSION = 1;

/** A key advertisement with its identity signature. */
export interface SignedAdvert extends AdvertBody {
  signature: Uint8Array;
}
/** Round 0, member -> head. */
export interface KeyAdvertMsg extends SignedAdvert {
  kind: 'key_advert';
}
/** Head -> every advertiser: parameters and the accepted adverts (U1). */
export interface RosterMsg extends SecAggRound {
  kind: 'roster';
  length: number;
  threshold: number;
  fracBits: number;
  clip: number;
  maxWeight: number;
  adverts: SignedAdvert[];
}
/** One encrypted share pair; `peer` is the recipient (share_keys) or the sender (share_delivery). */
export interface EncryptedShare {
  peer: string;
  ciphertext: Uint8Array;
}
/** Round 1, member -> head. */
export interface ShareKeysMsg extends SecAggRound {
  kind: 'share_keys';
  sender: string;
  shares: EncryptedShare[];
}
/** Head -> one member: what the others encrypted for it. */
export interface ShareDeliveryMsg extends SecAggRound {
  kind: 'share_delivery';
  recipient: string;
  shares: EncryptedShare[];
}
/** Round 2, member -> head: length + 1 ring elements. */
export interface MaskedInputMsg extends SecAggRound {
  kind: 'masked_input';
  sender: string;
  masked: Uint32Array;
}
/** Round 3, head -> U3. */
export interface UnmaskRequestMsg extends SecAggRound {
  kind: 'unmask_request';
  survivors: string[];
}
/** One revealed share of `peer`'s secret. */
export interface RevealedShare {
  peer: string;
  share: Uint8Array;
}
/** Round 3, member -> head: self-mask seed shares of survivors, mask-key shares of dropped members. */
export interface UnmaskResponseMsg extends SecAggRound {
  kind: 'unmask_response';
  sender: string;
  selfMaskShares: RevealedShare[];
  maskKeyShares: RevealedShare[];
}

/** Every secure-aggregation message. */
export type SecAggMessage =
  | KeyAdvertMsg
  | RosterMsg
  | ShareKeysMsg
  | ShareDeliveryMsg
  | MaskedInputMsg
  | UnmaskRequestMsg
  | UnmaskResponseMsg;

/** Caps the secure-aggregation decoder enforces before allocating. */
export interface SecAggLimits {
  /** Members per round (roster adverts, shares, survivors). */
  maxMembers: number;
  /** Update coordinates per masked input. */
  maxLength: number;
  /** Identity-signature bytes (Ed25519: 64; RSA-4096: 512). */
  maxSignatureBytes: number;
  /** Peer and cluster id length. */
  maxStringLength: number;
  /** Size of any frame other than a masked input. */
  maxControlBytes: number;
}

/** Defaults: 255 members (the GF(2^8) sharing's limit), 16 Mi coordinates, 1 MiB control frames. */
export const DEFAULT_SECAGG_LIMITS: Readonly<SecAggLimits> = Object.freeze({
  maxMembers: MAX_SECAGG_MEMBERS,
  maxLength: MAX_SECAGG_LENGTH,
  maxSignatureBytes: 512,
  maxStringLength: 128,
  maxControlBytes: 1024 * 1024,
});
