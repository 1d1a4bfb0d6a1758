// `ppfm inspect LOGDIR [--json] [--html OUT.html]`: merges every peer's log into timeline, clusters and peers.
import type { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { reportFromEvents } from '../dashboard/report.js';
import { formatReport } from '../inspect/format.js';
import { readLogDir } from '../inspect/read-logs.js';
import { summariseLogs } from '../inspect/summarise.js';

export interface InspectFlags {
  json?: boolean;
  /** Also write a self-contained HTML report (the dashboard's plots) to this file. */
  html?: string;
  /** truth.json for the report (default: found next to the logs). */
  truth?: string;
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
  if (flags.html !== undefined) {
    const opts = { skipped: warnings.length, ...(flags.truth !== undefined ? { truth: flags.truth } : {}) };
    const { html, view } = await reportFromEvents(events, [dir], opts);
    await writeFile(flags.html, html);
    process.stderr.write(
      `ppfm inspect: wrote ${flags.html} (${view.peers.length} peers, ${view.clusters.length} clusters)\n`,
    );
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
    .option('--html <out.html>', 'also write a self-contained HTML report with the dashboard plots')
    .option('--truth <truth.json>', 'true groups for --html (default: data/truth.json of a testnet run dir)')
    .action(async (dir: string, flags: InspectFlags) => runInspect(dir, flags));
}
