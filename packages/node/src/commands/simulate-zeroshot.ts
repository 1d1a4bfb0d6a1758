// `ppfm simulate --task zero-shot`: the zero-shot settings (alone, federated, grouped, pooled) on a
// zeroshot:<unseen> partition, for each semantic variant. Kept apart so simulate.ts stays small.
import type { ZsSetting } from '@ppfm/meta';
import { UsageError } from './errors.js';

export interface ZeroShotFlags {
  dataset: string;
  partition: string;
  peers: number;
  rounds: number;
  seed: number;
  backend: 'auto' | 'node' | 'wasm' | 'cpu';
  maxSamples?: number;
  json?: boolean;
  zsModel: 'generator' | 'compat';
  semantic: string;
  classTable?: string;
  settings?: string;
  zsSteps?: number;
}

const list = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');

/** Runs simulateZeroShot; the table (or JSON) goes to stdout, progress to stderr. */
export async function runZeroShotSimulate(flags: ZeroShotFlags): Promise<void> {
  const meta = await import('@ppfm/meta');
  let spec;
  try {
    spec = meta.parsePartitionSpec(flags.partition);
  } catch (err) {
    throw new UsageError(`--partition: ${(err as Error).message}`);
  }
  if (spec.kind !== 'zeroshot')
    throw new UsageError('--partition: --task zero-shot needs zeroshot:<unseen>[,<groups>]');
  const variants = list(flags.semantic);
  const bad = variants.find((v) => !(meta.SEMANTIC_VARIANTS as readonly string[]).includes(v));
  if (bad !== undefined || variants.length === 0)
    throw new UsageError(`--semantic: expected a list of ${meta.SEMANTIC_VARIANTS.join(', ')}`);
  const settings = flags.settings === undefined ? undefined : list(flags.settings);
  const badSetting = settings?.find((v) => !(meta.ZS_SETTINGS as readonly string[]).includes(v));
  if (badSetting !== undefined || settings?.length === 0)
    throw new UsageError(`--settings: expected a list of ${meta.ZS_SETTINGS.join(', ')}`);
  const quiet = flags.json === true;
  const result = await meta.simulateZeroShot({
    dataset: flags.dataset,
    partition: flags.partition,
    peers: flags.peers,
    rounds: flags.rounds,
    seed: flags.seed,
    backend: flags.backend,
    model: flags.zsModel,
    ...(flags.zsSteps !== undefined
      ? {
          config: {
            encoderSteps: flags.zsSteps,
            generatorSteps: flags.zsSteps,
            classifierSteps: flags.zsSteps,
          },
        }
      : {}),
    variants: variants as ('name' | 'name+wordnet')[],
    ...(flags.classTable !== undefined ? { classTable: flags.classTable } : {}),
    ...(settings !== undefined ? { settings: settings as ZsSetting[] } : {}),
    ...(flags.maxSamples !== undefined ? { maxSamples: flags.maxSamples } : {}),
    onProgress: (p) => {
      if (!quiet) process.stderr.write(`[${p.variant} ${p.setting}] round ${p.round}/${p.rounds}\n`);
    },
    onRow: (r) => {
      const pct = (v: number): string => (100 * v).toFixed(1);
      if (!quiet)
        process.stderr.write(
          `[${r.variant} ${r.setting}] ZSL ${pct(r.raw.zsl)} H ${pct(r.raw.h)} H* ${pct(r.calibrated.h)}\n`,
        );
    },
  });
  process.stdout.write(
    (flags.json === true ? JSON.stringify(meta.zeroShotJson(result)) : meta.formatZeroShotTable(result)) +
      '\n',
  );
}
