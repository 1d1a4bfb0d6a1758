// A hand-written multi-peer run, shared by the inspect and CLI tests: two clusters, the head
// of c1 stops, its lease expires and B takes over with term 2; E joins c2 late.
import type { LogEvent, LoggedEvent } from '../src/log/events.js';

export const T0 = 1_700_000_000_000;
export const [A, B, C, D, E] = [
  '12D3KooWAAAAAAAAaaaaaaa1',
  '12D3KooWBBBBBBBBbbbbbbb2',
  '12D3KooWCCCCCCCCccccccc3',
  '12D3KooWDDDDDDDDddddddd4',
  '12D3KooWEEEEEEEEeeeeeee5',
] as [string, string, string, string, string];

const at = (dt: number, peer: string, e: LogEvent): LoggedEvent =>
  ({ level: e.event === 'lease_expired' ? 40 : 30, time: T0 + dt, peer, ...e }) as LoggedEvent;
const started = (dt: number, peer: string): LoggedEvent =>
  at(dt, peer, {
    event: 'peer_started',
    addrs: [`/ip4/127.0.0.1/tcp/${4000 + dt}`],
    backend: 'cpu',
    dataPath: '/d',
    samples: 100,
    version: '0.1.0',
  });
const evaluation = (
  dt: number,
  peer: string,
  cluster: string,
  round: number,
  accAfter: number,
): LoggedEvent =>
  at(dt, peer, {
    event: 'evaluation',
    cluster,
    round,
    accBefore: 0.1,
    accAfter,
    lossBefore: 2,
    lossAfter: 1,
  });

/** The fixture's events in time order. */
export function fixtureEvents(): LoggedEvent[] {
  return [
    started(0, A),
    started(1, B),
    started(2, C),
    started(3, D),
    at(50, A, { event: 'peer_connected', remote: B }),
    at(100, A, { event: 'cluster_assigned', cluster: 'c1', members: [B, A], head: A, k: 2 }),
    at(100, B, { event: 'cluster_assigned', cluster: 'c1', members: [A, B], head: A, k: 2 }),
    at(100, C, { event: 'cluster_assigned', cluster: 'c2', members: [C, D], head: C, k: 2 }),
    at(100, D, { event: 'cluster_assigned', cluster: 'c2', members: [C, D], head: C, k: 2 }),
    at(110, A, { event: 'head_elected', cluster: 'c1', head: A, term: 1 }),
    at(110, B, { event: 'head_elected', cluster: 'c1', head: A, term: 1 }),
    at(110, C, { event: 'head_elected', cluster: 'c2', head: C, term: 1 }),
    at(111, D, { event: 'head_elected', cluster: 'c2', head: C, term: 1 }),
    at(200, A, { event: 'round_opened', cluster: 'c1', round: 1, term: 1, head: A }),
    at(200, B, { event: 'round_opened', cluster: 'c1', round: 1, term: 1, head: A }),
    at(200, C, { event: 'round_opened', cluster: 'c2', round: 1, term: 1, head: C }),
    at(201, D, { event: 'round_opened', cluster: 'c2', round: 1, term: 1, head: C }),
    evaluation(300, A, 'c1', 1, 0.7),
    evaluation(300, B, 'c1', 1, 0.6),
    evaluation(300, C, 'c2', 1, 0.5),
    evaluation(300, D, 'c2', 1, 0.55),
    at(400, A, { event: 'peer_stopped', reason: 'signal' }),
    at(500, B, { event: 'lease_expired', cluster: 'c1', head: A, term: 1 }),
    at(520, B, { event: 'head_elected', cluster: 'c1', head: B, term: 2, electionMs: 120 }),
    at(530, B, { event: 'cluster_assigned', cluster: 'c1', members: [B], head: B, k: 2 }),
    at(600, B, { event: 'round_opened', cluster: 'c1', round: 2, term: 2, head: B }),
    evaluation(601, B, 'c1', 2, 0.8),
    started(610, E),
    at(620, E, { event: 'cluster_assigned', cluster: 'c2', members: [C, D, E], head: C, k: 2 }),
    at(620, C, { event: 'cluster_assigned', cluster: 'c2', members: [C, D, E], head: C, k: 2 }),
    at(700, C, { event: 'round_closed', cluster: 'c2', round: 2, updates: 2, quorum: 2 }),
    evaluation(710, C, 'c2', 2, 0.875),
    evaluation(711, D, 'c2', 2, 0.625),
  ];
}

