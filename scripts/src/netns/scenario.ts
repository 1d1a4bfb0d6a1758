/**
 * The partition-and-heal run over network namespaces (issue 16): 6 real peers on 3 hosts, two true
 * groups, host 0 holding two peers of group 0. Phases, each a wait on the peers' logs with a named
 * timeout: (1) the network forms (one view, one head per true group, a round published); (2) host 0
 * is cut off: its peers go on as their own cluster (a head of their own, a round opened) and the rest
 * go on without them; (3) the link is healed: the network must converge again to one view and one
 * head per group, after which a round with every member closes; time to converge is measured from
 * the heal. Used by the netns test and the `netns` bench suite.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { adjustedRandIndex } from '@ppfm/meta';
import { prepareData } from '../testnet/data.js';
import type { PeerEvent } from '../testnet/events.js';
import { PeerPool, resolveCli } from '../testnet/processes.js';
import { evaluationRegressions, lostRounds, reactionCounts, reusedTerms } from './checks.js';
import { peerName } from '../testnet/launch.js';
import { launchPeers } from './launch.js';
import { placeByHead, type HeadSide } from './placement.js';
import { NetnsTopology } from './topology.js';
import { agreedClusters, beliefs } from './views.js';
import { EventWaiter } from './waiter.js';

/** Settings of one run. */
export interface PartitionHealOptions {
  out: string;
  dataset: string;
  partition: string;
  maxSamples?: number;
  seed: number;
  backend: string;
  /** Per-phase timeouts, seconds. */
  formTimeoutS: number;
  cutTimeoutS: number;
  healTimeoutS: number;
  /** Which side of the cut group 0's expected head is placed on (placement.ts). */
  headSide: HeadSide;
  /**
   * How long the partition lasts: 'heads' heals once the cut-off side has a head of its own and
   * opened a round (seconds: a lease ttl); 'views' waits until both sides' views dropped the other
   * side too (about three view ttls while the dead sockets stay open) and the peers reclustered.
   */
  partitionUntil: 'heads' | 'views';
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

/** The peers (two true groups of 3) and hosts. */
const PEERS = 6;
const HOSTS = 3;
/** The host cut off in phase 2. */
export const CUT_HOST = 0;
/** Far more rounds than the run lasts: the peers are stopped once healing is checked. */
const ROUNDS = 1000;

/** The figures and verdict of one run. */
export interface PartitionHealResult {
  ok: boolean;
  failures: string[];
  /** Where group 0's head was when the link was cut: with the cut-off pair, or the lone far peer. */
  headWas: HeadSide;
  /** Seconds from start to formed network, and from the cut to each side going on. */
  formSeconds: number;
  cutReactSeconds: number;
  /** Seconds from the heal to one view and one head per group (the last belief change). */
  convergeSeconds: number;
  /** Seconds from the heal to a round closed with every member of every group. */
  fullRoundSeconds: number;
  ari: number;
  /** Last personalised accuracy of every peer after the heal, mean and min. */
  meanAcc: number | null;
  minAcc: number | null;
  /** Events of the cut-off peers and of the others between the cut and the heal, by name. */
  cutSide: Record<string, number>;
  farSide: Record<string, number>;
  termsReused: number;
  roundsLost: number;
  wallSeconds: number;
  outDir: string;
}

/** Runs the whole scenario; the namespaces and every peer process are gone when it returns or throws. */
export async function runPartitionHeal(o: PartitionHealOptions): Promise<PartitionHealResult> {
  const log = o.log ?? (() => undefined);
  const started = Date.now();
  const logDir = join(o.out, 'logs');
  const peersDir = join(o.out, 'peers');
  await mkdir(logDir, { recursive: true });
  await mkdir(peersDir, { recursive: true });
  const n = PEERS;
  const prepared = await prepareData({
    dataset: o.dataset,
    partition: o.partition,
    peers: n,
    seed: o.seed,
    ...(o.maxSamples !== undefined ? { maxSamples: o.maxSamples } : {}),
    dir: join(o.out, 'data'),
  });
  const topo = NetnsTopology.create(HOSTS);
  const pool = new PeerPool(resolveCli(), false);
  const waiter = new EventWaiter(logDir);
  try {
    const { peers } = await launchPeers(topo, pool, {
      cli: resolveCli(),
      peerDirs: prepared.peerDirs,
      place: (ids) => placeByHead(ids, prepared.truth, o.headSide),
      logDir,
      peersDir,
      rounds: ROUNDS,
      seed: o.seed,
      backend: o.backend,
    });
    const groupOfId = new Map(peers.map((p) => [p.id, prepared.truth[p.index] as number]));
    const groupOf = (id: string): number | undefined => groupOfId.get(id);
    const nameOf = (id: string): string => {
      const p = peers.find((x) => x.id === id);
      return p ? peerName(p.index) : id.slice(-8);
    };
    const groups = [...new Set(prepared.truth)].map((g) =>
      peers.filter((p) => prepared.truth[p.index] === g).map((p) => p.id),
    );
    const alive = (): string | undefined => {
      const dead = pool.procs.find((p) => p.exited);
      return dead ? `${peerName(dead.index)} exited (code ${dead.code}, signal ${dead.signal})` : undefined;
    };
    const ev = waiter.events;
    const since = (t: number, f: (e: PeerEvent) => boolean): PeerEvent | undefined =>
      ev.find((e) => e.time >= t && f(e));

    // (1) Formation: one view, one head per true group, and a first cluster model published.
    const formed = await waiter.until(
      'the network to form (one head per true group and round 1 published)',
      o.formTimeoutS * 1000,
      () => {
        const agreed = agreedClusters(beliefs(ev), groups);
        if (agreed === undefined) return undefined;
        const allPublished = agreed.every((a) =>
          ev.some(
            (e) =>
              e.event === 'cluster_model_published' && e.peer === a.head && e.term === a.term && e.round >= 1,
          ),
        );
        return allPublished ? agreed : undefined;
      },
      alive,
    );
    const formedAt = Date.now();
    const formSeconds = (formedAt - started) / 1000;
    log(
      `formed after ${formSeconds.toFixed(1)} s: ${formed.map((a) => `${a.cluster} head ${nameOf(a.head)} term ${a.term}`).join(', ')}`,
    );

    // (2) Cut host 0 off: each side goes on with whom it can reach.
    const cutIds = new Set(peers.filter((p) => p.host === CUT_HOST).map((p) => p.id));
    const farIds = new Set(peers.filter((p) => p.host !== CUT_HOST).map((p) => p.id));
    const sideGroups = (side: ReadonlySet<string>): string[][] =>
      groups.map((g) => g.filter((id) => side.has(id))).filter((g) => g.length > 0);
    const g0Head = formed.find((a) => groupOf(a.head) === 0)?.head;
    const headWas: HeadSide = g0Head !== undefined && cutIds.has(g0Head) ? 'cut' : 'far';
    const cutAt = Date.now();
    topo.cut(CUT_HOST);
    log(`cut host ${CUT_HOST} (${[...cutIds].map(nameOf).join(', ')})`);
    const exact = o.partitionUntil === 'views';
    const what = exact
      ? 'both sides of the partition to go on alone (own views, heads, a round opened on each side)'
      : 'both sides of the partition to go on alone (own heads, a round opened on each side)';
    const split = await waiter.until(
      what,
      o.cutTimeoutS * 1000,
      () => {
        const bs = beliefs(ev);
        const near = agreedClusters(bs, sideGroups(cutIds), exact);
        const far = agreedClusters(bs, sideGroups(farIds), exact);
        if (near === undefined || far === undefined) return undefined;
        // Every multi-peer cluster on either side opens a round of its own after the cut.
        const going = [...near, ...far].filter((a) => a.members.length > 1);
        const opened = going.every((a) =>
          since(cutAt, (e) => e.event === 'round_opened' && e.peer === a.head && e.term === a.term),
        );
        return opened ? { near, far } : undefined;
      },
      alive,
    );
    const cutReactSeconds = (Date.now() - cutAt) / 1000;
    log(
      `split after ${cutReactSeconds.toFixed(1)} s: cut side ${split.near.map((a) => `${a.cluster}[${a.members.map(nameOf).join(',')}] head ${nameOf(a.head)} term ${a.term}`).join('; ')}; far side ${split.far.map((a) => `${a.cluster}[${a.members.map(nameOf).join(',')}] head ${nameOf(a.head)} term ${a.term}`).join('; ')}`,
    );

    // (3) Heal: one view and one head per group again, then a round with every member.
    const healAt = Date.now();
    topo.heal(CUT_HOST);
    log('healed');
    const cutSide = reactionCounts(ev, cutIds, cutAt, healAt);
    const farSide = reactionCounts(ev, farIds, cutAt, healAt);
    const healed = await waiter.until(
      'one view and one head per group after the heal, then a round closed with every member',
      o.healTimeoutS * 1000,
      () => {
        const agreed = agreedClusters(beliefs(ev), groups);
        if (agreed === undefined) return undefined;
        const full = agreed.every((a) =>
          since(
            healAt,
            (e) => e.event === 'round_closed' && e.peer === a.head && e.updates >= a.members.length,
          ),
        );
        return full ? agreed : undefined;
      },
      alive,
    );
    const fullRoundSeconds = (Date.now() - healAt) / 1000;
    const bs = beliefs(ev);
    const lastChange = Math.max(healAt, ...peers.map((p) => bs.get(p.id)?.at ?? healAt));
    const convergeSeconds = (lastChange - healAt) / 1000;
    log(
      `converged ${convergeSeconds.toFixed(1)} s after the heal (full round after ${fullRoundSeconds.toFixed(1)} s): ${healed.map((a) => `${a.cluster} head ${nameOf(a.head)} term ${a.term}`).join(', ')}`,
    );

    const failures: string[] = [];
    // Terms are compared from the formed network on: while peers find each other, singletons and
    // small clusters lead at term 1 by design (the smallest id wins a same-term meeting).
    const reused = reusedTerms(
      ev.filter((e) => e.time >= formedAt),
      groupOf,
    );
    for (const r of reused)
      failures.push(
        `group ${r.group} (${r.cluster}) term ${r.term} held by ${r.heads.map(nameOf).join(' and ')}`,
      );
    const regress = evaluationRegressions(ev);
    for (const r of regress.slice(0, 3))
      failures.push(`${nameOf(r.peer)} evaluated round ${r.round} after round ${r.after}`);
    let roundsLost = regress.length;
    healed.forEach((a, g) => {
      // From the moment the last member of this cluster followed its agreed head: between the heal
      // and the merge the two sides are still separate clusters whose rounds both go on.
      const merged = Math.max(healAt, ...a.members.map((m) => bs.get(m)?.at ?? healAt));
      const lost = lostRounds(ev, groupOf, groupOf(a.head) ?? g, a.head, a.term, merged);
      roundsLost += lost.length;
      for (const l of lost.slice(0, 2))
        failures.push(
          `${a.cluster}: head ${nameOf(a.head)} opened round ${l.round} after round ${l.publishedBefore} was published`,
        );
    });
    const clusterOf = new Map(healed.flatMap((a, k) => a.members.map((m) => [m, k] as const)));
    const ari = adjustedRandIndex(
      prepared.truth,
      peers.map((p) => clusterOf.get(p.id) ?? -1),
    );
    const accs = peers
      .map((p) =>
        [...ev].reverse().find((e) => e.event === 'evaluation' && e.peer === p.id && e.time >= healAt),
      )
      .map((e) => (e?.event === 'evaluation' ? e.accAfter : undefined))
      .filter((a): a is number => a !== undefined);
    return {
      ok: failures.length === 0,
      failures,
      headWas,
      formSeconds,
      cutReactSeconds,
      convergeSeconds,
      fullRoundSeconds,
      ari,
      meanAcc: accs.length > 0 ? accs.reduce((s, a) => s + a, 0) / accs.length : null,
      minAcc: accs.length > 0 ? Math.min(...accs) : null,
      cutSide,
      farSide,
      termsReused: reused.length,
      roundsLost,
      wallSeconds: (Date.now() - started) / 1000,
      outDir: o.out,
    };
  } finally {
    await pool.stopAll(5000);
    await waiter.stop();
    topo.destroy();
  }
}
