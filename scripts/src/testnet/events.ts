/**
 * The subset of the peers' JSON-lines log events the testnet reads. Field names follow the log schema
 * of `@ppfm/node` (CONTRACTS.md); lines are parsed leniently because they come from files being written.
 */

/** Fields common to every log line. */
interface Base {
  time: number;
  peer: string;
}

export type PeerEvent =
  | (Base & { event: 'peer_started'; addrs: string[]; dataPath?: string; backend?: string; samples?: number })
  | (Base & { event: 'cluster_assigned'; cluster: string; members: string[]; head?: string; k?: number })
  | (Base & { event: 'head_elected'; cluster: string; head: string; term: number; electionMs?: number })
  | (Base & { event: 'lease_expired'; cluster: string; head: string; term: number })
  | (Base & { event: 'round_opened'; cluster: string; round: number; term: number; head: string })
  | (Base & { event: 'round_closed'; cluster: string; round: number; updates: number; quorum?: number })
  | (Base & { event: 'update_received'; cluster: string; round: number; from: string; bytes?: number })
  | (Base & { event: 'cluster_model_published'; cluster: string; round: number; term: number; bytes: number })
  | (Base & {
      event: 'evaluation';
      cluster: string;
      round: number;
      accBefore?: number;
      accAfter: number;
      lossAfter?: number;
      /** Epsilon spent by this peer (differential privacy), when it runs with --dp-*. */
      epsilon?: number;
      /** Zero-shot mode: unseen-class accuracy and generalised ZSL (seen, unseen, harmonic mean). */
      zs?: { zsl?: number; gzslSeen?: number; gzslUnseen?: number; gzslH?: number };
    })
  | (Base & { event: 'dp_release'; cluster: string; round: number; epsilon?: number; delta: number })
  | (Base & {
      event: 'secagg_aggregated';
      cluster: string;
      round: number;
      contributors: number;
      dropped: number;
      /** From closing the adverts to the decoded sum. */
      ms?: number;
    })
  | (Base & { event: 'rounds_completed'; cluster: string; round: number })
  | (Base & {
      event: 'traffic';
      bytesSent: number;
      bytesReceived?: number;
      round?: number;
      /** Since the previous traffic event: all bytes sent, direct-stream bytes sent, all bytes received. */
      roundBytesSent?: number;
      roundDirectBytesSent?: number;
      roundBytesReceived?: number;
    })
  | (Base & { event: 'peer_stopped'; reason?: string; processCpuSeconds?: number })
  | (Base & { event: 'other'; name: string; raw: Record<string, unknown> });

type Raw = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const strs = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/** Parses one log line; returns undefined for blank, non-JSON or non-event lines (e.g. stray prints). */
export function parseEventLine(line: string): PeerEvent | undefined {
  const t = line.trim();
  if (t.length === 0 || t[0] !== '{') return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(t);
  } catch {
    return undefined;
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  return toEvent(raw as Raw);
}

