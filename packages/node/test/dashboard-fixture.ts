// A hand-written 6-peer run as the dashboard sees it: two clusters of three (truth groups 0 and 1),
// connections between everybody, two rounds; then c1's head P3 is SIGKILLed (no peer_stopped):
// the others log the disconnections, the lease expiry and P4's election with term 2; round 3
// follows. Plus the forward-compatible shapes a newer peer may log (waiting, update_rejected,
// an epsilon field, an event nobody knows).
import type { LogEvent, LoggedEvent, UnknownLoggedEvent } from '../src/log/events.js';
import type { AnyLoggedEvent } from '../src/inspect/read-logs.js';

export const T0 = 1_700_000_000_000;
export const P = [
  '12D3KooWP0aaaaaa00',
  '12D3KooWP1bbbbbb11',
  '12D3KooWP2cccccc22',
  '12D3KooWP3dddddd33',
  '12D3KooWP4eeeeee44',
  '12D3KooWP5ffffff55',
] as const;
export const [P0, P1, P2, P3, P4, P5] = P;
/** When P3 dies (its last line is before this). */
export const KILL_AT = T0 + 3000;

const at = (dt: number, peer: string, e: LogEvent): LoggedEvent =>
  ({ level: 30, time: T0 + dt, peer, ...e }) as LoggedEvent;
const unknown = (
  dt: number,
  peer: string,
  event: string,
  fields: Record<string, unknown>,
): UnknownLoggedEvent => ({
  level: 30,
  time: T0 + dt,
  peer,
  event,
  unknown: true,
  ...fields,
});

const c0: string[] = [P0, P1, P2];
const c1: string[] = [P3, P4, P5];
const clusterOf = (p: string): 'c0' | 'c1' => (c0.includes(p) ? 'c0' : 'c1');

/** Every peer's events, each list in that peer's own (file) order. */
export function fixtureByPeer(): Map<string, AnyLoggedEvent[]> {
  const out = new Map<string, AnyLoggedEvent[]>(P.map((p) => [p, []]));
  const add = (e: AnyLoggedEvent): void => void out.get(e.peer)?.push(e);
  P.forEach((p, i) => {
    add(
      at(i, p, {
        event: 'peer_started',
        addrs: [`/ip4/127.0.0.1/tcp/${4000 + i}/p2p/${p}`],
        backend: 'wasm',
        dataPath: `/run/data/peer-0${i}`,
        samples: 500,
        version: '0.1.0',
      }),
    );
    if (i === 1) add(unknown(20, p, 'waiting', { reason: 'min_peers', have: 1, want: 6 }));
    for (const q of P) if (q !== p) add(at(50 + i, p, { event: 'peer_connected', remote: q }));
    add(at(60 + i, p, { event: 'view_changed', peers: [...P] }));
    const cluster = clusterOf(p);
    const members = cluster === 'c0' ? c0 : c1;
    add(at(100, p, { event: 'cluster_assigned', cluster, members, head: members[0] as string, k: 2 }));
    add(at(110, p, { event: 'head_elected', cluster, head: members[0] as string, term: 1 }));
  });
  for (const round of [1, 2]) {
    for (const p of P) {
      const cluster = clusterOf(p);
      if (p === P0 || p === P3)
        add(at(round * 1000, p, { event: 'round_opened', cluster, round, term: 1, head: p }));
      add(at(round * 1000 + 500, p, traffic(cluster, round, 100_000 + P.indexOf(p))));
      add(at(round * 1000 + 600, p, evaluation(cluster, round, 0.5 + 0.1 * round + 0.01 * P.indexOf(p))));
    }
  }
  add(at(2550, P3, { event: 'cluster_model_published', cluster: 'c1', round: 2, term: 1, bytes: 40_002 }));
  add(
    at(2700, P0, { event: 'message_rejected', topic: '/ppfm/1/cluster/c0', from: P5, reason: 'malformed' }),
  );
  add(
    at(2710, P0, { event: 'message_rejected', topic: '/ppfm/1/cluster/c0', from: P4, reason: 'malformed' }),
  );
  add(
    at(2720, P1, {
      event: 'message_rejected',
      protocol: '/ppfm/1/update/push',
      from: P5,
      reason: 'too_large',
    }),
  );
  add(unknown(2730, P3, 'update_rejected', { cluster: 'c1', from: P5, reason: 'norm_bound', epsilon: 0.5 }));
  // P3 is killed at KILL_AT: the others notice.
  for (const p of P)
    if (p !== P3) add(at(3050 + P.indexOf(p), p, { event: 'peer_disconnected', remote: P3 }));
  for (const p of [P4, P5]) {
    add(at(8000, p, { event: 'lease_expired', cluster: 'c1', head: P3, term: 1 }));
    add(
      at(8100, p, {
        event: 'head_elected',
        cluster: 'c1',
        head: P4,
        term: 2,
        failoverMs: p === P4 ? 5100 : 5300,
      }),
    );
  }
  for (const p of P)
    if (p !== P3)
      add(at(13_000 + P.indexOf(p), p, { event: 'view_changed', peers: P.filter((q) => q !== P3) }));
  for (const p of P) {
    if (p === P3) continue;
    const cluster = clusterOf(p);
    if (p === P0 || p === P4)
      add(at(14_000, p, { event: 'round_opened', cluster, round: 3, term: p === P4 ? 2 : 1, head: p }));
    add(at(14_500, p, evaluation(cluster, 3, 0.8 + 0.01 * P.indexOf(p))));
  }
  add(at(14_100, P0, { event: 'cluster_model_published', cluster: 'c0', round: 3, term: 1, bytes: 40_003 }));
  add(unknown(14_600, P2, 'some_future_event', { whatever: 1 }));
  return out;
}

/** All events merged by time (ties in peer order), as `ppfm inspect` reads them. */
export function fixtureEvents(): AnyLoggedEvent[] {
  return [...fixtureByPeer().values()].flat().sort((a, b) => a.time - b.time);
}

/** truth.json's map: folder -> group (c0 holds peers 0-2, c1 peers 3-5). */
export const TRUTH = new Map(P.map((_, i) => [`peer-0${i}`, i < 3 ? 0 : 1]));

function traffic(cluster: string, round: number, bytes: number): LogEvent {
  return {
    event: 'traffic',
    cluster,
    round,
    bytesSent: bytes * round,
    bytesReceived: 2 * bytes * round,
    roundBytesSent: bytes,
    roundBytesReceived: 2 * bytes,
    roundDirectBytesSent: bytes - 1000,
    modelBytes: 40_000 + round,
    codec: 'float32',
  };
}

function evaluation(cluster: string, round: number, accAfter: number): LogEvent {
  return { event: 'evaluation', cluster, round, accBefore: 0.1, accAfter, lossBefore: 2.3, lossAfter: 0.4 };
}
