/** Loads, partitions and splits the data once for every zero-shot setting, and resolves the class tables. */
import { selectBackend, type BackendName } from '../../backend.js';
import { isBuiltinName, loadBuiltin } from '../../data/builtin.js';
import { concatDatasets, type Dataset } from '../../data/dataset.js';
import { loadDataset } from '../../data/load.js';
import { parsePartitionSpec, partitionDataset } from '../../data/partition.js';
import type { ZeroShotInfo } from '../../data/zeroshot-partition.js';
import { zeroShotSplit } from '../../data/zeroshot-partition.js';
import type { SemanticVariant } from '../../zeroshot/embed.js';
import {
  alignTable,
  builtinSemanticTable,
  readSemanticTable,
  type SemanticTable,
} from '../../zeroshot/semantic.js';
import { mixSeed, subsetDataset } from '../context.js';
import type { ZeroShotSimOptions } from './types.js';

/** One simulated zero-shot peer. */
export interface ZsSimPeer {
  index: number;
  /** Seen classes only. */
  train: Dataset;
  /** Its seen classes' held-out samples and its share of the unseen classes. */
  val: Dataset;
}

/** Everything the settings share. */
export interface ZsSimContext {
  opts: ZeroShotSimOptions;
  backend: BackendName;
  inputShape: number[];
  classNames: string[];
  peers: ZsSimPeer[];
  truth: number[];
  zeroShot: ZeroShotInfo;
  /** Every peer's training split, pooled. */
  pooledTrain: Dataset;
}

const VAL_FRACTION = 0.2;

/** Loads the dataset, partitions it with a `zeroshot:` spec and splits every peer. */
export async function createZsContext(opts: ZeroShotSimOptions): Promise<ZsSimContext> {
  if (parsePartitionSpec(opts.partition).kind !== 'zeroshot')
    throw new Error(
      `zero-shot simulation needs a zeroshot:<unseen>[,<groups>] partition, got '${opts.partition}'`,
    );
  if (!Number.isInteger(opts.rounds) || opts.rounds < 1) throw new Error('rounds must be a positive integer');
  const backend = await selectBackend(opts.backend ?? 'auto');
  let source = isBuiltinName(opts.dataset)
    ? await loadBuiltin(opts.dataset, { seed: opts.seed })
    : await loadDataset(opts.dataset);
  if (opts.maxSamples !== undefined) source = subsetDataset(source, opts.maxSamples, mixSeed(opts.seed, 7));
  const part = partitionDataset(source, opts.partition, opts.peers, opts.seed);
  const zeroShot = part.zeroShot!;
  const peers = part.peers.map((ds, index) => ({
    index,
    ...zeroShotSplit(ds, zeroShot.unseen, { valFraction: VAL_FRACTION, seed: mixSeed(opts.seed, 11, index) }),
  }));
  return {
    opts,
    backend,
    inputShape: source.inputShape,
    classNames: source.classNames ?? Array.from({ length: source.numClasses }, (_, c) => String(c)),
    peers,
    truth: part.truth,
    zeroShot,
    pooledTrain: concatDatasets(
      peers.map((p) => p.train),
      'pooled',
    ),
  };
}

/** The variants to run: the built-in table's (default both) or the one table given as a file. */
export function variantsOf(opts: ZeroShotSimOptions): string[] {
  if (opts.classTable !== undefined) return ['table'];
  return opts.variants ?? ['name', 'name+wordnet'];
}

/** The class table of a variant, aligned with the dataset's class names. */
export async function tableFor(ctx: ZsSimContext, variant: string): Promise<SemanticTable> {
  if (ctx.opts.classTable !== undefined)
    return alignTable(await readSemanticTable(ctx.opts.classTable), ctx.classNames);
  const ds = ctx.opts.dataset;
  if (ds !== 'mnist' && ds !== 'fashion-mnist')
    throw new Error(
      `no built-in class table for '${ds}': give one with a class-table file (ppfm classes embed)`,
    );
  return alignTable(await builtinSemanticTable(ds, variant as SemanticVariant), ctx.classNames);
}
