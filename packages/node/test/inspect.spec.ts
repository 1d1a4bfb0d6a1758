import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { formatReport } from '../src/inspect/format.js';
import { LogDirError, readLogDir } from '../src/inspect/read-logs.js';
import { summariseLogs } from '../src/inspect/summarise.js';
import { A, B, expectedReport, fixtureEvents, fixtureFiles, T0 } from './inspect-fixture.js';

describe('inspect', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ppfm-inspect-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('summarises clusters, heads, terms, rounds and accuracies exactly', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(summariseLogs(fixtureEvents()))), expectedReport());
  });

  it('shows the epsilon each peer spent, only when some peer ran with differential privacy', () => {
    const plain = summariseLogs(fixtureEvents());
    assert.ok(plain.peers.every((p) => p.epsilon === undefined));
    assert.doesNotMatch(formatReport(plain), /epsilon/);
    const dp = summariseLogs([
      ...fixtureEvents(),
      {
        level: 30,
        time: T0 + 9000,
        peer: A,
        event: 'dp_release',
        cluster: 'c1',
        round: 2,
        sigma: 2,
        noiseMultiplier: 1.2,
        norm: 3,
        clip: 1,
        delta: 1e-5,
        epsilon: 1.5,
      },
      {
        level: 30,
        time: T0 + 9001,
        peer: A,
        event: 'evaluation',
        cluster: 'c1',
        round: 2,
        accBefore: 0.1,
        accAfter: 0.7,
        lossBefore: 2,
        lossAfter: 1,
        epsilon: 1.5,
      },
    ]);
    assert.equal(dp.peers.find((p) => p.id === A)?.epsilon, 1.5);
    assert.equal(dp.peers.find((p) => p.id === B)?.epsilon, undefined);
    const text = formatReport(dp);
    assert.match(text, /peer\s+cluster\s+role\s+round\s+target\s+acc\s+epsilon\s+state/);
    assert.match(text, /1\.500/);
  });

  it('lets a higher term win even when reported earlier than a stale lower-term report', () => {
    const r = summariseLogs([
      {
        level: 30,
        time: T0,
        peer: A,
        event: 'cluster_assigned',
        cluster: 'c',
        members: [A, B],
        head: A,
        k: 1,
      },
      { level: 30, time: T0 + 1, peer: B, event: 'head_elected', cluster: 'c', head: B, term: 3 },
      { level: 30, time: T0 + 2, peer: A, event: 'head_elected', cluster: 'c', head: A, term: 2 },
    ]);
    assert.equal(r.clusters[0]?.head, B);
    assert.equal(r.clusters[0]?.term, 3);
    assert.deepEqual(
      r.peers.map((p) => p.role),
      ['member', 'head'],
    );
  });

  it('reads and merges per-peer files one level down, skipping corrupt lines with a warning', async () => {
    for (const [name, text] of fixtureFiles()) {
      await mkdir(dirname(join(dir, name)), { recursive: true });
      await writeFile(join(dir, name), text);
    }
    // A newer peer's unknown event and a half-written last line.
    await appendFile(
      join(dir, 'logs/peer-1.log'),
      '{"level":30,"time":1,"peer":"x","event":"future"}\n{"level":3',
    );
    await writeFile(join(dir, 'notes.txt'), 'ignored');
    const { files, events, warnings } = await readLogDir(dir);
    assert.equal(files.length, 5);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] as string, /peer-1\.log:\d+: not valid JSON/);
    assert.ok(events.every((e, i) => i === 0 || (events[i - 1]?.time ?? 0) <= e.time));
    assert.deepEqual(JSON.parse(JSON.stringify(summariseLogs(events))), expectedReport());
    const text = formatReport(summariseLogs(events));
    assert.match(text, /cluster c1: head …bbbbbbb2 term 2 \(elected in 120 ms\)/);
    assert.match(text, /c2\s+3\s+…ccccccc3\s+1\s+2\s+0\.750/);
  });

  it('fails clearly on a missing or empty directory', async () => {
    await assert.rejects(
      readLogDir(join(dir, 'nope')),
      (e: unknown) => e instanceof LogDirError && /does not exist/.test(e.message),
    );
    await assert.rejects(readLogDir(dir), /no \*\.log or \*\.jsonl files in/);
  });
});
