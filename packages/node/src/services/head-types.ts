// The head round driver's state union and what it needs from the rest of the peer.
import type { WeightSet } from '@ppfm/meta/light';
import type { PeerComponents } from '../components.js';
import type { RoundCollector } from '../rounds.js';
import type { HeadCatchUp } from './head-catch-up.js';
import type { HeldModel } from './model-store.js';
import type { SecureHead, SecureRound } from './secagg-head.js';
import type { SecureMember } from './secagg-member.js';
import type { UpdatePrivacy } from './update-privacy.js';
import type { SharedSet } from '../learner/learner.js';
import type { TeacherSource } from './teachers.js';

/**
 * inactive: not head. waiting: head, a round is not due yet (`reason` says why, since when).
 * open: collecting the updates of `collector.round` (with --secure-agg, `secure` runs the round and
 * the head ends with their sum). closing: aggregating and publishing it.
 * finished: the target round is published; serving it until the members have it.
 */
export type HeadState =
  | { kind: 'inactive' }
  | { kind: 'waiting'; reason: string; since: number }
  | { kind: 'open'; collector: RoundCollector<WeightSet>; base: HeldModel; secure?: SecureRound }
  | { kind: 'closing'; round: number }
  | { kind: 'finished'; round: number; since: number };

export type HeadComponents = Pick<
  PeerComponents,
  'self' | 'clock' | 'bus' | 'timing' | 'settings' | 'gossip' | 'learner' | 'store' | 'spec'
>;

/** What the head driver needs from the rest of the peer. */
export interface HeadDeps {
  isReady(): boolean;
  /** Live members of our cluster (self included). */
  members(): string[];
  /** When the view last changed (rounds wait for it to settle). */
  lastViewChange(): number;
  /** Other clusters' newest models for the global step (pulled before each close). */
  othersForGlobal(
    signal: AbortSignal,
    beforeRound: number,
  ): Promise<{ cluster: string; weights: WeightSet }[]>;
  sharedPart(): 'body' | 'head';
  /**
   * Why the other clusters are not ready for our round `round` (their heads hold less than round
   * - 1, whose models its global step takes), or undefined when they are.
   */
  othersBehind?(round: number): string | undefined;
  /** The highest round our former head announced (a finished run never goes on alone). */
  headRound(): number;
  /** The first model of this cluster's lineage: the shared network behind the cluster's scaler. */
  clusterInit(): WeightSet;
  /** Takes a newer model of the cluster from a member before a round opens (after a heal). */
  catchUp?: HeadCatchUp;
  /** Differential privacy of the head's own update (--dp-*). */
  privacy?: UpdatePrivacy;
  /** FedZDA head (--augment head): hands its synthetic set to the round's members (headShares). */
  shareSet?(
    at: { cluster: string; round: number; term: number },
    set: SharedSet,
    members: string[],
  ): Promise<void>;
  /** FedZDA teachers: other clusters' models for the classes our cluster lacks (--augment). */
  teachers?: TeacherSource;
  /** Secure aggregation (--secure-agg): the round yields the members' sum, not their updates. */
  secure?: { head: SecureHead; member: SecureMember };
}
