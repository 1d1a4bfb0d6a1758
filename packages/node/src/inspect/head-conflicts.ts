// Two heads of one cluster in one term, from merged logs: each peer's tenures as head (from its own
// head_elected naming itself, or its round_opened) and the overlaps where two peers both ran
// rounds. A same-term race resolved before either opened a round is the election working, not a
// conflict; two heads both opening rounds is a split (they did not see each other) or a bug.
import type { AnyLoggedEvent } from './read-logs.js';

/** A (cluster, term) that had more than one acting head at the same time. */
export interface HeadConflict {
  cluster: string;
  term: number;
  /** The peers that acted as its head (opened rounds), sorted. */
  heads: string[];
  /** When the tenures overlapped (ms epoch): from the later start to the earlier end. */
  from: number;
  to: number;
}

interface Tenure {
  peer: string;
  cluster: string;
  term: number;
  start: number;
  end: number;
  opened: boolean;
}

/** Finds the (cluster, term) pairs with two heads that both opened rounds during overlapping tenures. */
export function findHeadConflicts(events: readonly AnyLoggedEvent[]): HeadConflict[] {
  const open = new Map<string, Tenure>();
  const done: Tenure[] = [];
  const last = new Map<string, number>();
  const close = (peer: string, at: number): void => {
    const t = open.get(peer);
    if (t === undefined) return;
    t.end = at;
    done.push(t);
    open.delete(peer);
  };
  const begin = (peer: string, cluster: string, term: number, at: number): Tenure => {
    close(peer, at);
    const t: Tenure = { peer, cluster, term, start: at, end: at, opened: false };
    open.set(peer, t);
    return t;
  };
  for (const e of events) {
    if ('unknown' in e) continue;
    last.set(e.peer, e.time);
    const mine = open.get(e.peer);
    switch (e.event) {
      case 'peer_started':
      case 'peer_stopped':
        close(e.peer, e.time);
        break;
      case 'cluster_assigned':
        if (mine !== undefined && mine.cluster !== e.cluster) close(e.peer, e.time);
        break;
      case 'head_elected':
        if (e.head === e.peer) {
          if (mine === undefined || mine.cluster !== e.cluster || mine.term !== e.term)
            begin(e.peer, e.cluster, e.term, e.time);
        } else if (mine !== undefined && mine.cluster === e.cluster) close(e.peer, e.time);
        break;
      case 'round_opened':
        if (e.head !== e.peer) break;
        if (mine === undefined || mine.cluster !== e.cluster || mine.term !== e.term)
          begin(e.peer, e.cluster, e.term, e.time).opened = true;
        else mine.opened = true;
        break;
      default:
        break;
    }
  }
  for (const [peer] of [...open]) close(peer, last.get(peer) ?? 0);

  const byKey = new Map<string, Tenure[]>();
  for (const t of done) {
    if (!t.opened) continue;
    const key = `${t.cluster}\u0000${t.term}`;
    byKey.set(key, [...(byKey.get(key) ?? []), t]);
  }
  const out: HeadConflict[] = [];
  for (const ts of byKey.values()) {
    const heads = new Set<string>();
    let from = Infinity;
    let to = -Infinity;
    for (let i = 0; i < ts.length; i++)
      for (let j = i + 1; j < ts.length; j++) {
        const [a, b] = [ts[i] as Tenure, ts[j] as Tenure];
        if (a.peer === b.peer) continue;
        const lo = Math.max(a.start, b.start);
        const hi = Math.min(a.end, b.end);
        if (lo > hi) continue;
        heads.add(a.peer).add(b.peer);
        from = Math.min(from, lo);
        to = Math.max(to, hi);
      }
    const first = ts[0] as Tenure;
    if (heads.size > 1)
      out.push({ cluster: first.cluster, term: first.term, heads: [...heads].sort(), from, to });
  }
  return out.sort((a, b) => a.from - b.from);
}
