/**
 * The page model from the fold's records: peer states (including peers that vanished without a
 * word), clusters with their current head, edges, accuracy series, traffic, rejections and the
 * failover timeline. Pure: the same records and options give the same view.
 */
import type { ClusterRecord, DashboardFold, HeadReport, PeerRecord } from './fold.js';
import type {
  ClusterView,
  DashboardView,
  HeadState,
  PeerActivity,
  PeerView,
  SeriesView,
  TimelineItem,
} from './view.js';

export interface SnapshotOptions {
  /** Reference time of "last seen" (ms epoch); the live server passes Date.now(). */
  now: number;
  title?: string;
  /** Partition folder name (`peer-07`) -> true group, from truth.json. */
  truth?: ReadonlyMap<string, number>;
  /** Local-only baseline accuracy. */
  baseline?: number | null;
  /** Corrupt lines skipped by the reader. */
  skipped?: number;
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const mean = (xs: number[]): number | null =>
  xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * When every peer that held `x` (a connection, or a place in its view) has let it go, the time the
 * last one did; undefined while a live peer still holds it or nobody ever let it go. Peers that
 * left themselves are neutral while they still hold `x`: they stopped logging, not noticing.
 */
function droppedAt(x: PeerRecord, peers: PeerRecord[], gone: ReadonlySet<string>): number | undefined {
  let released = -Infinity;
  let held = false;
  for (const y of peers) {
    const c = y.id === x.id ? undefined : y.conns.get(x.id);
    if (c === undefined) continue;
    if (!c.open) released = Math.max(released, c.time);
    else if (!gone.has(y.id)) held = true;
  }
  const byConn = !held && released > -Infinity ? released : undefined;
  let dropped = -Infinity;
  let kept = false;
  for (const y of peers) {
    if (y.id === x.id || !y.everSaw.has(x.id) || y.view === null) continue;
    if (!y.view.peers.has(x.id)) dropped = Math.max(dropped, y.view.time);
    else if (!gone.has(y.id)) kept = true;
  }
  const byView = !kept && dropped > -Infinity ? dropped : undefined;
  // A peer that wrote anything after being dropped is alive (a partition, not a death).
  if (byConn !== undefined && x.lastSeen < byConn) return byConn;
  if (byView !== undefined && x.lastSeen < byView) return byView;
  return undefined;
}

/** Peers that left: stopped ones, then (to a fixed point) those every remaining peer has dropped. */
export function departures(fold: DashboardFold): Map<string, number> {
  const peers = [...fold.peers.values()];
  const gone = new Map<string, number>();
  for (const p of peers) if (p.stopped) gone.set(p.id, p.stoppedAt ?? p.lastSeen);
  for (let changed = true; changed;) {
    changed = false;
    const goneSet = new Set(gone.keys());
    for (const p of peers) {
      if (gone.has(p.id)) continue;
      const t = droppedAt(p, peers, goneSet);
      if (t !== undefined) {
        gone.set(p.id, t);
        changed = true;
      }
    }
  }
  return gone;
}

function activity(p: PeerRecord, gone: boolean): PeerActivity {
  if (p.finished) return 'finished';
  if (p.stopped) return 'stopped';
  if (gone) return 'departed';
  if (p.waitingAt > p.progressAt) return 'waiting';
  return p.cluster === null ? 'clustering' : 'training';
}

const displayName = (p: PeerRecord): string => p.folder ?? (p.id.length > 10 ? `…${p.id.slice(-8)}` : p.id);

/** The head a cluster follows: the highest term whose head still counts itself in the cluster. */
function currentHead(c: ClusterRecord, peers: ReadonlyMap<string, PeerRecord>): HeadReport | undefined {
  let best: HeadReport | undefined;
  for (const r of c.heads.values()) {
    const hp = peers.get(r.head);
    // A head that has since been assigned elsewhere no longer heads this cluster id.
    if (hp !== undefined && hp.cluster !== null && hp.cluster !== c.id) continue;
    const better =
      best === undefined ||
      r.term > best.term ||
      (r.term === best.term && (r.lastAt > best.lastAt || (r.lastAt === best.lastAt && r.head > best.head)));
    if (better) best = r;
  }
  return best;
}

function clusterView(
  c: ClusterRecord,
  members: PeerRecord[],
  fold: DashboardFold,
  exited: ReadonlySet<string>,
): ClusterView {
  const h = currentHead(c, fold.peers);
  let headState: HeadState = 'none';
  if (h !== undefined) {
    const hp = fold.peers.get(h.head);
    if (hp !== undefined && !hp.finished && exited.has(h.head)) headState = 'gone';
    // Expired unless the head was heard from (elected by a member, a round opened) after the last
    // expiry report: a member that lost a few leases under load does not make a working head expired.
    else if ((c.expired.get(`${h.head}\0${h.term}`)?.last ?? -Infinity) >= h.lastAt) headState = 'expired';
    else headState = 'live';
  }
  const memberIds = new Set(members.map((m) => m.id));
  const series: SeriesView[] = [...c.evals]
    .map(([peer, rounds]) => {
      const p = fold.peers.get(peer);
      return {
        peer,
        name: p !== undefined ? displayName(p) : peer,
        gone: !memberIds.has(peer),
        points: [...rounds].sort((a, b) => a[0] - b[0]),
      };
    })
    .sort((a, b) => byString(a.name, b.name));
  const perRound = new Map<number, number[]>();
  for (const s of series)
    for (const [r, a] of s.points) {
      const l = perRound.get(r) ?? [];
      l.push(a);
      perRound.set(r, l);
    }
  const accs = members.map((m) => m.acc).filter((a): a is number => a !== null);
  return {
    id: c.id,
    members: members.map((m) => m.id).sort(byString),
    head: h?.head ?? null,
    headState,
    term: h?.term ?? 0,
    round: Math.max(-1, ...members.map((m) => m.round)),
    meanAcc: mean(accs),
    series,
    mean: [...perRound].sort((a, b) => a[0] - b[0]).map(([r, l]) => [r, mean(l) as number]),
  };
}

/** Whether the live clusters are exactly the truth groups (null with fewer than two comparable peers). */
function matchesTruth(peers: PeerView[]): boolean | null {
  const known = peers.filter((p) => p.truth !== null && p.cluster !== null);
  if (known.length < 2) return null;
  const groupOf = new Map<string, number>();
  const clusterOf = new Map<number, string>();
  for (const p of known) {
    const g = groupOf.get(p.cluster as string);
    const c = clusterOf.get(p.truth as number);
    if ((g !== undefined && g !== p.truth) || (c !== undefined && c !== p.cluster)) return false;
    groupOf.set(p.cluster as string, p.truth as number);
    clusterOf.set(p.truth as number, p.cluster as string);
  }
  return true;
}

function timeline(fold: DashboardFold, gone: ReadonlyMap<string, number>): TimelineItem[] {
  const items: TimelineItem[] = [];
  for (const c of fold.clusters.values()) {
    for (const r of c.heads.values()) {
      if (!r.elected) continue;
      const failoverMs = median(r.failoverMs);
      items.push({ time: r.firstAt, kind: 'elected', peer: r.head, cluster: c.id, term: r.term, failoverMs });
    }
    for (const [k, { first: time }] of c.expired) {
      const [head = '', term = '0'] = k.split('\0');
      items.push({
        time,
        kind: 'lease_expired',
        peer: head,
        cluster: c.id,
        term: Number(term),
        failoverMs: null,
      });
    }
  }
  for (const [id, time] of gone) {
    const p = fold.peers.get(id);
    if (p === undefined || p.finished) continue;
    const kind = p.stopped ? 'stopped' : 'departed';
    items.push({ time, kind, peer: id, cluster: p.cluster, term: null, failoverMs: null });
  }
  return items.sort(
    (a, b) =>
      a.time - b.time ||
      byString(a.kind, b.kind) ||
      byString(a.peer, b.peer) ||
      byString(a.cluster ?? '', b.cluster ?? '') ||
      (a.term ?? 0) - (b.term ?? 0),
  );
}

const emptyCluster = (id: string): ClusterRecord => ({
  id,
  heads: new Map(),
  expired: new Map(),
  evals: new Map(),
});

/** Builds the page model from the fold's records. */
export function buildView(fold: DashboardFold, opts: SnapshotOptions): DashboardView {
  const gone = departures(fold);
  const exited = new Set(gone.keys());
  const records = [...fold.peers.values()].sort((a, b) => byString(displayName(a), displayName(b)));
  const members = new Map<string, PeerRecord[]>();
  for (const p of records) {
    if (p.cluster === null || (exited.has(p.id) && !p.finished)) continue;
    const l = members.get(p.cluster) ?? [];
    l.push(p);
    members.set(p.cluster, l);
  }
  const clusters = [...members]
    .map(([id, ms]) => clusterView(fold.clusters.get(id) ?? emptyCluster(id), ms, fold, exited))
    .sort((a, b) => byString(a.id, b.id));
  const headOf = new Map(clusters.map((c) => [c.id, c.head]));
  const peers: PeerView[] = records.map((p) => ({
    id: p.id,
    name: displayName(p),
    cluster: p.cluster,
    role: p.cluster === null ? null : headOf.get(p.cluster) === p.id ? 'head' : 'member',
    round: p.round,
    acc: p.acc,
    state: activity(p, exited.has(p.id)),
    lastSeen: p.lastSeen,
    truth: p.folder !== null ? (opts.truth?.get(p.folder) ?? null) : null,
    epsilon: p.epsilon,
    backend: p.backend,
  }));
  // Finished peers keep the edges they had (they stop logging when they exit): the end of a run
  // still shows its network; peers that left early take theirs with them.
  const edges: [string, string][] = [];
  const ids = records.filter((p) => p.finished || !exited.has(p.id)).map((p) => p.id);
  for (let i = 0; i < ids.length; i++)
    for (let j = i + 1; j < ids.length; j++) {
      const a = ids[i] as string;
      const b = ids[j] as string;
      if (fold.peers.get(a)?.conns.get(b)?.open === true || fold.peers.get(b)?.conns.get(a)?.open === true)
        edges.push(a < b ? [a, b] : [b, a]);
    }
  const live = peers.filter((p) => p.state !== 'stopped' && p.state !== 'departed');
  return {
    version: 1,
    title: opts.title ?? 'PPFM',
    now: opts.now,
    firstAt: fold.firstAt,
    lastAt: fold.lastAt,
    events: fold.events,
    skipped: opts.skipped ?? 0,
    peers,
    edges,
    clusters,
    traffic: [...fold.traffic]
      .sort((a, b) => a[0] - b[0])
      .map(([round, t]) => ({
        round,
        sent: t.sent,
        received: t.received,
        byCluster: Object.fromEntries([...t.byCluster].sort((a, b) => byString(a[0], b[0]))),
        peers: t.peers.size,
      })),
    rejections: [...fold.rejections.values()]
      .map((r) => ({ ...r, senders: r.senders.size }))
      .sort(
        (a, b) =>
          b.count - a.count ||
          byString(a.reason, b.reason) ||
          byString(a.kind, b.kind) ||
          byString(a.channel, b.channel),
      ),
    timeline: timeline(fold, gone),
    truth:
      opts.truth !== undefined && opts.truth.size > 0
        ? { groups: new Set(opts.truth.values()).size, matches: matchesTruth(live) }
        : null,
    baseline: opts.baseline ?? null,
    modelBytes: fold.modelBytes,
  };
}
