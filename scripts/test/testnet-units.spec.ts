// Fast tests of the testnet's pure parts: argument parsing, log following, state, summary, progress,
// socket counters. No peer processes are started here (see testnet.spec.ts for the end-to-end run).
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adjustedRandIndex } from '@ppfm/meta';
import { parseEventLine, type PeerEvent } from '../src/testnet/events.js';
import { isEventLogFile, LogFollower } from '../src/testnet/follow.js';
import { parseTestnetArgs } from '../src/testnet/options.js';
import { PlainProgress, progressTable } from '../src/testnet/progress.js';
import { dialableAddr } from '../src/testnet/run.js';
import { bootstrapFor, SPREAD_BOOTSTRAP_FROM } from '../src/testnet/launch.js';
import { assignmentAt, finalClusters, startUpSingleton } from '../src/testnet/clusters.js';
import { clusterKey, NetworkState, peerIndexFromPath, type PeerState } from '../src/testnet/state.js';
import { formatSummary, summarise, type SummaryContext } from '../src/testnet/summary.js';
import { parseSs, TrafficMeter } from '../src/testnet/traffic.js';

const line = (o: Record<string, unknown>): string => JSON.stringify({ level: 30, ...o }) + '\n';

/** A 4-peer, 2-cluster run as the peers would log it: peer 3 (head of B) is killed after round 2. */
function fixtureEvents(): { file: string; text: string }[] {
  const t0 = 1_700_000_000_000;
  const ids = ['12D3KooWA', '12D3KooWB', '12D3KooWC', '12D3KooWD'];
  const cluster = (i: number): string => (i % 2 === 0 ? 'cA' : 'cB');
  return ids.map((peer, i) => {
    const ev: Record<string, unknown>[] = [
      {
        time: t0 + i,
        peer,
        event: 'peer_started',
        addrs: [`/ip4/127.0.0.1/tcp/${4000 + i}/p2p/${peer}`],
        dataPath: `/r/data/peer-0${i}`,
        backend: 'wasm',
        samples: 100,
      },
      {
        time: t0 + 100,
        peer,
        event: 'cluster_assigned',
        cluster: cluster(i),
        members: i % 2 === 0 ? [ids[0], ids[2]] : [ids[1], ids[3]],
        head: i % 2 === 0 ? ids[0] : ids[3],
        k: 2,
      },
      {
        time: t0 + 110,
        peer,
        event: 'head_elected',
        cluster: cluster(i),
        head: i % 2 === 0 ? ids[0] : ids[3],
        term: 1,
      },
    ];
    for (const round of [1, 2, 3]) {
      if (i === 3 && round === 3) break;
      const head = i % 2 === 0 ? ids[0] : round === 3 ? ids[1] : ids[3];
      if (i === 1 && round === 3)
        ev.push({
          time: t0 + 2500,
          peer,
          event: 'head_elected',
          cluster: 'cB',
          head: ids[1],
          term: 2,
          electionMs: 400,
        });
      ev.push({
        time: t0 + round * 1000,
        peer,
        event: 'round_opened',
        cluster: cluster(i),
        round,
        term: 1,
        head,
      });
      if (peer === head)
        ev.push({
          time: t0 + round * 1000 + 500,
          peer,
          event: 'cluster_model_published',
          cluster: cluster(i),
          round,
          term: 1,
          bytes: 400_000,
        });
      ev.push({
        time: t0 + round * 1000 + 600,
        peer,
        event: 'evaluation',
        cluster: cluster(i),
        round,
        accBefore: 0.1,
        accAfter: 0.5 + 0.1 * round + 0.01 * i,
      });
    }
    if (i !== 3) ev.push({ time: t0 + 4000, peer, event: 'rounds_completed', cluster: cluster(i), round: 3 });
    // After peer A left, C's view shrinks to itself: a departure, not a clustering error.
    if (i === 2)
      ev.push({
        time: t0 + 4100,
        peer,
        event: 'cluster_assigned',
        cluster: 'cA',
        members: [peer],
        head: peer,
        k: 1,
      });
    return { file: `${peer}.jsonl`, text: ev.map(line).join('') };
  });
}

