// Loss-based cluster refinement (IFCA rule) for peers whose fingerprints do not separate the
// tasks (same input marginals, different labelling). After a warm-up round every peer scores the
// candidate models on its own training split (a `loss_report`); every peer clusters the collected
// loss matrix with the same deterministic rule, so the same reports give the same clusters
// everywhere, with no vote: symmetric excess loss, average linkage cut at the largest jump
// (`agglomerate`), then the separation guard, which merges clusters closer than noise (peers that
// share one distribution stay one cluster). Pure: no networking, no tfjs; the caller injects the
// reports. The simulator and the networked peer both call refineByLoss.
import { agglomerate } from './linkage.js';

/** Refined cluster ids must be topic-safe like every cluster id (the protocol's rule). */
const CLUSTER_ID_PATTERN = /^[a-z0-9-]{1,64}$/;

/** One peer's losses of the candidate models on its own data (the `loss_report` gossip body). */
export interface LossReport {
  peerId: string;
  /** Increases with every report the peer publishes; only the latest counts. */
  seq: number;
  /** The round whose models were scored. */
  round: number;
  /** Candidate ids (peer ids of warm-up models, or cluster ids), distinct. */
  candidates: string[];
  /** losses[i]: the loss of candidates[i]'s model on this peer's training split (finite, >= 0). */
  losses: number[];
}

/** What `LossMatrix.add` did with a report. */
export type AddResult = 'added' | 'updated' | 'stale' | 'invalid';

/** Latest loss report per peer. Losses are stored as float32, exactly what every receiver decodes. */
export class LossMatrix {
  private readonly latest = new Map<string, LossReport>();

  /** Keeps `r` unless a report with the same or a higher seq from that peer is already held. */
  add(r: LossReport): AddResult {
    if (!validReport(r)) return 'invalid';
    const known = this.latest.get(r.peerId);
    if (known !== undefined && r.seq <= known.seq) return 'stale';
    // float32 so that our own report (never decoded) is bit-identical to the copies others hold.
    this.latest.set(r.peerId, {
      peerId: r.peerId,
      seq: r.seq,
      round: r.round,
      candidates: [...r.candidates],
      losses: r.losses.map((x) => Math.fround(x)),
    });
    return known === undefined ? 'added' : 'updated';
  }

  /** The latest report of `peer`, if any. */
  get(peer: string): LossReport | undefined {
    return this.latest.get(peer);
  }

  /** Forgets a peer's report (it left the view). */
  delete(peer: string): boolean {
    return this.latest.delete(peer);
  }

  /** Drops the reports of peers not in `ids` (expired from the view). */
  retain(ids: Iterable<string>): void {
    const keep = new Set(ids);
    for (const id of [...this.latest.keys()]) if (!keep.has(id)) this.latest.delete(id);
  }

  /** Number of peers with a report. */
  get size(): number {
    return this.latest.size;
  }

  /** The latest reports sorted by peer id, optionally only those scoring `round`. */
  reports(round?: number): LossReport[] {
    return [...this.latest.values()]
      .filter((r) => round === undefined || r.round === round)
      .sort((a, b) => cmp(a.peerId, b.peerId));
  }
}

/**
 * Builds this peer's report from its measured losses: candidates sorted, a candidate whose loss is
 * not finite (diverged model) is left out (a missing entry rather than an unencodable report).
 */
export function makeLossReport(
  peerId: string,
  seq: number,
  round: number,
  losses: ReadonlyMap<string, number>,
): LossReport {
  const ids = [...losses.keys()].filter((id) => {
    const x = losses.get(id) as number;
    return Number.isFinite(x) && Number.isFinite(Math.fround(x)) && x >= 0;
  });
  ids.sort(cmp);
  return {
    peerId,
    seq,
    round,
    candidates: ids,
    losses: ids.map((id) => Math.fround(losses.get(id) as number)),
  };
}

/** Tuning of the refinement rule; every peer must use the same values. */
export interface RefineOptions {
  /** Refine only these peers (e.g. one fingerprint cluster's members); default: every reporter. */
  members?: Iterable<string>;
  /** Use only reports scoring this round; default: all given reports. */
  round?: number;
  /** agglomerate's minimum jump between successive merge heights (default 3). */
  splitRatio?: number;
  /**
   * Minimum-separation guard: clusters whose average-linkage distance (symmetric excess loss,
   * nats) is below max(minExcessLoss, minRelativeExcess * mean own loss) are merged back, so
   * that noise (no structure) gives one cluster. Both 0 is the bare linkage rule.
   */
  minExcessLoss?: number;
  minRelativeExcess?: number;
  /** Cluster ids are `<idPrefix><rank>`, rank ordered by smallest member id (default `l`). */
  idPrefix?: string;
}

/** Defaults: split ratio 3 plus the separation guard. */
export const DEFAULT_REFINE_OPTIONS = {
  splitRatio: 3,
  minExcessLoss: 0.05,
  minRelativeExcess: 0.5,
  idPrefix: 'l',
} as const;

