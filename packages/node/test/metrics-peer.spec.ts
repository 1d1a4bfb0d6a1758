// Scrapes /metrics of real `ppfm start --metrics` processes: two peers on one small iid partition
// form one cluster and train; once a peer logged an evaluation, its round and accuracy gauges
// must say what the log says.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sample } from './helpers/prom.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli.js');

/** A peer process with its JSON log on stdout and human lines on stderr. */
class PeerProc {
  readonly child: ChildProcess;
  readonly events: Record<string, unknown>[] = [];
  private stderr = '';
  private stdoutBuf = '';
  private readonly waiters: (() => void)[] = [];

  constructor(args: string[]) {
    this.child = spawn(process.execPath, [CLI, 'start', ...args, '--log-dir', '-']);
    this.child.stdout?.on('data', (d: Buffer) => {
      this.stdoutBuf += d.toString();
      const lines = this.stdoutBuf.split('\n');
      this.stdoutBuf = lines.pop() ?? '';
      for (const l of lines)
        if (l.startsWith('{')) this.events.push(JSON.parse(l) as Record<string, unknown>);
      this.wake();
    });
    this.child.stderr?.on('data', (d: Buffer) => {
      this.stderr += d.toString();
      this.wake();
    });
    this.child.on('exit', () => this.wake());
  }

  /** Resolves with `pick()`'s first defined value, re-checked on every output of the process. */
  until<T>(what: string, pick: () => T | undefined, timeoutMs = 90_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for ${what}; stderr: ${this.stderr}`)),
        timeoutMs,
      );
      const check = (): void => {
        const v = pick();
        if (v !== undefined) {
          clearTimeout(timer);
          resolve(v);
        } else if (this.child.exitCode !== null) {
          clearTimeout(timer);
          reject(new Error(`peer exited (${this.child.exitCode}) before ${what}: ${this.stderr}`));
        } else this.waiters.push(check);
      };
      check();
    });
  }

  line(re: RegExp): string | undefined {
    return re.exec(this.stderr)?.[1];
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

describe('ppfm start --metrics on running peers', function () {
  this.timeout(180_000);
  let dir: string;
  const peers: PeerProc[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ppfm-metrics-'));
    const part = spawn(process.execPath, [
      CLI,
      'partition',
      '--dataset',
      'synthetic',
      '--partition',
      'iid',
      '--peers',
      '2',
      '--seed',
      '1',
      '--out',
      join(dir, 'data'),
    ]);
    const [code] = await once(part, 'close');
    assert.equal(code, 0, 'partition');
  });

  after(async () => {
    for (const p of peers) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('exposes round and personalised accuracy gauges that match the log', async () => {
    const common = ['--listen', '/ip4/127.0.0.1/tcp/0', '--one-host', '--metrics', '127.0.0.1:0'];
    const p0 = new PeerProc([
      '--data',
      join(dir, 'data', 'peer-00'),
      '--data-dir',
      join(dir, 'p0'),
      ...common,
    ]);
    peers.push(p0);
    const boot = await p0.until('a listen address', () =>
      p0.line(/^(\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/\S+)$/m),
    );
    const url = await p0.until('the metrics URL', () => p0.line(/^metrics: (http:\/\/\S+)$/m));
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const p1 = new PeerProc([
      '--data',
      join(dir, 'data', 'peer-01'),
      '--data-dir',
      join(dir, 'p1'),
      '--bootstrap',
      boot,
      ...common,
    ]);
    peers.push(p1);

    const evaluations = (): { round: number; accAfter: number }[] =>
      p0.events.filter((e) => e.event === 'evaluation') as unknown as { round: number; accAfter: number }[];
    // Before p1 arrives p0 is a cluster of one (it evaluates its initial model): wait for a
    // round of the two-peer cluster.
    const first = await p0.until('an evaluation in a cluster of two', () => {
      const formed = p0.events.findIndex(
        (e) => e.event === 'cluster_assigned' && (e.members as string[]).length === 2,
      );
      return formed < 0
        ? undefined
        : (p0.events.slice(formed).find((e) => e.event === 'evaluation') as
            { round: number; accAfter: number } | undefined);
    });
    const text = await (await fetch(url)).text();
    const round = sample(text, 'ppfm_round');
    const acc = sample(text, 'ppfm_personalised_accuracy');
    assert.ok(round !== undefined && round >= first.round, `ppfm_round ${round} >= ${first.round}`);
    assert.ok(acc !== undefined && acc > 0 && acc <= 1, `ppfm_personalised_accuracy ${acc}`);
    // The scrape may be a little ahead of what we have read of the log: wait for that line.
    await p0.until(`an evaluation with accAfter ${acc}`, () => evaluations().find((e) => e.accAfter === acc));
    assert.equal(sample(text, 'ppfm_cluster_size'), 2);
    assert.equal(sample(text, 'ppfm_peers_in_view'), 2);
    assert.equal(
      (sample(text, 'ppfm_role', 'role="head"') ?? 0) + (sample(text, 'ppfm_role', 'role="member"') ?? 0),
      1,
    );

    const exits = peers.map((p) =>
      p.child.exitCode !== null
        ? Promise.resolve(p.child.exitCode)
        : once(p.child, 'exit').then(([c]) => c as number | null),
    );
    for (const p of peers) p.child.kill('SIGTERM');
    const codes = await Promise.all(exits);
    assert.deepEqual(codes, [0, 0]);
  });
});
