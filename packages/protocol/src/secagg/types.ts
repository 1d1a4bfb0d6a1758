// Shared types of the secure-aggregation state machines (member.ts, head.ts): the round they
// belong to, their configuration, and the typed outcomes of every transition.

/** The cluster round a secure aggregation belongs to (from the head's RoundOpen). */
export interface SecAggRound {
  cluster: string;
  round: number;
  term: number;
}

/** Cluster-wide settings; every member and the head must use the same ones (the roster carries them). */
export interface SecAggConfig {
  /** Number of update coordinates (parameters of the model). */
  length: number;
  /** Each coordinate is clipped to [-clip, clip] before encoding (default DEFAULT_SECAGG_CLIP). */
  clip?: number;
  /** Weights are capped at maxWeight and encoded relative to it (default 1: weights in [0, 1]). */
  maxWeight?: number;
  /** Shamir threshold t; default defaultThreshold(n) = floor(2n/3) + 1. */
  threshold?: number;
}

/** The parameters of one round, derived from the member count and the config (secAggParams). */
export interface SecAggParams {
  /** Members of the round (the RoundOpen list). */
  n: number;
  threshold: number;
  length: number;
  clip: number;
  maxWeight: number;
  /** Fixed-point scale is 2^fracBits, the largest that cannot overflow the ring for n members. */
  fracBits: number;
}

/** Why a party gave up on the round; every abort is final for that party. */
export type SecAggAbortReason =
  /** Fewer than t members reached some stage (`stage` says which). */
  | 'below_threshold'
  /** A key advertisement's identity signature did not verify (a forged or substituted key). */
  | 'bad_signature'
  /** The roster is inconsistent: own advert missing or altered, unknown or duplicate member. */
  | 'bad_roster'
  /** The roster's encoding parameters differ from this member's own. */
  | 'params_mismatch'
  /** An encrypted share did not decrypt (wrong key, tampering) or was malformed. */
  | 'bad_share'
  /** The unmask request names members outside U2 or fewer than t of them. */
  | 'bad_request'
  /** Shares did not reconstruct the committed secret (a member sent a wrong share). */
  | 'reconstruction_failed'
  /** The driver cancelled the round (deadline, new term, shutdown). */
  | 'cancelled';

/** The protocol stages, for below_threshold aborts and logs. */
export type SecAggStage = 'advertise' | 'share' | 'mask' | 'unmask';

/** A typed abort: reason, one-line detail, and the peer or stage concerned when there is one. */
export interface SecAggAbort {
  reason: SecAggAbortReason;
  detail: string;
  peer?: string;
  stage?: SecAggStage;
}

/** Why an inbound message was dropped without changing state (not the sender's fault, or a repeat). */
export type SecAggIgnoreReason = 'wrong_round' | 'wrong_phase' | 'duplicate' | 'not_from_head';

/** Why the head refused one member's message (the sender's fault; the round goes on without it). */
export type SecAggRejectReason =
  'not_member' | 'sender_mismatch' | 'bad_signature' | 'bad_key' | 'bad_shares' | 'bad_length';

/** A transition that produced a message (or messages) to send. */
export interface SecAggSend<M> {
  kind: 'send';
  message: M;
}
/** A message that did not apply here; state unchanged. */
export interface SecAggIgnored {
  kind: 'ignored';
  reason: SecAggIgnoreReason;
  detail: string;
}
/** The party has aborted the round. */
export interface SecAggAborted {
  kind: 'aborted';
  abort: SecAggAbort;
}
/** The head took a member's message; `complete` when every expected member of the stage has sent. */
export interface SecAggAccepted {
  kind: 'accepted';
  complete: boolean;
}
/** The head refused a member's message; that member is left out of the stage. */
export interface SecAggRejected {
  kind: 'rejected';
  reason: SecAggRejectReason;
  detail: string;
}

/** Outcome of a transition that sends something. */
export type SecAggStep<M> = SecAggSend<M> | SecAggIgnored | SecAggAborted;
/** Outcome of the head receiving one member's message. */
export type SecAggReceipt = SecAggAccepted | SecAggIgnored | SecAggRejected | SecAggAborted;

/** Signs bytes with the local identity key (the peer supplies libp2p's Ed25519 key). */
export type SecAggSign = (bytes: Uint8Array) => Uint8Array | Promise<Uint8Array>;
/** Verifies `signature` over `bytes` by `peerId`'s identity key; false (never a throw) when invalid. */
export type SecAggVerify = (
  peerId: string,
  bytes: Uint8Array,
  signature: Uint8Array,
) => boolean | Promise<boolean>;
/** Cryptographically secure random bytes (default: node:crypto randomBytes). */
export type SecAggRandom = (n: number) => Uint8Array;

/** What the head learns at the end of a round. */
export interface SecAggResult {
  /** Sum over contributors of weight x clipped update, in float units. */
  weightedSum: Float32Array;
  /** Sum of the contributors' (capped) weights, also securely aggregated. */
  weightSum: number;
  /** weightedSum / weightSum, or undefined when weightSum is 0. */
  mean: Float32Array | undefined;
  /** Members whose masked input is in the sum (U3), sorted. */
  contributors: string[];
  /** Members that shared keys but sent no masked input (U2 \ U3): their pairwise masks were removed. */
  dropped: string[];
  /** The exact ring sum (length + 1 elements; the last is the weight), for audits and tests. */
  ringSum: Uint32Array;
}