function ctx(over: Partial<SummaryContext> = {}): SummaryContext {
  return {
    truth: [0, 1, 0, 1],
    launched: 4,
    rounds: 3,
    wallSeconds: 12.5,
    killed: new Set(['12D3KooWD']),
    crashed: new Set(),
    localAcc: 0.6,
    headFailoverSeconds: 0.8,
    timedOut: false,
    ari: (a, b) => adjustedRandIndex(a, b),
    ...over,
  };
}

describe('testnet options', () => {
  it('applies defaults and parses every flag', () => {
    const d = parseTestnetArgs([]);
    assert.equal(d.kind, 'run');
    if (d.kind !== 'run') return;
    assert.equal(d.options.peers, 8);
    assert.equal(d.options.partition, 'rotate:2');
    assert.equal(d.options.timeoutSeconds, 600);
    const r = parseTestnetArgs(
      '--peers 6 --dataset synthetic --partition labelswap:3 --rounds 4 --seed 9 --backend cpu --codec int8 --kill-head-at-round 2 --late-join 2 --out /tmp/x --json --timeout 90 --max-samples 1200'.split(
        ' ',
      ),
    );
    assert.equal(r.kind, 'run');
    if (r.kind !== 'run') return;
    assert.deepEqual(
      { ...r.options },
      {
        peers: 6,
        dataset: 'synthetic',
        partition: 'labelswap:3',
        rounds: 4,
        seed: 9,
        backend: 'cpu',
        codec: 'int8',
        killHeadAtRound: 2,
        lateJoin: 2,
        out: '/tmp/x',
        json: true,
        timeoutSeconds: 90,
        maxSamples: 1200,
        extraPeerArgs: [],
        alone: false,
      },
    );
  });

  it('rejects bad values with a message and recognises --help', () => {
    assert.equal(parseTestnetArgs(['-h']).kind, 'help');
    const bad: [string[], RegExp][] = [
      [['--peers', '0'], /--peers must be >= 1/],
      [['--peers', 'x'], /integer/],
      [['--codec', 'bf16'], /--codec/],
      [['--backend', 'gpu'], /--backend/],
      [['--partition', 'rotate'], /--partition/],
      [['--timeout', '-3'], /--timeout/],
      [['--rounds', '3', '--kill-head-at-round', '5'], /beyond --rounds/],
      [['--frobnicate'], /frobnicate/],
      [['stray'], /stray|positional/i],
    ];
    for (const [argv, re] of bad) {
      const r = parseTestnetArgs(argv);
      assert.equal(r.kind, 'error', argv.join(' '));
      if (r.kind === 'error') assert.match(r.message, re);
    }
  });
});

