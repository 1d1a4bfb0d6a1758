/** Shared plumbing of the system benchmarks: options, one testnet run, output. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULTS, type TestnetOptions } from '../src/testnet/options.js';
import type { PeerEvent } from '../src/testnet/events.js';
import { runTestnet, type RunResult } from '../src/testnet/run.js';

/** Options every benchmark receives. */
export interface BenchOptions {
  dataset: string;
  partition: string;
  seed: number;
  rounds: number;
  peers: number;
  maxSamples?: number;
  backend: TestnetOptions['backend'];
  outDir: string;
  timeoutSeconds: number;
  verbose: boolean;
}

/** Runs one testnet for a benchmark, in its own subdirectory, without the local-only baseline. */
export async function benchRun(
  b: BenchOptions,
  name: string,
  over: Partial<TestnetOptions>,
  onEvent?: (e: PeerEvent) => void,
  signal?: AbortSignal,
): Promise<RunResult> {
  const opts: TestnetOptions = {
    ...DEFAULTS,
    dataset: b.dataset,
    partition: b.partition,
    seed: b.seed,
    rounds: b.rounds,
    peers: b.peers,
    backend: b.backend,
    timeoutSeconds: b.timeoutSeconds,
    ...(b.maxSamples !== undefined ? { maxSamples: b.maxSamples } : {}),
    out: join(b.outDir, name),
    ...over,
  };
  return runTestnet(opts, {
    progress: b.verbose ? 'plain' : 'none',
    baseline: false,
    // Ctrl-C on `npm run bench` stops the run's peers too (SIGINT skips 'exit' handlers: without
    // this, a stopped 64-peer bench left 64 peers running).
    handleSignals: true,
    ...(onEvent ? { onEvent } : {}),
    ...(signal ? { signal } : {}),
    log: (l) => process.stderr.write(`  [${name}] ${l}\n`),
  });
}

/** Prints one figure line: name, value, goal and whether the goal is met. */
export function figure(
  label: string,
  value: number | null,
  unit: string,
  goal?: { max?: number; abs?: number },
): string {
  const v = value === null || !Number.isFinite(value) ? 'n/a' : `${value.toFixed(3)}${unit}`;
  let verdict = '';
  if (goal && value !== null && Number.isFinite(value)) {
    if (goal.max !== undefined)
      verdict = value <= goal.max ? `  (goal <= ${goal.max}: met)` : `  (goal <= ${goal.max}: NOT met)`;
    if (goal.abs !== undefined)
      verdict =
        Math.abs(value) <= goal.abs
          ? `  (goal |x| <= ${goal.abs}: met)`
          : `  (goal |x| <= ${goal.abs}: NOT met)`;
  }
  return `  ${label.padEnd(44)} ${v}${verdict}`;
}

/** Writes a line to stdout. */
export function out(line: string): void {
  process.stdout.write(line + '\n');
}

/**
 * CPU seconds (user + system) of this process's reaped children so far, from /proc/self/stat
 * (cutime + cstime, in USER_HZ = 100 ticks on Linux): testnet peers and `ppfm simulate` are our
 * children, so a difference around a run is that run's CPU cost whatever else loads the box.
 * null where /proc is missing.
 */
export async function childCpuSeconds(): Promise<number | null> {
  try {
    const stat = await readFile('/proc/self/stat', 'utf8');
    // Fields after the command name (which may hold spaces) start at field 3.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cutime = Number(rest[13]);
    const cstime = Number(rest[14]);
    return Number.isFinite(cutime) && Number.isFinite(cstime) ? (cutime + cstime) / 100 : null;
  } catch {
    return null;
  }
}
