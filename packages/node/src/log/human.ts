// One-line human summaries of notable events, for a person watching a peer's terminal.
import type { LogEvent } from './events.js';

const short = (id: string): string => (id.length > 12 ? `…${id.slice(-8)}` : id);
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** A short human-readable line for notable events, undefined for chatty ones. */
export function formatHuman(e: LogEvent): string | undefined {
  switch (e.event) {
    case 'peer_started':
      return `started on ${e.backend} with ${e.samples} samples from ${e.dataPath}`;
    case 'cluster_assigned':
      return `cluster ${e.cluster}: ${e.members.length} members, head ${short(e.head)} (k=${e.k})`;
    case 'head_elected':
      return `cluster ${e.cluster}: head ${short(e.head)} elected, term ${e.term}${
        e.electionMs !== undefined ? ` (${Math.round(e.electionMs)} ms)` : ''
      }`;
    case 'lease_expired':
      return e.reason === 'left_cluster'
        ? `cluster ${e.cluster}: head ${short(e.head)} is no longer in this cluster (regrouped); electing a new head`
        : `cluster ${e.cluster}: lease of head ${short(e.head)} expired (term ${e.term})`;
    case 'round_closed':
      return `cluster ${e.cluster}: round ${e.round} closed with ${e.updates} updates (quorum ${e.quorum})`;
    case 'zda_set_sent':
      return `round ${e.round}: synthetic set of ${e.count} sent to ${e.delivered} of ${e.members} members`;
    case 'zda_set_taken':
      return `round ${e.round}: took the head's synthetic set (${e.count} samples)`;
    case 'zda_set_refused':
      return `synthetic set from ${short(e.from)} refused (${e.reason}: ${e.detail})`;
    case 'augmentation':
      return e.made === 0
        ? `round ${e.round}: no class to synthesise (${e.role})`
        : `round ${e.round}: synthesised ${e.made} samples of classes ${e.classes.join(',')} in ${(e.ms / 1000).toFixed(1)} s (${e.role}${e.stopped === 'time' ? ', time bound hit' : ''}${e.teachers && e.teachers.length > 0 ? `; from teachers ${e.teachers.join(' ')}` : ''})`;
    case 'teacher_refused':
      return `teacher model of ${e.cluster} from ${short(e.from)} refused (${e.reason}: ${e.detail})`;
    case 'global_model_updated':
      return `global model updated at round ${e.round} from ${e.clusters.length} clusters`;
    case 'evaluation':
      return e.personalised === false
        ? `round ${e.round}: cluster model accuracy ${pct(e.accBefore)} (personalised every few rounds)`
        : `round ${e.round}: personalised accuracy ${pct(e.accBefore)} -> ${pct(e.accAfter)}`;
    case 'message_rejected':
      return `rejected a message from ${short(e.from)} on ${e.topic ?? e.protocol}: ${e.reason}`;
    case 'checkpoint_restored':
      return `resumed from checkpoint at round ${e.round}`;
    case 'rounds_completed':
      return `completed ${e.round} round${e.round === 1 ? '' : 's'}`;
    case 'peer_stopped':
      return `stopped (${e.reason})`;
    case 'notice':
      return e.severity === 'warn' ? `warning: ${e.message}` : e.message;
    default:
      return undefined;
  }
}
