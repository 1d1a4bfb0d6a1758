#!/usr/bin/env node
// `node scripts/dist/src/fairness.js RUN_DIR`: the fairness figures of a finished testnet run
// (offline, from its summary.json options, truth.json and the peers' checkpoints), printed and
// written to RUN_DIR/fairness.json. The testnet computes the same at the end of every run.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readTruth } from '@ppfm/meta';
import { evaluateFairness, fairnessInputOf } from './testnet/fairness.js';
import type { TestnetOptions } from './testnet/options.js';
import { formatFairness } from './testnet/summary.js';

async function main(argv: string[]): Promise<number> {
  const dir = argv[0];
  if (dir === undefined || argv.length !== 1) {
    process.stderr.write('usage: fairness RUN_DIR (a testnet run directory with summary.json)\n');
    return 2;
  }
  let opts: TestnetOptions;
  try {
    const s = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as { options?: TestnetOptions };
    if (s.options === undefined) throw new Error('it has no options field');
    opts = s.options;
  } catch (err) {
    process.stderr.write(`fairness: ${join(dir, 'summary.json')}: ${(err as Error).message}\n`);
    return 2;
  }
  const truth = await readTruth(join(dir, 'data'));
  const report = await evaluateFairness(await fairnessInputOf(dir, opts, truth.truth));
  process.stdout.write(formatFairness(report) + '\n');
  await writeFile(join(dir, 'fairness.json'), JSON.stringify(report, null, 2) + '\n');
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
