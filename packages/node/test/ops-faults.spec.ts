// Fault tests with real `ppfm start` processes over TCP on 127.0.0.1 (issue 11): one data dir per
// running peer, a corrupt checkpoint, and a restarted member whose bootstrap left.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliPeer, killAll, ppfm, SMALL_MODEL_JSON, writeGroupCsv } from './helpers/cli-peer.js';

describe('operations: faults with real ppfm processes', function () {
  // Real processes on a shared 2-core machine.
  this.timeout(240_000);
  let dir: string;
  let model: string;
  let home: string;
  const running: CliPeer[] = [];
  const peerArgs = (): string[] => ['--model', model, '--backend', 'wasm', '--one-host'];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ppfm-ops-'));
    home = join(dir, 'home');
    model = join(dir, 'model.json');
    await writeFile(model, SMALL_MODEL_JSON);
    for (const [name, group, peer] of [
      ['x/data', 1, 1],
      ['y/data', 1, 2],
      ['g0', 0, 0],
      ['g1a', 1, 3],
      ['g1b', 1, 4],
    ] as const) {
      await mkdir(join(dir, name), { recursive: true });
      await writeGroupCsv(join(dir, name, 'data.csv'), group, peer);
    }
  });
  afterEach(async () => killAll(running.splice(0)));
  after(async () => rm(dir, { recursive: true, force: true }));

  const start = (args: string[]): CliPeer => {
    const p = new CliPeer([...args, ...peerArgs()], { PPFM_HOME: home });
    running.push(p);
    return p;
  };

  it('gives datasets of the same folder name their own default data dir; a second peer on one refuses naming the pid', async () => {
    const a = start(['--data', join(dir, 'x/data')]);
    const b = start(['--data', join(dir, 'y/data')]);
    await Promise.all([a, b].map((p) => p.until(() => p.id !== '', 'peer_started')));
    assert.notEqual(a.id, b.id, 'two datasets named "data" get two identities');
    const dirOf = (p: CliPeer): string => /data dir: (.*)/.exec(p.stderr)?.[1] ?? '';
    assert.match(dirOf(a), /\/home\/data-[0-9a-f]{8}$/);
    assert.match(dirOf(b), /\/home\/data-[0-9a-f]{8}$/);
    assert.notEqual(dirOf(a), dirOf(b));
    assert.equal(a.of('peer_started')[0]?.dataDir, dirOf(a), 'peer_started names the data dir');

    const again = await ppfm(['start', '--data', join(dir, 'x/data'), ...peerArgs()], { PPFM_HOME: home });
    assert.equal(again.code, 1, again.stderr);
    const lines = again.stderr.trimEnd().split('\n');
    assert.equal(
      lines.at(-1),
      `ppfm: error: data dir ${dirOf(a)} is in use by another ppfm process (pid ${a.pid}); stop it, or give this peer its own --data-dir`,
    );
    assert.ok(!again.stderr.includes('\n    at '), 'no stack trace');
    a.kill('SIGINT');
    assert.equal(await a.exited, 0);
    assert.ok(!existsSync(join(dirOf(a), 'ppfm.lock')), 'the lock goes with its peer');
  });

  it('keeps a corrupt checkpoint aside, resumes from the .bak with a warning; --fresh starts over', async () => {
    const dd = join(dir, 'cp-dd');
    // A lock left by a process that is gone (pid beyond pid_max) is taken over, with a word.
    await mkdir(dd);
    await writeFile(join(dd, 'ppfm.lock'), '4194305\n');
    const first = start(['--data', join(dir, 'g0'), '--data-dir', dd, '--rounds', '2']);
    assert.equal(await first.exited, 0, first.stderr);
    assert.match(first.stderr, /warning: took over a stale lock of .*cp-dd \(pid 4194305 is gone\)/);
    const saved = first.of('checkpoint_saved').at(-1)?.round;
    assert.equal(saved, 2);
    const file = join(dd, 'checkpoint.bin');
    const bytes = await readFile(file);
    bytes.fill(0x7a, 10, 40); // a scribbled header
    await writeFile(file, bytes);

    const second = start(['--data', join(dir, 'g0'), '--data-dir', dd, '--rounds', '3']);
    assert.equal(await second.exited, 0, second.stderr);
    const rejected = second.of('checkpoint_rejected');
    assert.equal(rejected.length, 1);
    assert.equal(rejected[0]?.path, file);
    const keptAs = String(rejected[0]?.keptAs);
    assert.match(keptAs, /checkpoint\.bin\.corrupt-/);
    assert.ok(existsSync(keptAs), 'the bad file is kept for a person to look at');
    // The stop saved round 2 once more, so the .bak holds round 2 as well.
    assert.deepEqual(
      second.of('checkpoint_restored').map((e) => [e.source, e.round]),
      [['backup', 2]],
    );
    assert.equal(second.notices('checkpoint_fallback').length, 1);
    const warned = second.stderr.split('\n').filter((l) => /checkpoint\.bin\.bak instead/.test(l));
    assert.equal(warned.length, 1, `said once on the terminal: ${second.stderr}`);
    assert.match(
      warned[0] ?? '',
      /^warning: .*checkpoint\.bin: .*\(kept as .*corrupt-.*\); restored .*checkpoint\.bin\.bak instead$/,
    );
    assert.deepEqual(second.otherStdout, [], 'with --log-dir - stdout carries only the JSON events');
    assert.deepEqual(
      second.of('evaluation').map((e) => e.round),
      [3],
      'resumes after round 2: never re-runs a round',
    );

    const fresh = start(['--data', join(dir, 'g0'), '--data-dir', dd, '--rounds', '1', '--fresh']);
    assert.equal(await fresh.exited, 0, fresh.stderr);
    assert.deepEqual(fresh.of('checkpoint_restored'), []);
    assert.equal(fresh.notices('checkpoint_fresh').length, 1);
    assert.deepEqual(
      fresh.of('evaluation').map((e) => e.round),
      [0, 1],
    );
    assert.ok((await readdir(dd)).some((f) => f.startsWith('checkpoint.bin.old-')));
  });

  it('a restarted member whose bootstrap left rejoins its cluster through the address book; the run completes', async () => {
    const boot = start([
      '--data',
      join(dir, 'g0'),
      '--data-dir',
      join(dir, 'p0'),
      '--listen',
      '/ip4/127.0.0.1/tcp/0',
    ]);
    await boot.until(() => boot.addr !== '', 'the bootstrap peer to listen');
    const member = (name: string): string[] => [
      '--data',
      join(dir, name),
      '--data-dir',
      join(dir, `dd-${name}`),
      '--listen',
      '/ip4/127.0.0.1/tcp/0',
      '--bootstrap',
      boot.addr,
      '--rounds',
      '4',
      '--min-peers',
      '3',
    ];
    const a = start(member('g1a'));
    const b = start(member('g1b'));
    await a.until(
      () => a.of('evaluation').some((e) => (e.round as number) >= 1),
      'round 1 at the first member',
    );
    assert.ok(
      a.of('cluster_assigned').at(-1)?.members instanceof Array &&
        (a.of('cluster_assigned').at(-1)?.members as string[]).includes(b.id),
      'the two members share a cluster',
    );
    a.kill('SIGINT');
    boot.kill('SIGTERM');
    assert.equal(await a.exited, 0, a.stderr);
    assert.equal(await boot.exited, 0, boot.stderr);
    const book = JSON.parse(await readFile(join(dir, 'dd-g1a', 'peers.json'), 'utf8')) as {
      peers: { id: string; addrs: string[] }[];
    };
    assert.ok(
      book.peers.some((p) => p.id === b.id && p.addrs.some((x) => x.startsWith('/ip4/127.0.0.1/tcp/'))),
      JSON.stringify(book),
    );

    // Same data dir, a new random port, and a bootstrap address nobody answers any more.
    const again = start(member('g1a'));
    const restoredAt = await again
      .until(() => again.of('checkpoint_restored').length === 1, 'restore')
      .then(() => again.of('checkpoint_restored')[0]?.round as number);
    assert.ok(restoredAt >= 1);
    await again.until(() => again.notices('address_book').length > 0, 'the address book dial');
    assert.match(again.notices('address_book')[0] ?? '', /dialing 2 known peers from .*peers\.json/);
    await Promise.all([again.exited, b.exited]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(b.code, 0, b.stderr);
    assert.ok(
      again.of('peer_connected').some((e) => e.remote === b.id),
      'reached its cluster mate without a bootstrap peer',
    );
    assert.ok(
      again.of('cluster_assigned').some((e) => (e.members as string[]).includes(b.id)),
      'back in the cluster of its mate',
    );
    // They federated again: an update crossed between them after the restart.
    const after = again.of('peer_started')[0]?.time as number;
    const crossed = [
      ...again.of('update_received').filter((e) => e.from === b.id),
      ...b.of('update_received').filter((e) => e.from === again.id && (e.time as number) > after),
    ];
    assert.ok(crossed.length > 0, 'an update crossed between the restarted member and its mate');
    // The mate was left with no connection at all: it said so, re-dialed, and said when it was back.
    assert.equal(b.notices('isolated').length, 1, b.stderr);
    assert.match(b.notices('isolated')[0] ?? '', /lost every connection; re-dialing \d+ known peers/);
    assert.equal(b.notices('reconnected').length, 1, b.stderr);
    for (const p of [again, b])
      assert.deepEqual(
        p.of('rounds_completed').map((e) => e.round),
        [4],
      );
  });
});
