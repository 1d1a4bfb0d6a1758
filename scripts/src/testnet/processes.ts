/**
 * The peer child processes: spawn `ppfm start` with its output captured to files, kill on purpose,
 * and make sure none outlives the testnet (stop on exit, SIGINT and SIGTERM).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Path of the `ppfm` CLI script: $PPFM_CLI, else @ppfm/node's dist/src/cli.js. */
export function resolveCli(): string {
  const env = process.env.PPFM_CLI;
  if (env !== undefined && env !== '') return resolve(env);
  try {
    const idx = fileURLToPath(import.meta.resolve('@ppfm/node'));
    const cli = join(dirname(idx), 'cli.js');
    if (existsSync(cli)) return cli;
  } catch {
    // fall through to the repository layout
  }
  // scripts/dist/src/testnet/processes.js -> packages/node/dist/src/cli.js
  return fileURLToPath(new URL('../../../../packages/node/dist/src/cli.js', import.meta.url));
}

/** One spawned peer process. */
export interface PeerProcess {
  index: number;
  child: ChildProcess;
  pid: number;
  spawnedAt: number;
  exited: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the testnet itself sent SIGKILL (fault injection). */
  killedOnPurpose: boolean;
  killedAt?: number;
  exit: Promise<void>;
}

/** Spawns and reaps the testnet's peers. */
export class PeerPool {
  readonly procs: PeerProcess[] = [];
  private readonly onSignal = (sig: NodeJS.Signals): void => {
    this.killAllNow();
    // Re-raise the default behaviour: 130 for SIGINT, 143 for SIGTERM.
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  private readonly onExit = (): void => this.killAllNow();
  private hooked = false;

  constructor(
    private readonly cli: string,
    /** Whether SIGINT/SIGTERM of this process should be handled here (the CLI: yes; in-process tests: no). */
    private readonly handleSignals = true,
  ) {}

  /**
   * Starts `node <cli> ...args` with stdout and stderr written to the given files; `prefix` runs it
   * through a wrapper that execs it (e.g. `ip netns exec NS`), so the pid and signals stay node's.
   */
  spawn(
    index: number,
    args: string[],
    stdoutFile: string,
    stderrFile: string,
    prefix: readonly string[] = [],
  ): PeerProcess {
    this.hook();
    const out = openSync(stdoutFile, 'a');
    const err = openSync(stderrFile, 'a');
    let child: ChildProcess;
    try {
      const [cmd, ...pre] = prefix.length > 0 ? prefix : [process.execPath];
      const argv = prefix.length > 0 ? [...pre, process.execPath, this.cli, ...args] : [this.cli, ...args];
      child = spawn(cmd as string, argv, {
        stdio: ['ignore', out, err],
        env: { ...process.env, FORCE_COLOR: '0' },
      });
    } finally {
      closeSync(out);
      closeSync(err);
    }
    let resolveExit: () => void = () => {};
    const exit = new Promise<void>((r) => (resolveExit = r));
    const p: PeerProcess = {
      index,
      child,
      pid: child.pid ?? -1,
      spawnedAt: Date.now(),
      exited: false,
      code: null,
      signal: null,
      killedOnPurpose: false,
      exit,
    };
    child.on('exit', (code, signal) => {
      p.exited = true;
      p.code = code;
      p.signal = signal;
      resolveExit();
    });
    child.on('error', () => {
      p.exited = true;
      p.code = -1;
      resolveExit();
    });
    this.procs.push(p);
    return p;
  }

  /** SIGKILLs one peer on purpose (fault injection). */
  killOnPurpose(p: PeerProcess): void {
    if (p.exited) return;
    p.killedOnPurpose = true;
    p.killedAt = Date.now();
    p.child.kill('SIGKILL');
  }

  /** The processes still running. */
  running(): PeerProcess[] {
    return this.procs.filter((p) => !p.exited);
  }

  /** Asks every peer to stop (SIGTERM), then SIGKILLs those still running after `graceMs`. */
  async stopAll(graceMs = 5000): Promise<void> {
    const live = this.running();
    for (const p of live) p.child.kill('SIGTERM');
    const all = Promise.all(live.map((p) => p.exit));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    this.killAllNow();
    await Promise.race([all, new Promise<void>((r) => setTimeout(r, 2000))]);
    this.unhook();
  }

  /** SIGKILLs every running peer immediately (synchronous: safe in an exit handler). */
  killAllNow(): void {
    for (const p of this.running()) {
      try {
        p.child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  private hook(): void {
    if (this.hooked) return;
    this.hooked = true;
    process.on('exit', this.onExit);
    if (this.handleSignals) {
      process.on('SIGINT', this.onSignal);
      process.on('SIGTERM', this.onSignal);
    }
  }

  private unhook(): void {
    if (!this.hooked) return;
    this.hooked = false;
    process.off('exit', this.onExit);
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }
}

/** Resident set size of a process in bytes (Linux /proc), or undefined when unavailable. */
export async function readRss(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