/** The report summariseLogs must produce for the fixture (JSON form). */
export function expectedReport(): unknown {
  const tl = (dt: number, peer: string, e: Record<string, unknown>): Record<string, unknown> => ({
    time: T0 + dt,
    peer,
    ...e,
  });
  const st = (dt: number, peer: string): Record<string, unknown> =>
    tl(dt, peer, {
      event: 'peer_started',
      addrs: [`/ip4/127.0.0.1/tcp/${4000 + dt}`],
      backend: 'cpu',
      dataPath: '/d',
      samples: 100,
      version: '0.1.0',
    });
  // No --rounds in these logs: no target, nobody stopped early.
  const run = (stopReason: string | null): Record<string, unknown> => ({
    target: null,
    stoppedEarly: false,
    stopReason,
  });
  return {
    clusters: [
      { id: 'c1', members: [B], head: B, term: 2, round: 2, meanAcc: 0.8 },
      { id: 'c2', members: [C, D, E], head: C, term: 1, round: 2, meanAcc: 0.75 },
    ],
    peers: [
      { id: A, cluster: 'c1', role: 'member', round: 1, acc: 0.7, stopped: true, ...run('signal') },
      { id: B, cluster: 'c1', role: 'head', round: 2, acc: 0.8, stopped: false, ...run(null) },
      { id: C, cluster: 'c2', role: 'head', round: 2, acc: 0.875, stopped: false, ...run(null) },
      { id: D, cluster: 'c2', role: 'member', round: 2, acc: 0.625, stopped: false, ...run(null) },
      { id: E, cluster: 'c2', role: 'member', round: -1, acc: null, stopped: false, ...run(null) },
    ],
    timeline: [
      st(0, A),
      st(1, B),
      st(2, C),
      st(3, D),
      tl(100, A, {
        event: 'cluster_assigned',
        cluster: 'c1',
        members: [B, A],
        head: A,
        k: 2,
        previous: null,
      }),
      tl(100, B, {
        event: 'cluster_assigned',
        cluster: 'c1',
        members: [A, B],
        head: A,
        k: 2,
        previous: null,
      }),
      tl(100, C, {
        event: 'cluster_assigned',
        cluster: 'c2',
        members: [C, D],
        head: C,
        k: 2,
        previous: null,
      }),
      tl(100, D, {
        event: 'cluster_assigned',
        cluster: 'c2',
        members: [C, D],
        head: C,
        k: 2,
        previous: null,
      }),
      tl(110, A, { event: 'head_elected', cluster: 'c1', head: A, term: 1 }),
      tl(110, C, { event: 'head_elected', cluster: 'c2', head: C, term: 1 }),
      tl(400, A, { event: 'peer_stopped', reason: 'signal' }),
      tl(500, B, { event: 'lease_expired', cluster: 'c1', head: A, term: 1 }),
      tl(520, B, { event: 'head_elected', cluster: 'c1', head: B, term: 2, electionMs: 120 }),
      st(610, E),
      tl(620, E, {
        event: 'cluster_assigned',
        cluster: 'c2',
        members: [C, D, E],
        head: C,
        k: 2,
        previous: null,
      }),
    ],
    headConflicts: [],
  };
}

/** Writes the fixture as one log file per peer (a testnet-style `logs/` sub-directory). */
export function fixtureFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const e of fixtureEvents()) {
    const name = `logs/peer-${e.peer.slice(-1)}.log`;
    files.set(name, (files.get(name) ?? '') + JSON.stringify(e) + '\n');
  }
  return files;
}
