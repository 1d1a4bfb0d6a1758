// `ppfm inspect LOGDIR [--json]`: merges every peer's log into timeline, clusters and peers.
import type { Command } from 'commander';
import { formatReport } from '../inspect/format.js';
import { readLogDir } from '../inspect/read-logs.js';
import { summariseLogs } from '../inspect/summarise.js';

export interface InspectFlags {
  json?: boolean;
}

/** Runs inspect on a log directory, writing the report to stdout and warnings to stderr. */
export async function runInspect(dir: string, flags: InspectFlags): Promise<void> {
  const { events, warnings, files } = await readLogDir(dir);
  for (const w of warnings) process.stderr.write(`ppfm inspect: skipped corrupt line ${w}\n`);
  const report = summariseLogs(events);
  if (flags.json === true) {
    process.stdout.write(JSON.stringify(report) + '\n');
  } else {
    process.stdout.write(`${events.length} events from ${files.length} log files in ${dir}\n\n`);
    process.stdout.write(formatReport(report) + '\n');
  }
}

/** Registers the inspect subcommand. */
export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description(
      'Merge the JSON-lines logs of all peers (*.log, *.jsonl in LOGDIR and its direct sub-directories) ' +
        'into a membership timeline, a clusters table and a per-peer table.',
    )
    .argument('<logdir>', "directory holding the peers' log files")
    .option('--json', 'print {"clusters":[...],"peers":[...],"timeline":[...]} as one JSON object')
    .action(async (dir: string, flags: InspectFlags) => runInspect(dir, flags));
}
