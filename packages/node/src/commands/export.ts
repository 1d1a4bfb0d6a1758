// `ppfm export`: writes any dataset as a raw-unit CSV with a `label` column, so that loaders and
// learning can be tried on the units users actually have (mnist pixels 0-255, features x1000).
import { InvalidArgumentError, type Command } from 'commander';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { asUsageError, loadDatasetArg } from './dataset-arg.js';
import { nonNegativeInt, positiveInt, UsageError } from './errors.js';

export interface ExportFlags {
  dataset: string;
  out: string;
  maxSamples?: number;
  scale: number;
  seed: number;
  json?: boolean;
}

/** Built-in image datasets held in [0, 1]: exported as the integer pixels 0-255 they came from. */
const PIXEL_BUILTINS = ['mnist', 'fashion-mnist'];
const MANIFEST = 'ppfm.json';

/** Parses a positive finite number option value (commander argParser). */
export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError('must be a positive number.');
  return n;
}

/** Loads, subsets and writes the dataset; prints a summary (or JSON) on stdout. */
export async function runExport(flags: ExportFlags): Promise<void> {
  const out = resolve(flags.out);
  if (!/\.csv$/i.test(out)) throw new UsageError(`--out: ${flags.out} must end in .csv`);
  const meta = await import('@ppfm/meta');
  let ds = await loadDatasetArg(flags.dataset, flags.seed);
  if (flags.maxSamples !== undefined && flags.maxSamples < ds.y.length) {
    // A seeded subset in the original order (mnist's order is already a fixed shuffle).
    const rng = meta.createRng(meta.deriveSeed(flags.seed, 'export', flags.maxSamples));
    const pick = rng
      .shuffle(Array.from({ length: ds.y.length }, (_, i) => i))
      .slice(0, flags.maxSamples)
      .sort((a, b) => a - b);
    ds = meta.selectSamples(ds, pick);
  }
  const pixels = PIXEL_BUILTINS.includes(flags.dataset);
  if (pixels) ds = { ...ds, x: ds.x.map((v) => Math.round(v * 255)) };
  const manifestPath = join(dirname(out), MANIFEST);
  const existing = await readFile(manifestPath, 'utf8').then(
    (t) => t,
    () => undefined,
  );
  const ours = existing !== undefined && manifestFile(existing) === basename(out);
  if (existing !== undefined && !ours) {
    throw new UsageError(
      `--out: ${manifestPath} describes other data and would apply to ${basename(out)} too: export into another folder`,
    );
  }
  let res: Awaited<ReturnType<typeof meta.writeCsv>>;
  try {
    await mkdir(dirname(out), { recursive: true });
    res = await meta.writeCsv(ds, out, {
      scale: flags.scale,
      integers: pixels && Number.isInteger(flags.scale),
    });
    // The CSV cannot carry an image shape or an unusual class order: ppfm.json beside it does.
    if (res.manifest) {
      const m = { task: ds.name, file: basename(out), ...res.manifest };
      const body = Object.entries(m).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
      await writeFile(manifestPath, `{\n${body.join(',\n')}\n}\n`);
    } else if (ours) await rm(manifestPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== undefined) throw new UsageError(`--out: cannot write ${out} (${code})`);
    throw asUsageError(err, '--dataset');
  }
  const summary = {
    out,
    samples: res.rows,
    features: res.features,
    numClasses: ds.numClasses,
    manifest: res.manifest ? manifestPath : null,
  };
  if (flags.json === true) {
    process.stdout.write(JSON.stringify(summary) + '\n');
    return;
  }
  const units = pixels
    ? `integer pixels 0-${255 * flags.scale}`
    : flags.scale === 1
      ? 'raw values'
      : `values x${flags.scale}`;
  process.stdout.write(
    `wrote ${res.rows} samples x ${res.features} features (${ds.numClasses} classes, ${units}) of ${flags.dataset} to ${out}\n` +
      (res.manifest ? `ppfm.json beside it: ${Object.keys(res.manifest).join(', ')}\n` : ''),
  );
}

/** The `file` a ppfm.json names, if it parses and names one. */
function manifestFile(text: string): string | undefined {
  try {
    const o = JSON.parse(text) as { file?: unknown } | null;
    return typeof o?.file === 'string' ? o.file : undefined;
  } catch {
    return undefined;
  }
}

/** Registers the export subcommand. */
export function registerExport(program: Command): void {
  program
    .command('export')
    .description(
      'Write a dataset as a raw-unit CSV with a "label" column (mnist as integer pixels 0-255), ' +
        'plus a ppfm.json beside it when the CSV cannot carry the image shape or the class order.',
    )
    .requiredOption('--dataset <name|path>', 'mnist, synthetic, fashion-mnist, or a dataset path')
    .requiredOption('--out <file.csv>', 'output CSV file')
    .option('--max-samples <n>', 'a seeded subset of N samples', positiveInt)
    .option('--scale <f>', 'multiply every feature by F (e.g. 1000 for raw-unit tests)', positiveNumber, 1)
    .option('--seed <n>', 'random seed (synthetic data, subset)', nonNegativeInt, 1)
    .option('--json', 'print {"out","samples","features","numClasses","manifest"} as JSON')
    .action(async (flags: ExportFlags) => runExport(flags));
}
