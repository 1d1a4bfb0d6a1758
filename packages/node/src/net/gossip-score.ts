// Gossipsub peer scoring for PPFM's topics, so that a peer sending invalid messages is graylisted
// (its RPCs are dropped unread) instead of merely having each message refused. Gossipsub counts
// invalid deliveries (P4) only on topics that have score parameters: the fixed topics get them at
// start and every cluster topic when it is joined (registerTopicScore). Control traffic is sparse
// (a few messages per second per peer), so the mesh-delivery deficit (P3, P3b) is off: it would
// push quiet honest peers below zero.
import type { GossipsubEvents, GossipsubOpts } from '@chainsafe/libp2p-gossipsub';
import type { PeerScoreThresholds, TopicScoreParams } from '@chainsafe/libp2p-gossipsub/score';
import type { PubSub } from '@libp2p/interface';

/**
 * Thresholds (gossipsub's defaults, named here because the tests and the README rely on them): a
 * peer below -10 gets no gossip, below -50 none of our published messages, below -80 is graylisted.
 */
export const GOSSIP_THRESHOLDS: PeerScoreThresholds = {
  gossipThreshold: -10,
  publishThreshold: -50,
  graylistThreshold: -80,
  acceptPXThreshold: 10,
  opportunisticGraftThreshold: 5,
};

/** Weight of one invalid message, squared by gossipsub: 3 invalid messages put a peer at -90. */
export const INVALID_MESSAGE_WEIGHT = -10;
/**
 * Per-second decay of the invalid-message counter (half-life ~70 s): 3 invalid messages graylist
 * a peer for ~6 s, a burst of 100 for ~6 minutes; honest peers send none.
 */
export const INVALID_MESSAGE_DECAY = 0.99;

/** Score parameters of every PPFM topic. */
export const PPFM_TOPIC_SCORE: TopicScoreParams = {
  topicWeight: 1,
  // P1: a little credit for time in the mesh (at most +3 after 5 minutes).
  timeInMeshWeight: 0.01,
  timeInMeshQuantum: 1000,
  timeInMeshCap: 300,
  // P2: first deliveries of valid messages (at most +10).
  firstMessageDeliveriesWeight: 0.5,
  firstMessageDeliveriesDecay: 0.9,
  firstMessageDeliveriesCap: 20,
  // P3/P3b off: see the header.
  meshMessageDeliveriesWeight: 0,
  meshMessageDeliveriesDecay: 0.5,
  meshMessageDeliveriesCap: 100,
  meshMessageDeliveriesThreshold: 1,
  meshMessageDeliveriesWindow: 10,
  meshMessageDeliveriesActivation: 5000,
  meshFailurePenaltyWeight: 0,
  meshFailurePenaltyDecay: 0.5,
  // P4: invalid messages (rejected by our validators, bad signatures).
  invalidMessageDeliveriesWeight: INVALID_MESSAGE_WEIGHT,
  invalidMessageDeliveriesDecay: INVALID_MESSAGE_DECAY,
};

/**
 * Bounds on one decoded gossipsub RPC (the library's defaults are Infinity): an RPC over them is
 * dropped whole. PPFM peers join a handful of topics and publish small control messages.
 */
export const DECODE_RPC_LIMITS: NonNullable<GossipsubOpts['decodeRpcLimits']> = {
  maxSubscriptions: 64,
  maxMessages: 256,
  maxIhaveMessageIDs: 5000,
  maxIwantMessageIDs: 5000,
  maxIdontwantMessageIDs: 5000,
  maxControlMessages: 128,
  maxPeerInfos: 16,
};

/**
 * How long gossipsub remembers a message id (a duplicate inside it is dropped unvalidated). It
 * must outlast what freshness accepts: a message is fresh from sentAt - tolerance to sentAt +
 * tolerance, so a replay after the seen cache forgot it is already stale.
 */
export function seenTtlMs(freshnessMs: number): number {
  return Math.max(120_000, 2 * freshnessMs);
}

/** The part of gossipsub's scorer we touch: its per-topic parameters and a peer's score. */
interface Scorer {
  score: { params: { topics: Record<string, TopicScoreParams> } };
  getScore(peer: string): number;
}

function scorer(pubsub: PubSub<GossipsubEvents>): Scorer | undefined {
  const s = pubsub as unknown as Partial<Scorer>;
  return typeof s.getScore === 'function' && typeof s.score?.params?.topics === 'object'
    ? (s as Scorer)
    : undefined;
}

/** Scores `topic` with PPFM's parameters from now on (a no-op on a pubsub without scoring). */
export function registerTopicScore(pubsub: PubSub<GossipsubEvents>, topic: string): void {
  const s = scorer(pubsub);
  if (s !== undefined) s.score.params.topics[topic] = { ...PPFM_TOPIC_SCORE };
}

/** Stops scoring `topic` (a cluster topic left behind); its counters stop counting. */
export function unregisterTopicScore(pubsub: PubSub<GossipsubEvents>, topic: string): void {
  const s = scorer(pubsub);
  if (s !== undefined) delete s.score.params.topics[topic];
}

/** `peer`'s gossipsub score as this pubsub sees it (0 without scoring). */
export function gossipScore(pubsub: PubSub<GossipsubEvents>, peer: string): number {
  return scorer(pubsub)?.getScore(peer) ?? 0;
}
