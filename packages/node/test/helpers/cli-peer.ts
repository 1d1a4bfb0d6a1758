// Real `ppfm` processes for fault tests: one-shot runs (exit code, stdout, stderr) and running
// peers whose JSON events arrive on stdout (`--log-dir -`), waited on as they come (no sleeps).
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng } from '@ppfm/meta';

export const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli.js');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `ppfm args...` to completion. */
export function ppfm(args: string[], env: NodeJS.ProcessEnv = {}, uid?: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const ids = uid !== undefined ? { uid, gid: uid } : {};
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, ...ids });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** One event line of a peer's JSON log. */
export interface CliEvent {
  event: string;
  peer: string;
  time: number;
  [field: string]: unknown;
}

type Waiter = { test: () => boolean; resolve: () => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

/** A running `ppfm start` whose events are parsed from its stdout as they are written. */
export class CliPeer {
  readonly events: CliEvent[] = [];
  /** stdout lines that are not JSON events (there must be none with `--log-dir -`). */
  readonly otherStdout: string[] = [];
  stderr = '';
  code: number | null | undefined;
  private readonly child: ChildProcess;
  private readonly waiters = new Set<Waiter>();
  readonly exited: Promise<number | null>;

  constructor(args: string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, [CLI, 'start', ...args, '--log-dir', '-'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let partial = '';
    this.child.stdout?.on('data', (d: Buffer) => {
      const lines = (partial + d.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) {
        if (l.startsWith('{')) this.events.push(JSON.parse(l) as CliEvent);
        else this.otherStdout.push(l);
      }
      this.check();
    });
    this.child.stderr?.on('data', (d: Buffer) => {
      this.stderr += d.toString();
      this.check();
    });
    this.exited = new Promise((resolve) =>
      this.child.on('close', (code) => {
        this.code = code;
        this.check();
        resolve(code);
      }),
    );
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** The peer id (from its peer_started event). */
  get id(): string {
    return this.events.find((e) => e.event === 'peer_started')?.peer ?? '';
  }

  /** Its loopback TCP address with /p2p/. */
  get addr(): string {
    const started = this.events.find((e) => e.event === 'peer_started');
    const addrs = (started?.addrs as string[] | undefined) ?? [];
    return addrs.find((a) => a.startsWith('/ip4/127.0.0.1/')) ?? '';
  }

  /** Events of one kind. */
  of(kind: string): CliEvent[] {
    return this.events.filter((e) => e.event === kind);
  }

  /** Notices with a code. */
  notices(code: string): string[] {
    return this.of('notice')
      .filter((e) => e.code === code)
      .map((e) => String(e.message));
  }

  /** Resolves once `test` holds (re-checked on every event and at exit); rejects after timeoutMs. */
  until(test: () => boolean, what: string, timeoutMs = 180_000): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        test,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(w);
          reject(new Error(`timed out waiting for ${what}; stderr:\n${this.stderr.slice(-2000)}`));
        }, timeoutMs),
      };
      this.waiters.add(w);
    });
  }

  /** Sends a signal. */
  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.code === undefined) this.child.kill(signal);
  }

  private check(): void {
    for (const w of [...this.waiters]) {
      let ok = false;
      try {
        ok = w.test();
      } catch (err) {
        clearTimeout(w.timer);
        this.waiters.delete(w);
        w.reject(err as Error);
        continue;
      }
      if (ok) {
        clearTimeout(w.timer);
        this.waiters.delete(w);
        w.resolve();
      }
    }
  }
}

/** Kills every peer still running (test teardown). */
export async function killAll(peers: CliPeer[]): Promise<void> {
  for (const p of peers) p.kill('SIGKILL');
  await Promise.all(peers.map((p) => p.exited));
}

/**
 * A small CSV dataset of group `group` (0 or 1): 4 Gaussian classes in 12 features; group 1 shifts
 * the inputs and rotates the labels, so the two groups form two clusters. Raw units (x100 + 1000).
 */
export async function writeGroupCsv(file: string, group: number, peer: number, n = 160): Promise<void> {
  const centres = createRng(77);
  const d = 12;
  const mu = Array.from({ length: 4 }, () => Array.from({ length: d }, () => centres.normal() * 1.5));
  const rng = createRng(1000 + peer * 31 + group * 7);
  const rows = [['label', ...Array.from({ length: d }, (_, j) => `f${j}`)].join(',')];
  for (let i = 0; i < n; i++) {
    const k = i % 4;
    const x = (mu[k] as number[]).map((c) => (c + rng.normal() * 0.8 + (group === 1 ? 1.5 : 0)) * 100 + 1000);
    rows.push([group === 1 ? (k + 1) % 4 : k, ...x.map((v) => v.toFixed(2))].join(','));
  }
  await writeFile(file, rows.join('\n') + '\n');
}

/** A small MLP spec for fast test peers. */
export const SMALL_MODEL_JSON = JSON.stringify({
  layers: [{ type: 'dense', units: 16, activation: 'relu' }],
});
