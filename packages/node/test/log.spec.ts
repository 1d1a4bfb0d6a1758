import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventLog } from '../src/log/event-log.js';
import type { LogEvent } from '../src/log/events.js';
import { KNOWN_EVENTS, parseLogLine } from '../src/log/schema.js';

// One example of every event, so that a new event without a schema entry fails here.
const ALL: LogEvent[] = [
  {
    event: 'peer_started',
    addrs: ['/ip4/127.0.0.1/tcp/1'],
    backend: 'wasm',
    dataPath: '/d',
    samples: 10,
    version: '0.1.0',
  },
  { event: 'peer_connected', remote: 'B' },
  { event: 'peer_disconnected', remote: 'B' },
  { event: 'fingerprint_received', from: 'B', seq: 3 },
  { event: 'view_changed', peers: ['A', 'B'] },
  { event: 'cluster_assigned', cluster: 'c1', members: ['A', 'B'], head: 'A', k: 2 },
  { event: 'head_elected', cluster: 'c1', head: 'A', term: 1, electionMs: 12.5, failoverMs: 3100 },
  { event: 'lease_expired', cluster: 'c1', head: 'A', term: 1 },
  { event: 'round_opened', cluster: 'c1', round: 1, term: 1, head: 'A' },
  { event: 'update_received', cluster: 'c1', round: 1, from: 'B', samples: 100 },
  { event: 'round_closed', cluster: 'c1', round: 1, updates: 2, quorum: 2 },
  { event: 'cluster_model_published', cluster: 'c1', round: 1, term: 1, bytes: 4096 },
  { event: 'global_model_updated', round: 1, clusters: ['c1', 'c2'] },
  {
    event: 'evaluation',
    cluster: 'c1',
    round: 1,
    accBefore: 0.5,
    accAfter: 0.75,
    lossBefore: 1.2,
    lossAfter: 0.7,
  },
  { event: 'message_rejected', topic: '/ppfm/1/heads', from: 'B', reason: 'non_finite', detail: 'NaN at 3' },
  { event: 'checkpoint_saved', round: 1, path: '/d/checkpoint.bin' },
  { event: 'checkpoint_restored', round: 1, path: '/d/checkpoint.bin', source: 'current' },
  {
    event: 'checkpoint_rejected',
    path: '/d/checkpoint.bin',
    reason: 'checksum mismatch',
    keptAs: '/d/checkpoint.bin.corrupt-1',
  },
  {
    event: 'notice',
    severity: 'warn',
    code: 'no_compatible_peers',
    message: 'no compatible peers: 5 peers in view train other tasks',
  },
  {
    event: 'message_ignored',
    topic: '/ppfm/1/cluster/c1',
    from: 'B',
    reason: 'not_member',
    detail: 'B term 9',
    count: 3,
  },
  { event: 'peer_stopped', reason: 'signal', bytesSent: 123456, bytesReceived: 234567 },
  { event: 'rounds_completed', cluster: 'c1', round: 3 },
  {
    event: 'augmentation',
    cluster: 'c1',
    round: 3,
    role: 'member',
    made: 12,
    classes: [4, 7],
    ms: 812,
    stopped: 'steps',
    teachers: ['4:c2@2', '7:c0@3'],
    teacherMs: 140,
  },
  { event: 'teacher_refused', cluster: 'c2', from: 'X', reason: 'not_member', detail: 'claims the headship' },
  { event: 'zda_set_sent', cluster: 'c1', round: 3, count: 200, members: 4, delivered: 4 },
  { event: 'zda_set_taken', from: 'H', cluster: 'c1', round: 3, count: 200 },
  { event: 'zda_set_refused', from: 'X', reason: 'not_head', detail: 'our head is H' },
  { event: 'view_synced', remote: 'B', received: 12, changed: 3 },
  { event: 'peer_expired', remote: 'B', silentMs: 12_345, ttlMs: 10_000 },
  {
    event: 'traffic',
    cluster: 'c1',
    round: 3,
    bytesSent: 123456,
    bytesReceived: 234567,
    roundBytesSent: 4200,
    roundBytesReceived: 5100,
    roundDirectBytesSent: 4100,
    modelBytes: 4096,
    codec: 'float32',
  },
  { event: 'round_closed', cluster: 'c1', round: 2, updates: 4, quorum: 3, epsilon: 1.25 },
  {
    event: 'evaluation',
    cluster: 'c1',
    round: 2,
    accBefore: 0.5,
    accAfter: 0.8,
    lossBefore: 1.1,
    lossAfter: 0.6,
    epsilon: 1.25,
  },
  { event: 'secagg_stage', cluster: 'c1', round: 2, term: 1, role: 'head', stage: 'share', count: 4 },
  { event: 'secagg_stage', cluster: 'c1', round: 2, term: 1, role: 'member', stage: 'mask' },
  {
    event: 'secagg_aggregated',
    cluster: 'c1',
    round: 2,
    term: 1,
    contributors: 3,
    dropped: 1,
    threshold: 3,
    ms: 41.5,
  },
  {
    event: 'dp_release',
    cluster: 'c1',
    round: 2,
    sigma: 3.66,
    noiseMultiplier: 2.11,
    norm: 0.83,
    clip: 0.5,
    delta: 1e-5,
    epsilon: 1.25,
  },
];