/** Maps a decoded log object to a typed event, or undefined when a required field is missing. */
export function toEvent(r: Raw): PeerEvent | undefined {
  const event = str(r.event);
  const peer = str(r.peer) ?? '';
  const time = num(r.time) ?? Date.now();
  if (event === undefined) return undefined;
  const base = { time, peer };
  const cluster = str(r.cluster) ?? (typeof r.cluster === 'number' ? String(r.cluster) : undefined);
  const round = num(r.round);
  switch (event) {
    case 'peer_started': {
      const e: PeerEvent = { ...base, event, addrs: strs(r.addrs) };
      const dataPath = str(r.dataPath);
      if (dataPath !== undefined) e.dataPath = dataPath;
      const backend = str(r.backend);
      if (backend !== undefined) e.backend = backend;
      const samples = num(r.samples);
      if (samples !== undefined) e.samples = samples;
      return e;
    }
    case 'cluster_assigned': {
      if (cluster === undefined) return undefined;
      const e: PeerEvent = { ...base, event, cluster, members: strs(r.members) };
      const head = str(r.head);
      if (head !== undefined) e.head = head;
      const k = num(r.k);
      if (k !== undefined) e.k = k;
      return e;
    }
    case 'head_elected':
    case 'lease_expired': {
      const head = str(r.head);
      if (cluster === undefined || head === undefined) return undefined;
      const e: PeerEvent = { ...base, event, cluster, head, term: num(r.term) ?? 0 };
      const ms = num(r.electionMs);
      if (event === 'head_elected' && ms !== undefined) (e as { electionMs?: number }).electionMs = ms;
      return e;
    }
    case 'round_opened':
      if (cluster === undefined || round === undefined) return undefined;
      return { ...base, event, cluster, round, term: num(r.term) ?? 0, head: str(r.head) ?? '' };
    case 'round_closed':
      if (cluster === undefined || round === undefined) return undefined;
      return { ...base, event, cluster, round, updates: num(r.updates) ?? 0, quorum: num(r.quorum) };
    case 'update_received': {
      if (cluster === undefined || round === undefined) return undefined;
      const e: PeerEvent = { ...base, event, cluster, round, from: str(r.from) ?? '' };
      const bytes = num(r.bytes);
      if (bytes !== undefined) e.bytes = bytes;
      return e;
    }
    case 'cluster_model_published': {
      const bytes = num(r.bytes);
      if (cluster === undefined || round === undefined || bytes === undefined) return undefined;
      return { ...base, event, cluster, round, term: num(r.term) ?? 0, bytes };
    }
    case 'evaluation': {
      const accAfter = num(r.accAfter);
      if (cluster === undefined || round === undefined || accAfter === undefined) return undefined;
      const e: PeerEvent = { ...base, event, cluster, round, accAfter };
      const accBefore = num(r.accBefore);
      if (accBefore !== undefined) e.accBefore = accBefore;
      const lossAfter = num(r.lossAfter);
      if (lossAfter !== undefined) e.lossAfter = lossAfter;
      const epsilon = num(r.epsilon);
      if (epsilon !== undefined) e.epsilon = epsilon;
      const zs: NonNullable<typeof e.zs> = {};
      for (const k of ['zsl', 'gzslSeen', 'gzslUnseen', 'gzslH'] as const) {
        const x = num(r[k]);
        if (x !== undefined) zs[k] = x;
      }
      if (Object.keys(zs).length > 0) e.zs = zs;
      return e;
    }
    case 'dp_release': {
      if (cluster === undefined || round === undefined) return undefined;
      const e: PeerEvent = { ...base, event, cluster, round, delta: num(r.delta) ?? 0 };
      const epsilon = num(r.epsilon);
      if (epsilon !== undefined) e.epsilon = epsilon;
      return e;
    }
    case 'secagg_aggregated':
      if (cluster === undefined || round === undefined) return undefined;
      return {
        ...base,
        event,
        cluster,
        round,
        contributors: num(r.contributors) ?? 0,
        dropped: num(r.dropped) ?? 0,
        ...(num(r.ms) !== undefined ? { ms: num(r.ms) } : {}),
      };
    case 'rounds_completed':
      return { ...base, event, cluster: cluster ?? '', round: round ?? 0 };
    case 'traffic': {
      const bytesSent = num(r.bytesSent);
      if (bytesSent === undefined) return undefined;
      const e: PeerEvent = { ...base, event, bytesSent };
      const rec = num(r.bytesReceived);
      if (rec !== undefined) e.bytesReceived = rec;
      if (round !== undefined) e.round = round;
      const sent = num(r.roundBytesSent);
      if (sent !== undefined) e.roundBytesSent = sent;
      const direct = num(r.roundDirectBytesSent);
      if (direct !== undefined) e.roundDirectBytesSent = direct;
      const received = num(r.roundBytesReceived);
      if (received !== undefined) e.roundBytesReceived = received;
      return e;
    }
    case 'peer_stopped': {
      const e: PeerEvent = { ...base, event };
      const reason = str(r.reason);
      if (reason !== undefined) e.reason = reason;
      const cpu = num(r.processCpuSeconds);
      if (cpu !== undefined && cpu >= 0) e.processCpuSeconds = cpu;
      return e;
    }
    default:
      return { ...base, event: 'other', name: event, raw: r };
  }
}
