// Resolves a --dataset value: a built-in name (mnist, synthetic, fashion-mnist) or a dataset path.
import type { BuiltinName, Dataset } from '@ppfm/meta';
import { statSync } from 'node:fs';
import { UsageError } from './errors.js';

export const BUILTIN_DATASETS = ['mnist', 'synthetic', 'fashion-mnist'] as const;

/** True for the names of built-in datasets. */
export function isBuiltinDataset(value: string): boolean {
  return (BUILTIN_DATASETS as readonly string[]).includes(value);
}

/**
 * Throws a UsageError unless value is a built-in dataset name or a path that can be opened; a symlink
 * loop or a permission problem is named as such, not as a missing path.
 */
export function checkDatasetArg(value: string): void {
  if (isBuiltinDataset(value)) return;
  try {
    statSync(value);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new UsageError(
        `--dataset: "${value}" is neither a built-in dataset (${BUILTIN_DATASETS.join(', ')}) nor an existing path`,
      );
    }
    const why =
      code === 'ELOOP'
        ? 'symbolic link loop (ELOOP)'
        : code === 'EACCES' || code === 'EPERM'
          ? `permission denied (${code})`
          : `cannot open (${code ?? (err as Error).message})`;
    throw new UsageError(`--dataset: ${value}: ${why}`);
  }
}

/**
 * Loads a built-in dataset by name, else the dataset at the given path. Bad data (meta's DataError:
 * file, line, field) is a UsageError prefixed with `--dataset:`, so the CLI exits 2.
 */
export async function loadDatasetArg(value: string, seed: number): Promise<Dataset> {
  checkDatasetArg(value);
  const meta = await import('@ppfm/meta');
  try {
    if (isBuiltinDataset(value)) return await meta.loadBuiltin(value as BuiltinName, { seed });
    return await meta.loadDataset(value);
  } catch (err) {
    throw asUsageError(err, '--dataset');
  }
}

/** A meta DataError (bad input data) becomes a UsageError naming the flag; anything else is returned as is. */
export function asUsageError(err: unknown, flag: string): unknown {
  // By name: meta is imported lazily (fast --help), so its class is not at hand here.
  return err instanceof Error && err.name === 'DataError' ? new UsageError(`${flag}: ${err.message}`) : err;
}
