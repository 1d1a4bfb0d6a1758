#!/usr/bin/env node
// `npm run testnet -- [options]`: a local PPFM testnet of real peer processes (see --help).
// Exit codes: 0 the run succeeded, 1 it failed, 2 usage error.
import { formatChurn } from './testnet/churn.js';
import { HELP, parseTestnetArgs } from './testnet/options.js';
import { runTestnet } from './testnet/run.js';
import { formatSummary } from './testnet/summary.js';

async function main(argv: string[]): Promise<number> {
  const parsed = parseTestnetArgs(argv);
  if (parsed.kind === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (parsed.kind === 'error') {
    process.stderr.write(`testnet: ${parsed.message}\n(see --help)\n`);
    return 2;
  }
  const opts = parsed.options;
  // Progress goes where the user looks: a refreshing table on a terminal, plain lines on stderr
  // otherwise; with --json stdout carries nothing but the final JSON.
  const stream = opts.json ? process.stderr : process.stdout;
  const progress = stream.isTTY ? 'tty' : 'plain';
  try {
    const result = await runTestnet(opts, {
      progress,
      stream,
      handleSignals: true,
      log: (l) => process.stderr.write(l + '\n'),
    });
    const s = result.summary;
    if (opts.json) {
      const { ok, peers, clusters, ari, meanAcc, minAcc, localAcc, rounds } = s;
      const { bytesPerPeerPerRound, modelBytes, wallSeconds, headFailoverSeconds } = s;
      const out = { ok, peers, clusters, ari, meanAcc, minAcc, localAcc, rounds };
      process.stdout.write(
        JSON.stringify({
          ...out,
          bytesPerPeerPerRound,
          modelBytes,
          wallSeconds,
          headFailoverSeconds,
          ...(s.fairness !== undefined ? { fairness: s.fairness } : {}),
          ...(result.churn !== undefined ? { churn: result.churn } : {}),
        }) + '\n',
      );
    } else {
      process.stdout.write(formatSummary(s) + '\n');
      if (result.churn !== undefined) process.stdout.write(formatChurn(result.churn) + '\n');
      process.stdout.write(`run directory: ${result.outDir}  (ppfm inspect ${result.outDir}/logs)\n`);
      process.stdout.write(`report: ${result.report}\n`);
    }
    return s.ok ? 0 : 1;
  } catch (err) {
    process.stderr.write(`testnet: ${(err as Error).message}\n`);
    // A dataset that does not exist or does not load is a usage error, like a bad flag.
    return (err as Error).name === 'DatasetError' ? 2 : 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
// Child processes are gone by now; do not linger on stray handles.
process.exit(process.exitCode);
