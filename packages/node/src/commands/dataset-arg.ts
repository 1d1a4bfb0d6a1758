// Resolves a --dataset value: a built-in name (mnist, synthetic) or a dataset path.
import type { Dataset } from '@ppfm/meta';
import { existsSync } from 'node:fs';
import { UsageError } from './errors.js';

export const BUILTIN_DATASETS = ['mnist', 'synthetic', 'fashion-mnist'] as const;

/** Throws a UsageError unless value is a built-in dataset name or an existing path. */
export function checkDatasetArg(value: string): void {
  if ((BUILTIN_DATASETS as readonly string[]).includes(value) || existsSync(value)) return;
  throw new UsageError(
    `--dataset: "${value}" is neither a built-in dataset (${BUILTIN_DATASETS.join(', ')}) nor an existing path`,
  );
}

/** Loads a built-in dataset by name, else the dataset at the given path. */
export async function loadDatasetArg(value: string, seed: number): Promise<Dataset> {
  checkDatasetArg(value);
  const meta = await import('@ppfm/meta');
  if (meta.isBuiltinName(value)) return meta.loadBuiltin(value, { seed });
  return meta.loadDataset(value);
}
