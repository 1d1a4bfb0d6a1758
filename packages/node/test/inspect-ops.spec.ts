// inspect on the run issue 11 describes: a member restarted after its bootstrap left, both cluster
// mates alone, each head of "c0" in term 3, both stopped by hand before their target round.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogEvent, LoggedEvent } from '../src/log/events.js';
import { formatReport } from '../src/inspect/format.js';
import { findHeadConflicts } from '../src/inspect/head-conflicts.js';
import { summariseLogs } from '../src/inspect/summarise.js';
import { ppfm } from './helpers/cli-peer.js';

const T0 = 1_800_000_000_000;
const P = '12D3KooWPPPPPPPPppppppp1';
const Q = '12D3KooWQQQQQQQQqqqqqqq2';
const R = '12D3KooWRRRRRRRRrrrrrrr3';
const at = (dt: number, peer: string, e: LogEvent): LoggedEvent =>
  ({ level: 30, time: T0 + dt, peer, ...e }) as LoggedEvent;
const started = (dt: number, peer: string, rounds?: number): LoggedEvent =>
  at(dt, peer, {
    event: 'peer_started',
    addrs: [],
    backend: 'wasm',
    dataPath: '/d',
    samples: 100,
    version: '0.2.0',
    ...(rounds !== undefined ? { rounds } : {}),
  });
const opened = (dt: number, head: string, round: number, term: number): LoggedEvent =>
  at(dt, head, { event: 'round_opened', cluster: 'c0', round, term, head });
const elected = (dt: number, peer: string, head: string, term: number): LoggedEvent =>
  at(dt, peer, { event: 'head_elected', cluster: 'c0', head, term });
const evaluation = (dt: number, peer: string, round: number): LoggedEvent =>
  at(dt, peer, {
    event: 'evaluation',
    cluster: 'c0',
    round,
    accBefore: 0.5,
    accAfter: 0.8,
    lossBefore: 1,
    lossAfter: 0.5,
  });

/** P and Q federate (P heads term 1), P restarts alone; both head c0 in term 3; R finished. */
function splitRun(): LoggedEvent[] {
  return [
    started(0, P, 3),
    started(0, Q, 3),
    started(0, R, 1),
    at(10, P, { event: 'cluster_assigned', cluster: 'c0', members: [P, Q], head: P, k: 1 }),
    at(10, Q, { event: 'cluster_assigned', cluster: 'c0', members: [P, Q], head: P, k: 1 }),
    elected(20, P, P, 1),
    elected(21, Q, P, 1),
    opened(100, P, 1, 1),
    evaluation(200, P, 1),
    evaluation(200, Q, 1),
    at(300, P, { event: 'peer_stopped', reason: 'signal' }),
    // Q alone: it takes over (term 2, then 3 after a regroup) and runs round 2.
    elected(1300, Q, Q, 2),
    at(1400, Q, { event: 'cluster_assigned', cluster: 'c0', members: [Q], head: Q, k: 1 }),
    elected(1500, Q, Q, 3),
    opened(1600, Q, 2, 3),
    evaluation(1700, Q, 2),
    // P comes back on a new port; nobody tells it where Q is: it leads "c0" alone in term 3 too.
    started(2000, P, 3),
    at(2010, P, { event: 'cluster_assigned', cluster: 'c0', members: [P], head: P, k: 1 }),
    elected(2020, P, P, 3),
    opened(2100, P, 2, 3),
    at(9000, P, { event: 'peer_stopped', reason: 'signal' }),
    at(9000, Q, { event: 'peer_stopped', reason: 'signal' }),
    at(9100, R, { event: 'rounds_completed', cluster: 'c9', round: 1 }),
    at(9200, R, { event: 'peer_stopped', reason: 'rounds_completed' }),
  ];
}

describe('inspect: peers that never finished, two heads in one term', () => {
  it('marks the peers stopped before their target round, not the one that finished', () => {
    const r = summariseLogs(splitRun());
    const row = (id: string) => r.peers.find((p) => p.id === id);
    assert.deepEqual(
      [P, Q, R].map((id) => [row(id)?.target, row(id)?.stoppedEarly, row(id)?.stopReason]),
      [
        [3, true, 'signal'],
        [3, true, 'signal'],
        [1, false, 'rounds_completed'],
      ],
    );
  });

  it('flags c0 with two heads in term 3, and not the hand-over of term 1 to term 2', () => {
    const r = summariseLogs(splitRun());
    assert.deepEqual(r.headConflicts, [
      { cluster: 'c0', term: 3, heads: [P, Q].sort(), from: T0 + 2020, to: T0 + 9000 },
    ]);
    const text = formatReport(r);
    assert.match(text, /…ppppppp1 .* STOPPED EARLY \(signal\)/);
    assert.match(text, /…rrrrrrr3 .* finished/);
    assert.match(
      text,
      /Warnings\n {2}peer …ppppppp1 stopped at round 2 of 3 \(signal\): it never finished its run/,
    );
    assert.match(text, /peer …qqqqqqq2 stopped at round 2 of 3/);
    assert.match(
      text,
      /cluster c0 had 2 heads in term 3 at once \(…ppppppp1, …qqqqqqq2, \+2\.0s to \+9\.0s\)/,
    );
  });

  it('does not flag an election race that one side lost before opening a round', () => {
    const race = [
      elected(0, P, P, 1),
      elected(1, Q, Q, 1),
      elected(50, P, Q, 1), // P hears Q's lease and steps down
      opened(3000, Q, 1, 1),
    ];
    assert.deepEqual(findHeadConflicts(race), []);
    // Had P opened a round before stepping down, both acted as heads at once.
    assert.equal(findHeadConflicts([elected(0, P, P, 1), opened(10, P, 1, 1), ...race.slice(1)]).length, 1);
  });

  it('prints the warnings through `ppfm inspect` and carries them in --json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ppfm-inspect-ops-'));
    try {
      for (const id of [P, Q, R]) {
        const lines = splitRun()
          .filter((e) => e.peer === id)
          .map((e) => JSON.stringify(e));
        await writeFile(join(dir, `${id}.log`), lines.join('\n') + '\n');
      }
      const [text, json] = await Promise.all([ppfm(['inspect', dir]), ppfm(['inspect', dir, '--json'])]);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /STOPPED EARLY/);
      assert.match(text.stdout, /had 2 heads in term 3/);
      const report = JSON.parse(json.stdout) as {
        headConflicts: unknown[];
        peers: { stoppedEarly: boolean }[];
      };
      assert.equal(report.headConflicts.length, 1);
      assert.equal(report.peers.filter((p) => p.stoppedEarly).length, 2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
