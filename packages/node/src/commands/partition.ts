// `ppfm partition`: splits a dataset into one dataset folder per peer plus truth.json.
import { Option, type Command } from 'commander';
import { resolve } from 'node:path';
import { asUsageError, loadDatasetArg } from './dataset-arg.js';
import { positiveInt, nonNegativeInt, UsageError } from './errors.js';

export interface PartitionFlags {
  dataset: string;
  partition: string;
  peers: number;
  seed: number;
  out: string;
  format: 'ppfm-bin' | 'csv';
  json?: boolean;
}

/** Partitions the dataset and writes the peer folders; prints a summary (or JSON). */
export async function runPartition(flags: PartitionFlags): Promise<void> {
  const meta = await import('@ppfm/meta');
  let spec: ReturnType<typeof meta.parsePartitionSpec>;
  try {
    spec = meta.parsePartitionSpec(flags.partition);
  } catch (err) {
    throw new UsageError(`--partition: ${(err as Error).message}`);
  }
  if (spec.kind === 'synthetic' && flags.dataset !== 'synthetic') {
    throw new UsageError(
      `--partition ${flags.partition} generates its own data (FedProx Synthetic, one device per peer): use --dataset synthetic, not ${flags.dataset}`,
    );
  }
  const ds = await loadDatasetArg(flags.dataset, flags.seed);
  let parts: ReturnType<typeof meta.partitionDataset>;
  try {
    parts = meta.partitionDataset(ds, flags.partition, flags.peers, flags.seed);
  } catch (err) {
    throw asUsageError(err, '--partition');
  }
  const out = resolve(flags.out);
  let written: Awaited<ReturnType<typeof meta.writePartition>>;
  try {
    written = await meta.writePartition(
      out,
      parts,
      { dataset: flags.dataset, partition: flags.partition, peers: flags.peers, seed: flags.seed },
      { format: flags.format },
    );
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw code !== undefined ? new UsageError(`--out: cannot write ${out} (${code})`) : err;
  }
  const groups = new Set(parts.truth).size;
  if (flags.json === true) {
    const { peerDirs, truthPath } = written;
    process.stdout.write(JSON.stringify({ out, groups, truth: parts.truth, peerDirs, truthPath }) + '\n');
  } else {
    const what = flags.format === 'csv' ? 'CSV' : 'ppfm-bin';
    process.stdout.write(
      `wrote ${written.peerDirs.length} ${what} peer dataset${written.peerDirs.length === 1 ? '' : 's'} ` +
        `(${groups} true group${groups === 1 ? '' : 's'}) to ${out}\n` +
        `truth: ${written.truthPath}\n`,
    );
  }
}

/** Registers the partition subcommand. */
export function registerPartition(program: Command): void {
  program
    .command('partition')
    .description(
      'Partition a dataset into one dataset folder per peer (peer-00/, peer-01/ ...) plus truth.json.',
    )
    .requiredOption(
      '--dataset <name|path>',
      'mnist, synthetic, fashion-mnist, or a dataset path (csv, jsonl, idx, image folders)',
    )
    .requiredOption(
      '--partition <spec>',
      'iid | dirichlet:<alpha> | rotate:<k> | labelswap:<k> | shift:<k> | synthetic:<alpha>,<beta> (needs --dataset synthetic)',
    )
    .requiredOption('--peers <n>', 'number of peers', positiveInt)
    .requiredOption('--out <dir>', 'output directory')
    .option('--seed <n>', 'random seed', nonNegativeInt, 1)
    .addOption(
      new Option('--format <format>', 'peer folder format: compact binary, or raw data.csv with a ppfm.json')
        .choices(['ppfm-bin', 'csv'])
        .default('ppfm-bin'),
    )
    .option('--json', 'print {"out","groups","truth","peerDirs","truthPath"} as JSON')
    .action(async (flags: PartitionFlags) => runPartition(flags));
}
