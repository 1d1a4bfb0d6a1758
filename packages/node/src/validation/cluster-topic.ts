// Validation of the cluster topic (leases, round opens, model announcements), one typed outcome
// per check in the style of Lodestar's chain/validation/*.ts. Pure: reads the election, changes
// nothing; the cluster session applies what is accepted.
import { ACCEPT, ignore, reject, type GossipMessage, type ValidationResult } from '@ppfm/protocol';
import type { ClusterElection } from '../election.js';
import { freshness } from './fresh.js';

/** What a cluster-topic check reads. */
export interface ClusterTopicContext {
  self: string;
  cluster: string;
  election: ClusterElection;
  /** Spec hash of this peer's model (a round for another model is not ours). */
  spec: string;
  now: number;
  freshnessMs: number;
  /** Round of the newest model we hold from `source` (announcement staleness). */
  heldRound(source: string): number | undefined;
}

/** Validates one message on `/ppfm/1/cluster/<id>` from the authenticated sender `from`. */
export function validateClusterMessage(
  m: GossipMessage,
  from: string,
  ctx: ClusterTopicContext,
): ValidationResult {
  if (m.kind !== 'head_lease' && m.kind !== 'round_open' && m.kind !== 'model_announce')
    return reject('wrong_topic', `${m.kind} on a cluster topic`);
  // [REJECT] a head speaks for itself only, on its own cluster's topic.
  if (m.head !== from) return reject('sender_mismatch', `${m.kind} for ${m.head}`);
  if (m.cluster !== ctx.cluster)
    return reject('wrong_topic', `cluster ${m.cluster} on ${ctx.cluster}'s topic`);
  // [IGNORE] our own echo; [IGNORE] a replay or [REJECT] a message from the future.
  if (from === ctx.self) return ignore('self');
  const f = freshness(m.sentAt, ctx.now, ctx.freshnessMs);
  if (f !== undefined) return f;
  // [IGNORE] a round or model of another model spec is not for us (tasks are matched by clustering).
  if (m.kind !== 'head_lease' && m.specHash !== ctx.spec) return ignore('other_spec', 'spec hash');
  if (m.kind === 'round_open' && m.term < ctx.election.term) return ignore('stale_term');
  // [REJECT]/[IGNORE] the sender must be a peer our own view lets lead (ClusterElection.mayLead).
  const a = ctx.election.mayLead(from, m.term, ctx.now);
  if (!a.ok) {
    if (a.code === 'bad_term')
      return reject('bad_term', `term ${m.term}, highest known ${ctx.election.highestTerm}`);
    return ignore(a.code === 'not_candidate' ? 'not_leader' : a.code, `${from} term ${m.term}`);
  }
  if (m.kind === 'head_lease') return ACCEPT;
  // [IGNORE] valid, but from a deposed or losing head by the lease rules.
  if (!ctx.election.accepts(from, m.term, ctx.now)) return ignore('not_leader', 'deposed or losing head');
  if (m.kind === 'model_announce') {
    const held = ctx.heldRound(from);
    if (held !== undefined && m.round <= held) return ignore('stale_round');
  }
  return ACCEPT;
}
