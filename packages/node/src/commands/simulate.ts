// `ppfm simulate`: the offline federation simulator (no networking) comparing methods.
import { Option, type Command } from 'commander';
import { checkDatasetArg } from './dataset-arg.js';
import { nonNegativeInt, positiveInt, UsageError } from './errors.js';
import { readModelSpec } from './start.js';
import { runZeroShotSimulate, type ZeroShotFlags } from './simulate-zeroshot.js';
import {
  registerSimulatePrivacyFlags,
  simulatePrivacyFromFlags,
  type PrivacyFlags,
} from './privacy-flags.js';

export interface SimulateFlags extends PrivacyFlags {
  dataset: string;
  partition: string;
  peers: number;
  rounds: number;
  seed: number;
  methods?: string;
  backend: 'auto' | 'node' | 'wasm' | 'cpu';
  maxSamples?: number;
  json?: boolean;
  model?: string;
  task: 'classification' | 'zero-shot';
}

/** Runs the simulator; the table (or JSON) goes to stdout, progress to stderr. */
export async function runSimulate(flags: SimulateFlags & ZeroShotFlags): Promise<void> {
  checkDatasetArg(flags.dataset);
  if (flags.task === 'zero-shot') return runZeroShotSimulate(flags);
  const meta = await import('@ppfm/meta');
  try {
    meta.parsePartitionSpec(flags.partition);
  } catch (err) {
    throw new UsageError(`--partition: ${(err as Error).message}`);
  }
  let methods: ReturnType<typeof meta.parseMethods> | undefined;
  if (flags.methods !== undefined) {
    try {
      methods = meta.parseMethods(flags.methods);
    } catch (err) {
      throw new UsageError(`--methods: ${(err as Error).message}`);
    }
    if (methods.length === 0) throw new UsageError('--methods: no method given');
  }
  const model = flags.model !== undefined ? await readModelSpec(flags.model) : undefined;
  const privacy = simulatePrivacyFromFlags(flags, flags.rounds);
  const quiet = flags.json === true;
  const result = await meta.simulate({
    dataset: flags.dataset,
    partition: flags.partition,
    peers: flags.peers,
    rounds: flags.rounds,
    seed: flags.seed,
    backend: flags.backend,
    ...(methods !== undefined ? { methods } : {}),
    ...(flags.maxSamples !== undefined ? { maxSamples: flags.maxSamples } : {}),
    ...(model !== undefined ? { model } : {}),
    ...privacy,
    onProgress: (p) => {
      if (quiet) return;
      const acc = p.meanAcc !== undefined ? ` meanAcc=${p.meanAcc.toFixed(3)}` : '';
      process.stderr.write(`[${p.method}] round ${p.round}/${p.rounds}${acc}${p.note ? ` ${p.note}` : ''}\n`);
    },
  });
  if (flags.json === true) {
    process.stdout.write(JSON.stringify(meta.simulationJson(result)) + '\n');
  } else {
    process.stdout.write(meta.formatSimulationTable(result) + '\n');
  }
}

/** Registers the simulate subcommand. */
export function registerSimulate(program: Command): void {
  const cmd = program
    .command('simulate')
    .description(
      'Run the offline federation simulator on one partition and compare methods ' +
        '(local, fedavg, fedavg-ft, ifca, oracle, ppfm; with --task zero-shot: each peer alone, federated, ' +
        'grouped by label statistics, pooled). Progress goes to stderr.',
    )
    .option('--dataset <name|path>', 'mnist, fashion-mnist, synthetic, or a dataset path', 'mnist')
    .requiredOption(
      '--partition <spec>',
      'iid | dirichlet:<alpha> | rotate:<k> | labelswap:<k> | shift:<k> | synthetic:<alpha>,<beta> | classes:<n> | zeroshot:<unseen>[,<groups>]',
    )
    .option('--peers <n>', 'number of peers', positiveInt, 16)
    .option('--rounds <n>', 'federation rounds', positiveInt, 20)
    .option('--seed <n>', 'random seed', nonNegativeInt, 1)
    .option('--methods <list>', 'comma-separated subset of methods (default: all)')
    .addOption(
      new Option('--backend <name>', 'tensor backend')
        .choices(['auto', 'node', 'wasm', 'cpu'])
        .default('auto'),
    )
    .option('--max-samples <n>', 'use only N samples of the dataset (fast runs)', positiveInt)
    .addOption(
      new Option('--task <task>', 'classification, or zero-shot (with a zeroshot:<unseen> partition)')
        .choices(['classification', 'zero-shot'])
        .default('classification'),
    )
    .addOption(
      new Option('--zs-model <model>', 'zero-shot model')
        .choices(['generator', 'compat'])
        .default('generator'),
    )
    .option(
      '--semantic <list>',
      'zero-shot: class-vector variants of the built-in table',
      'name,name+wordnet',
    )
    .option(
      '--class-table <file>',
      'zero-shot: a class table (ppfm classes embed) instead of the built-in one',
    )
    .option('--settings <list>', 'zero-shot: alone,federated,grouped,pooled (default: all)')
    .option('--zs-steps <n>', 'zero-shot: SGD steps per round of each part (default 12)', positiveInt)
    .option(
      '--model <spec.json>',
      'model spec {"layers":[...]} for every method (ppfm+zda-member|head need batchNorm layers)',
    )
    .option(
      '--json',
      'print {"methods":{"<name>":{"meanAcc","minAcc","balancedAcc","ari","rounds","seconds"}}} as JSON',
    );
  registerSimulatePrivacyFlags(cmd).action(async (flags: SimulateFlags & ZeroShotFlags) =>
    runSimulate(flags),
  );
}