describe('log following', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'ppfm-follow-'))));
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('parses only JSON event lines', () => {
    assert.equal(parseEventLine('not json'), undefined);
    assert.equal(parseEventLine('{"broken'), undefined);
    assert.equal(parseEventLine('{"time":1,"peer":"p"}'), undefined);
    const e = parseEventLine(
      '{"time":5,"peer":"p","event":"evaluation","cluster":"c","round":2,"accAfter":0.9}',
    );
    assert.deepEqual(e, { time: 5, peer: 'p', event: 'evaluation', cluster: 'c', round: 2, accAfter: 0.9 });
    assert.equal(parseEventLine('{"time":5,"peer":"p","event":"something_new"}')?.event, 'other');
  });

  it('reads appended bytes incrementally, holds partial lines, and picks up new files', async () => {
    const seen: PeerEvent[] = [];
    const f = new LogFollower(dir, (e) => seen.push(e));
    assert.equal(await f.poll(), 0); // empty dir
    const a = line({ time: 1, peer: 'A', event: 'peer_stopped', reason: 'x' });
    await writeFile(join(dir, 'A.jsonl'), a.slice(0, 20));
    assert.equal(await f.poll(), 0, 'half a line is not an event yet');
    await appendFile(join(dir, 'A.jsonl'), a.slice(20) + 'garbage line\n');
    assert.equal(await f.poll(), 1);
    await writeFile(join(dir, 'peer-00.stderr'), line({ time: 2, peer: 'A', event: 'peer_stopped' }));
    await writeFile(join(dir, 'B.jsonl'), line({ time: 3, peer: 'B', event: 'peer_stopped' }));
    assert.equal(await f.poll(), 1, 'stderr captures are not event logs');
    assert.equal(await f.poll(), 0, 'nothing is read twice');
    assert.deepEqual(
      seen.map((e) => e.peer),
      ['A', 'B'],
    );
    assert.equal(isEventLogFile('x.jsonl'), true);
    assert.equal(isEventLogFile('peer-01.stdout'), false);
  });

  it('keeps a multi-byte character split across two reads intact', async () => {
    const seen: PeerEvent[] = [];
    const f = new LogFollower(dir, (e) => seen.push(e));
    const bytes = Buffer.from(line({ time: 1, peer: 'A', event: 'peer_stopped', reason: 'über' }));
    const cut = bytes.indexOf(0xc3) + 1; // inside the two-byte 'ü'
    await writeFile(join(dir, 'A.jsonl'), bytes.subarray(0, cut));
    await f.poll();
    await appendFile(join(dir, 'A.jsonl'), bytes.subarray(cut));
    await f.poll();
    assert.equal((seen[0] as { reason?: string }).reason, 'über');
  });
});

