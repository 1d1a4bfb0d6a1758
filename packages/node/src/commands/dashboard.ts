// `ppfm dashboard LOGDIR... [--port 8080] [--host 127.0.0.1] [--truth truth.json]`: serves a live
// page of the network described by the peers' logs until SIGINT/SIGTERM.
import { InvalidArgumentError, type Command } from 'commander';
import { stat } from 'node:fs/promises';
import { isLoopback } from '../dashboard/loopback.js';
import { startDashboard } from '../dashboard/server.js';
import { DashboardSource } from '../dashboard/source.js';
import { LogDirError } from '../inspect/read-logs.js';
import { UsageError } from './errors.js';

export interface DashboardFlags {
  port: number;
  host: string;
  truth?: string;
}

/** Parses a TCP port (0 = any free port). */
export function tcpPort(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || n > 65535)
    throw new InvalidArgumentError('must be a port number 0..65535.');
  return n;
}

async function checkDirs(dirs: string[]): Promise<void> {
  for (const d of dirs) {
    const st = await stat(d).catch(() => undefined);
    if (st === undefined) throw new LogDirError(`log directory ${d} does not exist`);
    if (!st.isDirectory()) throw new LogDirError(`${d} is not a directory`);
  }
}

/** Serves the dashboard until SIGINT/SIGTERM; resolves with the exit code. */
export async function runDashboard(dirs: string[], flags: DashboardFlags): Promise<number> {
  await checkDirs(dirs);
  const warn = (m: string): void => void process.stderr.write(`ppfm dashboard: ${m}\n`);
  let source: DashboardSource;
  try {
    source = await DashboardSource.open({
      dirs,
      ...(flags.truth !== undefined ? { truth: flags.truth } : {}),
      warn,
    });
  } catch (err) {
    throw new UsageError(`--truth: ${(err as Error).message}`);
  }
  let server;
  try {
    server = await startDashboard({ source, host: flags.host, port: flags.port });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new Error(`port ${flags.port} on ${flags.host} is in use: choose another with --port`);
    if (code === 'EADDRNOTAVAIL')
      throw new UsageError(`--host: ${flags.host} is not an address of this machine`);
    throw err;
  }
  process.stdout.write(`dashboard: ${server.url}  (following ${dirs.join(', ')}; Ctrl-C stops)\n`);
  if (!isLoopback(flags.host))
    process.stderr.write(
      `ppfm dashboard: warning: listening on ${flags.host}: anyone who can reach this address can read ` +
        'the run information (peer ids, clusters, accuracy, traffic; read-only)\n',
    );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await server.close();
  return 0;
}

/** Registers the dashboard subcommand. */
export function registerDashboard(program: Command, onExit: (code: number) => void): void {
  program
    .command('dashboard')
    .description(
      "Serve a live web page of a running (or finished) network from the peers' JSON-lines logs: topology, " +
        'clusters and heads, accuracy per round, traffic, rejections, failovers, a peer table. ' +
        'Loopback only unless --host says otherwise.',
    )
    .argument('<logdir...>', "directories holding the peers' log files (*.log, *.jsonl, also one level down)")
    .option('--port <n>', 'TCP port (0 picks a free one)', tcpPort, 8080)
    .option(
      '--host <addr>',
      'address to listen on; anything but loopback exposes the run information read-only to whoever can reach it',
      '127.0.0.1',
    )
    .option(
      '--truth <truth.json>',
      "the partition's true groups (default: data/truth.json of a testnet run dir)",
    )
    .action(async (dirs: string[], flags: DashboardFlags) => onExit(await runDashboard(dirs, flags)));
}