describe('event log', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ppfm-log-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('covers every known event in this test', () => {
    assert.deepEqual(new Set(ALL.map((e) => e.event)), new Set(KNOWN_EVENTS));
  });

  it('round-trips every event through a file and parseLogLine', async () => {
    const file = join(dir, 'sub', 'peer.log');
    const human: string[] = [];
    const log = createEventLog({
      file,
      peerId: 'P0',
      stdout: false,
      pretty: true,
      humanSink: (l) => human.push(l),
    });
    log.emit(ALL[0] as LogEvent);
    log.setPeerId('P1');
    for (const e of ALL.slice(1)) log.emit(e);
    await log.close();
    log.emit({ event: 'peer_stopped', reason: 'after close' }); // dropped, no throw
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    assert.equal(lines.length, ALL.length);
    // Envelope order as documented: level, time, peer, event.
    assert.match(lines[0] as string, /^\{"level":30,"time":\d+,"peer":"P0","event":"peer_started",/);
    lines.forEach((line, i) => {
      const r = parseLogLine(line, file, i + 1);
      assert.ok(r.ok, r.ok ? '' : r.error);
      const { level, time, peer, ...rest } = r.event;
      assert.equal(peer, i === 0 ? 'P0' : 'P1');
      assert.equal(typeof time, 'number');
      const expected = ALL[i] as LogEvent;
      const warn =
        expected.event === 'message_rejected' ||
        expected.event === 'lease_expired' ||
        (expected.event === 'notice' && expected.severity === 'warn');
      assert.equal(level, warn ? 40 : 30);
      assert.deepEqual(rest, expected);
    });
    assert.ok(
      human.some((l) => l.includes('75.0%')),
      human.join('\n'),
    );
    // notices reach the terminal, warnings marked as such
    assert.ok(
      human.includes('warning: no compatible peers: 5 peers in view train other tasks'),
      human.join('\n'),
    );
  });

  it('filters by level', async () => {
    const file = join(dir, 'p.log');
    const log = createEventLog({ file, peerId: 'P', level: 'warn' });
    log.emit({ event: 'peer_connected', remote: 'B' });
    log.emit({ event: 'lease_expired', cluster: 'c', head: 'H', term: 2 });
    await log.close();
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    assert.equal(lines.length, 1);
    assert.match(lines[0] as string, /lease_expired/);
    assert.throws(() => createEventLog({ peerId: 'P', level: 'loud' }), /unknown log level "loud"/);
  });

  it('rejects malformed lines with file:line and keeps unknown events', () => {
    const bad = (line: string): string => {
      const r = parseLogLine(line, 'x.log', 7);
      assert.ok(!r.ok);
      return r.error;
    };
    assert.match(bad('{"level":30,"time":1,"pe'), /^x\.log:7: not valid JSON/);
    assert.match(bad('[1]'), /^x\.log:7: not a JSON object/);
    assert.match(
      bad('{"level":30,"time":1,"event":"peer_stopped","reason":"x"}'),
      /field "peer" must be a string/,
    );
    assert.match(
      bad('{"level":30,"time":1,"peer":"A","event":"head_elected","cluster":"c","head":"A","term":"1"}'),
      /x\.log:7: event head_elected: field "term" must be an integer/,
    );
    assert.match(
      bad(
        '{"level":30,"time":1,"peer":"A","event":"evaluation","cluster":"c","round":1,"accBefore":null,"accAfter":1,"lossBefore":1,"lossAfter":1}',
      ),
      /field "accBefore" must be a finite number/,
    );
    assert.match(
      bad('{"level":40,"time":1,"peer":"A","event":"message_rejected","from":"B","reason":"r"}'),
      /needs a "topic" or a "protocol"/,
    );
    const r = parseLogLine('{"level":30,"time":5,"peer":"A","event":"future_thing","x":1}', 'x.log', 1);
    assert.ok(r.ok);
    assert.equal(r.event.event, 'future_thing');
    assert.equal((r.event as { unknown?: boolean }).unknown, true);
  });
});
