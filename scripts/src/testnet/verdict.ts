/**
 * The security part of the testnet's verdict (issue 10): a run fails when an honest peer followed
 * a peer that may not lead as its head (an outsider, or a peer outside the cluster the follower
 * itself was assigned), or when a cluster's accuracy collapsed. Pure functions over the folded
 * state, so a fixture can prove each rule.
 */
import type { FinalCluster } from './clusters.js';
import type { TestnetOptions } from './options.js';
import type { NetworkState } from './state.js';

/** A cluster whose mean accuracy is this far below the local-only baseline has collapsed. */
export const COLLAPSE_MARGIN = 0.15;

/** One head_elected event naming a head the follower may not follow. */
export interface Hijack {
  by: string;
  cluster: string;
  head: string;
  why: 'outsider' | 'not_member';
}

/**
 * Head elections logged by the testnet's peers that name an outsider (a peer the testnet did not
 * start) or a peer missing from the follower's own latest assignment of that cluster.
 */
export function hijackedHeads(state: NetworkState): Hijack[] {
  const out: Hijack[] = [];
  for (const e of state.elections) {
    const by = state.peers.get(e.by);
    if (by?.index === undefined || e.head === e.by) continue;
    if (state.peers.get(e.head)?.index === undefined) {
      out.push({ by: e.by, cluster: e.cluster, head: e.head, why: 'outsider' });
      continue;
    }
    let members: string[] | undefined;
    for (const a of by.assignments) if (a.time <= e.time && a.cluster === e.cluster) members = a.members;
    if (members !== undefined && !members.includes(e.head))
      out.push({ by: e.by, cluster: e.cluster, head: e.head, why: 'not_member' });
  }
  return out;
}

/** Final clusters whose mean personalised accuracy is non-finite or below localAcc - COLLAPSE_MARGIN. */
export function collapsedClusters(
  final: readonly FinalCluster[],
  localAcc: number | null,
): { id: string; meanAcc: number }[] {
  const out: { id: string; meanAcc: number }[] = [];
  for (const c of final) {
    const accs = c.peers.map((p) => p.acc).filter((a): a is number => a !== undefined);
    if (accs.length === 0) continue;
    const m = accs.reduce((a, b) => a + b, 0) / accs.length;
    if (!Number.isFinite(m) || (localAcc !== null && m < localAcc - COLLAPSE_MARGIN))
      out.push({ id: c.id, meanAcc: m });
  }
  return out;
}

/** Failure lines of the security verdict (at most a few hijacks spelled out). */
export function securityFailures(
  state: NetworkState,
  final: readonly FinalCluster[],
  localAcc: number | null,
  name: (id: string) => string,
): string[] {
  const failures: string[] = [];
  const hijacks = hijackedHeads(state);
  for (const h of hijacks.slice(0, 3))
    failures.push(
      `${name(h.by)} followed ${name(h.head)} as head of ${h.cluster} (${h.why === 'outsider' ? 'not a testnet peer' : 'not a member of that cluster'})`,
    );
  if (hijacks.length > 3) failures.push(`${hijacks.length - 3} more hijacked head elections`);
  for (const c of collapsedClusters(final, localAcc))
    failures.push(
      `accuracy of cluster ${c.id} collapsed to ${c.meanAcc.toFixed(3)} (local-only ${localAcc?.toFixed(3) ?? '-'})`,
    );
  return failures;
}

/**
 * Whether the peers run in zero-shot task mode: a `--task` among the peer args decides, else a
 * `zeroshot:` partition does (its ppfm.json carries `zeroShot`, which turns the mode on).
 */
export function zeroShotRun(opts: Pick<TestnetOptions, 'partition' | 'extraPeerArgs'>): boolean {
  const a = opts.extraPeerArgs;
  let task: string | undefined;
  a.forEach((x, i) => {
    if (x === '--task') task = a[i + 1];
    else if (x.startsWith('--task=')) task = x.slice('--task='.length);
  });
  return task !== undefined ? task === 'zero-shot' : opts.partition.startsWith('zeroshot:');
}

/**
 * The clusters a good run ends with (a label per peer index), given the partition's groups:
 * - `--alone`: one cluster per peer (nobody federates);
 * - zero-shot: one cluster of every peer. The partition's groups are disjoint label spaces by design,
 *   and zero-shot peers cluster by task (same input shape and class table), not by fingerprint: the
 *   generator learns its map from meaning to features from every seen class, so splitting by label
 *   group is what zero-shot federation must avoid (docs/zeroshot.md);
 * - label skew (`dirichlet:`, `classes:`) and `synthetic:`: none (null). Every peer's label mix is its
 *   own, so there are no true groups: splitting peers whose fingerprints differ is as right as one
 *   cluster of all. The run is judged on rounds, accuracy and the security verdict, not on ARI;
 * - otherwise the partition's groups.
 */
export function expectedTruth(
  opts: Pick<TestnetOptions, 'partition' | 'extraPeerArgs' | 'alone'>,
  partitionTruth: readonly number[],
): number[] | null {
  if (opts.alone) return partitionTruth.map((_, i) => i);
  if (zeroShotRun(opts)) return partitionTruth.map(() => 0);
  if (/^(dirichlet|classes|synthetic):/.test(opts.partition)) return null;
  return [...partitionTruth];
}
