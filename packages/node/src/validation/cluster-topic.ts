// Validation of the cluster topic (leases, round opens, model announcements), one typed outcome
// per check in the style of Lodestar's chain/validation/*.ts. Pure: reads the election, changes
// nothing; the cluster session applies what is accepted.
import type { GossipMessage } from '@ppfm/protocol';
import type { ClusterElection } from '../election.js';
import { ACCEPT, ignore, reject, type Validation } from '../net/gossip-router.js';

/** What a cluster-topic check reads. */
export interface ClusterTopicContext {
  self: string;
  cluster: string;
  election: ClusterElection;
  /** Spec hash of this peer's model (a round for another model is not ours). */
  spec: string;
  now: number;
  /** Round of the newest model we hold from `source` (announcement staleness). */
  heldRound(source: string): number | undefined;
}

/** Validates one message on `/ppfm/1/cluster/<id>` from the authenticated sender `from`. */
export function validateClusterMessage(m: GossipMessage, from: string, ctx: ClusterTopicContext): Validation {
  switch (m.kind) {
    case 'head_lease': {
      // [REJECT] a lease speaks for its sender only, on its own cluster's topic.
      if (m.head !== from) return reject('sender_mismatch', `lease for ${m.head}`);
      if (m.cluster !== ctx.cluster) return reject('wrong_cluster', m.cluster);
      // [IGNORE] our own echo.
      if (from === ctx.self) return ignore('own_message');
      return authority(ctx, from, m.term);
    }
    case 'round_open': {
      if (m.head !== from) return reject('sender_mismatch', `round of ${m.head}`);
      if (m.cluster !== ctx.cluster) return reject('wrong_cluster', m.cluster);
      if (from === ctx.self) return ignore('own_message');
      // [IGNORE] a round for another model spec is not ours (tasks are matched by clustering).
      if (m.specHash !== ctx.spec) return ignore('other_spec', 'spec hash');
      if (m.term < ctx.election.term) return ignore('stale_term');
      const a = authority(ctx, from, m.term);
      if (a.result !== 'accept') return a;
      // [IGNORE] valid, but from a deposed or losing head by the lease rules.
      if (!ctx.election.accepts(from, m.term, ctx.now)) return ignore('not_head');
      return ACCEPT;
    }
    case 'model': {
      if (m.scope.kind !== 'cluster' || m.scope.cluster !== ctx.cluster)
        return reject('wrong_cluster', 'model scope');
      if (from === ctx.self) return ignore('own_message');
      const a = authority(ctx, from, m.term);
      if (a.result !== 'accept') return a;
      if (!ctx.election.accepts(from, m.term, ctx.now)) return ignore('not_head');
      const held = ctx.heldRound(from);
      if (held !== undefined && m.round <= held) return ignore('stale_round');
      return ACCEPT;
    }
    default:
      return reject('wrong_topic', `${m.kind} on a cluster topic`);
  }
}

/** [IGNORE] the sender is not a peer our own view lets lead this cluster (see ClusterElection.mayLead). */
function authority(ctx: ClusterTopicContext, from: string, term: number): Validation {
  const a = ctx.election.mayLead(from, term, ctx.now);
  return a.ok ? ACCEPT : ignore(a.code, `${from} term ${term}`);
}
