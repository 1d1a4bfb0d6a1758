// `ppfm partition`: splits a dataset into one dataset folder per peer plus truth.json.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { loadDatasetArg } from './dataset-arg.js';
import { positiveInt, nonNegativeInt, UsageError } from './errors.js';

export interface PartitionFlags {
  dataset: string;
  partition: string;
  peers: number;
  seed: number;
  out: string;
  json?: boolean;
}

/** Partitions the dataset and writes the peer folders; prints a summary (or JSON). */
export async function runPartition(flags: PartitionFlags): Promise<void> {
  const meta = await import('@ppfm/meta');
  try {
    meta.parsePartitionSpec(flags.partition);
  } catch (err) {
    throw new UsageError(`--partition: ${(err as Error).message}`);
  }
  const ds = await loadDatasetArg(flags.dataset, flags.seed);
  const parts = meta.partitionDataset(ds, flags.partition, flags.peers, flags.seed);
  const out = resolve(flags.out);
  const written = await meta.writePartition(out, parts, {
    dataset: flags.dataset,
    partition: flags.partition,
    peers: flags.peers,
    seed: flags.seed,
  });
  const groups = new Set(parts.truth).size;
  if (flags.json === true) {
    const { peerDirs, truthPath } = written;
    process.stdout.write(JSON.stringify({ out, groups, truth: parts.truth, peerDirs, truthPath }) + '\n');
  } else {
    process.stdout.write(
      `wrote ${written.peerDirs.length} peer datasets (${groups} true groups) to ${out}\n` +
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
      'mnist, synthetic, or a dataset path (csv, jsonl, idx, image folders)',
    )
    .requiredOption(
      '--partition <spec>',
      'iid | dirichlet:<alpha> | rotate:<k> | labelswap:<k> | synthetic:<alpha>,<beta>',
    )
    .requiredOption('--peers <n>', 'number of peers', positiveInt)
    .requiredOption('--out <dir>', 'output directory')
    .option('--seed <n>', 'random seed', nonNegativeInt, 1)
    .option('--json', 'print {"out","groups","truth","peerDirs","truthPath"} as JSON')
    .action(async (flags: PartitionFlags) => runPartition(flags));
}