describe('state and summary on a fixture run', () => {
  let dir: string;
  let state: NetworkState;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ppfm-fixture-'));
    for (const { file, text } of fixtureEvents()) await writeFile(join(dir, file), text);
    state = new NetworkState();
    const f = new LogFollower(dir, (e) => state.apply(e));
    await f.poll();
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('maps peers to partition indices and tracks clusters, heads and rounds', () => {
    assert.equal(peerIndexFromPath('/x/data/peer-07'), 7);
    assert.equal(peerIndexFromPath('/x/data/peer-12/'), 12);
    assert.equal(peerIndexFromPath('/x/data/other'), undefined);
    assert.equal(state.byIndex(2)?.id, '12D3KooWC');
    assert.equal(state.clusters.get('cA')?.round, 3);
    assert.equal(state.clusters.get('cB')?.head, '12D3KooWB', 'the term-2 head replaced the killed one');
    assert.equal(state.clusters.get('cB')?.term, 2);
    assert.equal(state.byIndex(3)?.finished, false);
    const c = state.byIndex(2);
    assert.ok(c);
    assert.equal(clusterKey(c), 'cA|12D3KooWC', 'last assignment: a singleton after the others left');
    assert.equal(clusterKey(c, undefined, 1_700_000_004_000), 'cA|12D3KooWA,12D3KooWC');
    const el = state.electionsAfter(1_700_000_002_200, ['12D3KooWB', '12D3KooWD'], '12D3KooWD');
    assert.equal(el.length, 1);
    assert.equal(el[0]?.head, '12D3KooWB');
  });

  it('summarises: ok run, ARI 1 without the killed peer, accuracies of survivors only', () => {
    const s = summarise(state, ctx());
    assert.equal(s.ok, true, s.failures.join('; '));
    assert.equal(s.ari, 1);
    assert.equal(s.clusters, 2);
    assert.equal(s.survivors, 3);
    assert.equal(s.finished, 3);
    assert.ok(Math.abs((s.meanAcc as number) - (0.8 + 0.01 + 0.8 + 0.8 + 0.02) / 3) < 1e-9);
    assert.ok(Math.abs((s.minAcc as number) - 0.8) < 1e-9);
    assert.equal(s.modelBytes, 400_000);
    assert.deepEqual(s.killed, ['peer-03']);
    assert.equal(s.bytesPerPeerPerRound, null);
    assert.equal(s.bytesSource, 'none');
    assert.match(formatSummary(s), /OK/);
  });

  it('fails when clusters disagree with truth, a peer crashed, or the run timed out', () => {
    const wrongTruth = summarise(state, ctx({ truth: [0, 0, 1, 1] }));
    assert.equal(wrongTruth.ok, false);
    assert.ok((wrongTruth.ari as number) < 1);
    assert.match(wrongTruth.failures.join(), /do not match truth/);
    const crash = summarise(state, ctx({ crashed: new Set(['12D3KooWB']) }));
    assert.equal(crash.ok, false);
    assert.match(crash.failures.join(), /peer-01 exited abnormally/);
    const unfinished = summarise(state, ctx({ killed: new Set() }));
    assert.match(unfinished.failures.join(), /peer-03 did not finish/);
    assert.equal(summarise(state, ctx({ timedOut: true })).ok, false);
    assert.match(summarise(state, ctx({ launched: 6 })).failures.join(), /only 4 of 6 peers started/);
    assert.match(formatSummary(crash), /FAILED/);
  });

  it('uses socket counters for bytes when the peers do not log traffic', () => {
    const bytes = new Map(['12D3KooWA', '12D3KooWB', '12D3KooWC', '12D3KooWD'].map((id) => [id, 1_200_000]));
    const s = summarise(state, ctx({ socketBytes: bytes }));
    assert.equal(s.bytesSource, 'sockets');
    assert.equal(s.bytesPerPeerPerRound, 400_000);
  });

  it('renders progress as a table and as plain change lines without control codes', () => {
    const pctx = {
      rounds: 3,
      launched: 4,
      startedAt: 1_700_000_000_000,
      now: 1_700_000_004_000,
      notes: ['killed head peer-03'],
    };
    const table = progressTable(state, pctx).join('\n');
    // Live view: C is a singleton now that A left.
    assert.match(table, /peers 4\/4 {2}clusters 3 {2}finished 3/);
    assert.match(table, /cA +peer-00 +\[#+\] 3\/3/);
    assert.match(table, /killed head peer-03/);
    const plain = new PlainProgress();
    const first = plain.update(state, pctx);
    assert.ok(first.some((l) => /cluster cB: head peer-01 \(term 2\)/.test(l)));
    assert.ok(first.some((l) => /peer-00 finished, acc 0\.800/.test(l)));
    assert.ok(first.every((l) => !l.includes('\x1b')));
    assert.deepEqual(plain.update(state, pctx), [], 'nothing changed, nothing printed');
  });
});

describe('privacy in the summary', () => {
  it("reports each peer's epsilon, the largest and mean, and the secure rounds; nothing without privacy", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ppfm-fixture-'));
    try {
      for (const { file, text } of fixtureEvents()) await writeFile(join(dir, file), text);
      const plain = new NetworkState();
      await new LogFollower(dir, (e) => plain.apply(e)).poll();
      assert.equal(summarise(plain, ctx()).privacy, null);
      assert.doesNotMatch(formatSummary(summarise(plain, ctx())), /privacy|epsilon/);
      const state = new NetworkState();
      await new LogFollower(dir, (e) => state.apply(e)).poll();
      const t = 1_700_000_009_000;
      for (const e of [
        {
          time: t,
          peer: '12D3KooWA',
          event: 'dp_release',
          cluster: 'cA',
          round: 1,
          delta: 1e-5,
          epsilon: 0.5,
        },
        {
          time: t,
          peer: '12D3KooWA',
          event: 'evaluation',
          cluster: 'cA',
          round: 2,
          accAfter: 0.8,
          epsilon: 0.9,
        },
        {
          time: t,
          peer: '12D3KooWB',
          event: 'dp_release',
          cluster: 'cB',
          round: 1,
          delta: 1e-5,
          epsilon: 0.5,
        },
        {
          time: t,
          peer: '12D3KooWA',
          event: 'secagg_aggregated',
          cluster: 'cA',
          round: 1,
          contributors: 2,
          dropped: 1,
        },
      ]) {
        const ev = parseEventLine(line(e));
        assert.ok(ev && ev.event !== 'other', JSON.stringify(e));
        state.apply(ev);
      }
      const s = summarise(state, ctx());
      assert.deepEqual(s.privacy, {
        maxEpsilon: 0.9,
        meanEpsilon: 0.7,
        delta: 1e-5,
        secureRounds: 1,
        secureDropped: 1,
      });
      assert.deepEqual(
        s.peerTable.map((p) => p.epsilon),
        [0.9, 0.5, null, null],
      );
      assert.match(
        formatSummary(s),
        /privacy: epsilon max 0\.900 mean 0\.700 \(delta 0\.00001\)\s+secure rounds 1 \(1 members dropped\)/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('addresses and socket counters', () => {
  it('picks a dialable loopback address with the peer id', () => {
    assert.equal(
      dialableAddr(['/ip4/10.0.0.2/tcp/5', '/ip4/127.0.0.1/tcp/4001'], 'P'),
      '/ip4/127.0.0.1/tcp/4001/p2p/P',
    );
    assert.equal(dialableAddr(['/ip4/0.0.0.0/tcp/7/p2p/P'], 'P'), '/ip4/127.0.0.1/tcp/7/p2p/P');
    assert.equal(dialableAddr([], 'P'), undefined);
  });

  it('spreads joiners over peers already up from SPREAD_BOOTSTRAP_FROM on', () => {
    const boots = ['B0', 'B1'];
    const up = Array.from({ length: 20 }, (_, k) => `U${k}`);
    // Small testnets: the two bootstrap peers, never itself.
    assert.deepEqual(bootstrapFor(0, boots, up), ['B1']);
    assert.deepEqual(bootstrapFor(1, boots, up), ['B0']);
    assert.deepEqual(bootstrapFor(SPREAD_BOOTSTRAP_FROM - 1, boots, up), boots);
    assert.deepEqual(bootstrapFor(40, boots, []), boots, 'nobody up yet: the bootstrap peers');
    // From there: one bootstrap peer (alternating) and two peers already up.
    const load = new Map<string, number>();
    for (let i = SPREAD_BOOTSTRAP_FROM; i < 64; i++) {
      const b = bootstrapFor(i, boots, up);
      assert.equal(b[0], boots[i % 2]);
      assert.ok(b.length >= 2 && b.length <= 3 && new Set(b).size === b.length, b.join());
      for (const a of b) load.set(a, (load.get(a) ?? 0) + 1);
    }
    // 48 joiners: each bootstrap peer dialled by half of them, no peer up by more than 8.
    assert.equal(load.get('B0'), 24);
    assert.equal(load.get('B1'), 24);
    assert.ok(Math.max(...up.map((u) => load.get(u) ?? 0)) <= 8, JSON.stringify([...load]));
  });

  it('parses ss output and keeps the highest counter per socket', () => {
    const ss = [
      '0      0      127.0.0.1:56026 127.0.0.1:40707 users:(("node",pid=11,fd=20))',
      '\t bbr wscale:10,10 rto:204 bytes_sent:100000 bytes_acked:100001 segs_out:5',
      '0      0      127.0.0.1:40707 127.0.0.1:56026 users:(("node",pid=12,fd=21))',
      '\t bbr rto:200 bytes_received:100000 segs_out:2',
      'ESTAB  0      0      127.0.0.1:1 127.0.0.1:2 users:(("node",pid=11,fd=22))',
      '\t bytes_sent:5',
    ].join('\n');
    const samples = parseSs(ss);
    assert.deepEqual(
      samples.map((s) => [s.pid, s.bytesSent]),
      [
        [11, 100000],
        [11, 5],
      ],
    );
    assert.equal(samples[1]?.local, '127.0.0.1:1', 'the State column (no state filter) is skipped');
    const m = new TrafficMeter();
    m.add(samples, new Set([11]));
    m.add([{ pid: 11, local: '127.0.0.1:56026', peer: '127.0.0.1:40707', bytesSent: 50 }], new Set([11]));
    assert.equal(m.perPid().get(11), 100005);
  });
});

describe('final clusters', () => {
  const peer = (id: string, index: number, assignments: [number, string, string[]][]): PeerState => {
    const s = new NetworkState();
    const p = s.peer(id);
    p.index = index;
    p.assignments = assignments.map(([time, cluster, members]) => ({ time, cluster, members }));
    return p;
  };

  it('snapshots before departures, joins late joiners to the cluster they list, and splits equal ids', () => {
    const a = peer('A', 0, [[1, 'c1', ['A', 'B']]]);
    const b = peer('B', 1, [[1, 'c1', ['A', 'B']]]);
    // C: right cluster until the others left, then alone.
    const c = peer('C', 2, [
      [1, 'c0', ['C', 'D']],
      [50, 'c0', ['C']],
    ]);
    const d = peer('D', 3, [[1, 'c0', ['C', 'D']]]);
    // E joined late: lists A and B, who finished before they saw it.
    const e = peer('E', 4, [
      [5, 'c0', ['E']],
      [9, 'c1', ['A', 'B', 'E']],
    ]);
    const final = finalClusters([a, b, c, d, e], 10);
    assert.deepEqual(
      final.map((f) => [f.id, f.peers.map((p) => p.id)]),
      [
        ['c0', ['C', 'D']],
        ['c1', ['A', 'B', 'E']],
      ],
    );
    assert.equal(assignmentAt(c, undefined)?.members.length, 1);
    const lone = finalClusters(
      [peer('X', 0, [[1, 'c0', ['X']]]), peer('Y', 1, [[1, 'c0', ['Y']]])],
      undefined,
    );
    assert.deepEqual(
      lone.map((f) => f.id),
      ['c0', 'c0#2'],
    );
  });

  it('does not judge a restarted peer by its start-up singleton (it keeps the cluster it had)', () => {
    const a = peer('A', 0, [[1, 'c1', ['A', 'B', 'R']]]);
    const b = peer('B', 1, [[1, 'c1', ['A', 'B', 'R']]]);
    // R was killed and restarted at 40; at 41 it was alone, its view still empty; the run ended at 45.
    const r = peer('R', 2, [
      [1, 'c1', ['A', 'B', 'R']],
      [41, 'c0', ['R']],
    ]);
    r.starts = [0, 40];
    const final = finalClusters([a, b, r], 45);
    assert.deepEqual(
      final.map((f) => [f.id, f.peers.map((p) => p.id)]),
      [['c1', ['A', 'B', 'R']]],
    );
    assert.equal(startUpSingleton(r, r.assignments[1]!), true);
    // A singleton after the peer had company (its cluster left) is real, and a peer that was only
    // ever alone is judged alone.
    r.assignments.push(
      { time: 50, cluster: 'c1', members: ['A', 'B', 'R'] },
      { time: 60, cluster: 'c0', members: ['R'] },
    );
    assert.equal(startUpSingleton(r, r.assignments[3]!), false);
    assert.equal(assignmentAt(r, undefined)?.members.length, 1);
    const hermit = peer('H', 3, [[5, 'c0', ['H']]]);
    hermit.starts = [0];
    assert.deepEqual(assignmentAt(hermit, 10)?.members, ['H']);
  });
});