/** The refined clustering: clusters in id order, peer -> cluster id, and who could not be placed. */
export interface Refinement {
  clusters: { id: string; members: string[] }[];
  byPeer: Map<string, string>;
  /** True when the losses split the peers into more than one cluster. */
  separated: boolean;
  /** Members without a usable report (no report for the round, or no loss linking them to anyone). */
  unplaced: string[];
}

/**
 * Clusters peers by their loss reports, deterministically (same reports => same result on every
 * peer, whatever order they arrived in). Distance between peers i and j is the
 * symmetric excess loss max(0, (L_i[j] - L_i[i] + L_j[i] - L_j[j]) / 2), with missing entries
 * handled as documented in `excessDistances`.
 */
export function refineByLoss(reports: Iterable<LossReport>, opts: RefineOptions = {}): Refinement {
  const o = { ...DEFAULT_REFINE_OPTIONS, ...stripUndefined(opts) };
  const byId = new Map<string, LossReport>();
  for (const r of reports) {
    if (opts.round !== undefined && r.round !== opts.round) continue;
    if (!validReport(r)) continue;
    const known = byId.get(r.peerId);
    if (known === undefined || r.seq > known.seq) byId.set(r.peerId, r);
  }
  const members = opts.members === undefined ? [...byId.keys()] : [...new Set(opts.members)];
  members.sort(cmp);
  const reporters = members.filter((id) => byId.has(id));
  const unplaced = members.filter((id) => !byId.has(id));

  const rows = reporters.map((id) => lossRow(byId.get(id) as LossReport, reporters));
  const { dist, linked, ownLoss } = excessDistances(rows);
  const ids = reporters.filter((_, i) => linked[i]);
  for (let i = 0; i < reporters.length; i++) if (!linked[i]) unplaced.push(reporters[i] as string);
  unplaced.sort(cmp);
  const idx = reporters.map((_, i) => i).filter((i) => linked[i]);
  const d = (a: number, b: number): number =>
    (dist[idx[a] as number] as number[])[idx[b] as number] as number;

  let groups: number[][];
  if (ids.length === 0) groups = [];
  else if (ids.length < 3) groups = [ids.map((_, i) => i)];
  else {
    const labels = agglomerate(ids.length, d, o.splitRatio);
    groups = groupLabels(labels);
    const owns = idx.map((i) => ownLoss[i] as number).filter((x) => !Number.isNaN(x));
    const own = owns.length > 0 ? owns.reduce((s, x) => s + x, 0) / owns.length : 0;
    const threshold = Math.max(o.minExcessLoss, o.minRelativeExcess * own);
    groups = mergeClose(groups, d, threshold);
  }

  const named = groups
    .map((g) => g.map((i) => ids[i] as string).sort(cmp))
    .sort((a, b) => cmp(a[0] as string, b[0] as string));
  const clusters = named.map((m, rank) => {
    const id = `${o.idPrefix}${rank}`;
    if (!CLUSTER_ID_PATTERN.test(id)) throw new RangeError(`invalid refined cluster id ${id}`);
    return { id, members: m };
  });
  const byPeer = new Map<string, string>();
  for (const c of clusters) for (const m of c.members) byPeer.set(m, c.id);
  return { clusters, byPeer, separated: clusters.length > 1, unplaced };
}

/**
 * The IFCA rule for one peer (e.g. a late joiner scoring the existing cluster models): the
 * candidate with the lowest loss, ties to the smallest id; undefined when nothing was scored.
 * `among` restricts the choice (e.g. to clusters that still exist).
 */
export function lowestLoss(r: LossReport, among?: Iterable<string>): string | undefined {
  const allowed = among === undefined ? undefined : new Set(among);
  let best: string | undefined;
  let bestLoss = Infinity;
  r.candidates.forEach((c, i) => {
    const l = r.losses[i] as number;
    if (allowed !== undefined && !allowed.has(c)) return;
    if (l < bestLoss || (l === bestLoss && best !== undefined && c < best)) {
      best = c;
      bestLoss = l;
    }
  });
  return best;
}

/** When to run loss-based refinement: fingerprints did not separate and enough peers to split. */
export interface RefinementConfig {
  enabled: boolean;
  /** Fewest peers in the view worth refining (agglomerate cannot split fewer than 3). */
  minPeers: number;
}

/** Default: on, from 4 peers (two per task at least). */
export const DEFAULT_REFINEMENT_CONFIG: RefinementConfig = { enabled: true, minPeers: 4 };

/** Whether to run the warm-up + loss-report refinement for a view of `viewSize` peers. */
export function shouldRefine(
  viewSize: number,
  separated: boolean,
  config: RefinementConfig = DEFAULT_REFINEMENT_CONFIG,
): boolean {
  return config.enabled && !separated && viewSize >= Math.max(3, config.minPeers);
}

