/**
 * The safety rules of a partition and its healing, as pure functions over the peers' events (each
 * event attributed to the true group of the peer that logged it, since cluster ids are local ranks
 * that may differ between the two sides of a partition):
 * - no term reused: a (group, term) pair is never held by two different heads;
 * - no cluster model lost: a peer's evaluated rounds never go backwards, and once the sides have
 *   merged (the last member of the cluster follows the agreed head) that head opens rounds above
 *   every round its group published before (on either side).
 */
import type { PeerEvent } from '../testnet/events.js';

/** Two heads logged for one term of one cluster of one group. */
export interface TermReuse {
  group: number;
  cluster: string;
  term: number;
  heads: string[];
}

/**
 * (cluster, term) pairs that more than one head held, from head_elected and round_opened events.
 * Cluster ids are ranks local to a view (both sides of a partition may have a `c0`): a pair is
 * qualified by the true group of the logging peer.
 */
export function reusedTerms(
  events: readonly PeerEvent[],
  groupOf: (peer: string) => number | undefined,
): TermReuse[] {
  const heads = new Map<string, Set<string>>();
  for (const e of events) {
    if (e.event !== 'head_elected' && e.event !== 'round_opened') continue;
    const g = groupOf(e.peer);
    if (g === undefined || e.head === '') continue;
    const key = `${g}|${e.cluster}|${e.term}`;
    heads.set(key, (heads.get(key) ?? new Set()).add(e.head));
  }
  const out: TermReuse[] = [];
  for (const [key, set] of heads) {
    if (set.size < 2) continue;
    const [g, cluster, t] = key.split('|');
    out.push({ group: Number(g), cluster: cluster as string, term: Number(t), heads: [...set].sort() });
  }
  return out.sort((a, b) => a.group - b.group || a.term - b.term);
}

/** A peer that evaluated round `round` after it had evaluated `after`. */
export interface RoundRegression {
  peer: string;
  round: number;
  after: number;
  time: number;
}

/** Evaluations whose round is below an earlier evaluation's of the same peer (its model went back). */
export function evaluationRegressions(events: readonly PeerEvent[]): RoundRegression[] {
  const best = new Map<string, number>();
  const out: RoundRegression[] = [];
  for (const e of events) {
    if (e.event !== 'evaluation') continue;
    const prev = best.get(e.peer) ?? 0;
    if (e.round < prev) out.push({ peer: e.peer, round: e.round, after: prev, time: e.time });
    best.set(e.peer, Math.max(prev, e.round));
  }
  return out;
}

/**
 * Rounds the agreed head of a group opened after `since` at or below a round its group had already
 * published before that open (a cluster model lost: the group restarted from an older model).
 */
export function lostRounds(
  events: readonly PeerEvent[],
  groupOf: (peer: string) => number | undefined,
  group: number,
  head: string,
  term: number,
  since: number,
): { round: number; publishedBefore: number; time: number }[] {
  const published = events
    .filter((e) => e.event === 'cluster_model_published' && groupOf(e.peer) === group)
    .map((e) => ({ time: e.time, round: (e as { round: number }).round }));
  const out: { round: number; publishedBefore: number; time: number }[] = [];
  for (const e of events) {
    if (e.event !== 'round_opened' || e.peer !== head || e.term !== term || e.time < since) continue;
    const before = published.filter((p) => p.time < e.time).reduce((m, p) => Math.max(m, p.round), 0);
    if (e.round <= before) out.push({ round: e.round, publishedBefore: before, time: e.time });
  }
  return out;
}

/** Counts of the events that show how a side of the partition reacted, by peer group of loggers. */
export function reactionCounts(
  events: readonly PeerEvent[],
  peers: ReadonlySet<string>,
  from: number,
  to: number,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of events) {
    if (!peers.has(e.peer) || e.time < from || e.time > to) continue;
    const name = e.event === 'other' ? e.name : e.event;
    out[name] = (out[name] ?? 0) + 1;
  }
  return out;
}