// ---------------------------------------------------------------- internals

/** A report's losses of the given peers' models (undefined: not scored). */
function lossRow(r: LossReport, peers: readonly string[]): (number | undefined)[] {
  const at = new Map<string, number>();
  r.candidates.forEach((c, i) => at.set(c, Math.fround(r.losses[i] as number)));
  return peers.map((p) => at.get(p));
}

/**
 * Pairwise distances from loss rows (rows[i][j]: peer i's loss of peer j's model).
 * - Own loss: L_i[i], or when i did not score itself the smallest loss in its row.
 * - Both directions known: the symmetric excess. One known: that one-sided excess.
 * - Neither: the shortest two-hop path min_k d(i,k) + d(k,j) over known pairs (an upper bound for
 *   a metric; ~0 inside a task, large across), else the largest known distance (unknown = far).
 * A peer linked to nobody by a known entry is not placed.
 */
function excessDistances(rows: (number | undefined)[][]): {
  dist: number[][];
  linked: boolean[];
  ownLoss: number[];
} {
  const n = rows.length;
  const ownLoss = rows.map((row, i) => {
    const self = row[i];
    if (self !== undefined) return self;
    const known = row.filter((x): x is number => x !== undefined);
    return known.length > 0 ? Math.min(...known) : NaN;
  });
  const excess = (i: number, j: number): number | undefined => {
    const l = (rows[i] as (number | undefined)[])[j];
    const own = ownLoss[i] as number;
    return l === undefined || Number.isNaN(own) ? undefined : l - own;
  };
  const known: (number | undefined)[][] = [];
  const linked = new Array<boolean>(n).fill(false);
  let maxKnown = 0;
  for (let i = 0; i < n; i++) {
    const row: (number | undefined)[] = [];
    for (let j = 0; j < n; j++) {
      if (i === j) {
        row.push(0);
        continue;
      }
      const a = excess(i, j);
      const b = excess(j, i);
      let v: number | undefined;
      if (a !== undefined && b !== undefined) v = Math.max(0, (a + b) / 2);
      else if (a !== undefined) v = Math.max(0, a);
      else if (b !== undefined) v = Math.max(0, b);
      if (v !== undefined) {
        linked[i] = true;
        maxKnown = Math.max(maxKnown, v);
      }
      row.push(v);
    }
    known.push(row);
  }
  const dist = known.map((row, i) =>
    row.map((v, j) => {
      if (v !== undefined) return v;
      let best = Infinity;
      for (let k = 0; k < n; k++) {
        const a = (known[i] as (number | undefined)[])[k];
        const b = (known[k] as (number | undefined)[])[j];
        if (k !== i && k !== j && a !== undefined && b !== undefined) best = Math.min(best, a + b);
      }
      return Number.isFinite(best) ? best : maxKnown;
    }),
  );
  return { dist, linked, ownLoss };
}

/** Groups item indices by label, in order of first appearance. */
function groupLabels(labels: readonly number[]): number[][] {
  const groups = new Map<number, number[]>();
  labels.forEach((l, i) => {
    const g = groups.get(l);
    if (g === undefined) groups.set(l, [i]);
    else g.push(i);
  });
  return [...groups.values()];
}

/**
 * The separation guard: while two groups are closer (average linkage) than `threshold`, merge the
 * closest pair (ties: lowest indices). No structure => everything merges into one cluster.
 */
function mergeClose(groups: number[][], d: (a: number, b: number) => number, threshold: number): number[][] {
  let gs = groups.map((g) => [...g]);
  const avg = (a: number[], b: number[]): number => {
    let s = 0;
    for (const i of a) for (const j of b) s += d(i, j);
    return s / (a.length * b.length);
  };
  while (gs.length > 1) {
    let best: [number, number] = [0, 1];
    let bestD = Infinity;
    for (let a = 0; a < gs.length; a++)
      for (let b = a + 1; b < gs.length; b++) {
        const h = avg(gs[a] as number[], gs[b] as number[]);
        if (h < bestD) {
          bestD = h;
          best = [a, b];
        }
      }
    if (bestD >= threshold) break;
    const [a, b] = best;
    gs = gs.filter((_, i) => i !== a && i !== b).concat([[...(gs[a] as number[]), ...(gs[b] as number[])]]);
  }
  return gs;
}

function validReport(r: LossReport): boolean {
  return (
    typeof r.peerId === 'string' &&
    r.peerId.length > 0 &&
    Number.isInteger(r.seq) &&
    r.seq >= 0 &&
    Number.isInteger(r.round) &&
    r.round >= 0 &&
    Array.isArray(r.candidates) &&
    Array.isArray(r.losses) &&
    r.candidates.length === r.losses.length &&
    new Set(r.candidates).size === r.candidates.length &&
    r.losses.every((x) => typeof x === 'number' && Number.isFinite(Math.fround(x)) && x >= 0)
  );
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
