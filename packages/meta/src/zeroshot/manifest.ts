/**
 * The zero-shot fields of a dataset's ppfm.json: `zeroShot: {"unseen": [...], "seen": [...]}` (written by
 * `ppfm partition --partition zeroshot:...`; `unseen` classes are held-out only) and `classEmbeddings`
 * (one vector per class, see parseClassEmbeddings). Both optional; present ones are validated.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from '../data/dataset.js';
import { parseClassEmbeddings, type SemanticTable } from './semantic.js';

/** What a peer's ppfm.json says about zero-shot learning. */
export interface ZeroShotManifest {
  /** Classes that must never be trained on (they appear in the held-out split only). */
  unseen?: number[];
  /** The peer's own seen classes, as partitioned. */
  seen?: number[];
  table?: SemanticTable;
}

function classList(v: unknown, field: string, file: string, numClasses: number): number[] {
  if (!Array.isArray(v) || !v.every((c) => Number.isInteger(c) && c >= 0 && c < numClasses))
    throw new DataError(`must be a list of class indices in 0..${numClasses - 1}, got ${JSON.stringify(v)}`, {
      file,
      field,
    });
  return [...new Set(v as number[])].sort((a, b) => a - b);
}

/** Validates the zero-shot fields of a parsed ppfm.json for a dataset of `classNames`. */
export function parseZeroShotManifest(raw: unknown, file: string, classNames: string[]): ZeroShotManifest {
  const o = (raw ?? {}) as Record<string, unknown>;
  const out: ZeroShotManifest = {};
  if (o.zeroShot !== undefined) {
    const z = o.zeroShot as Record<string, unknown> | null;
    if (typeof z !== 'object' || z === null)
      throw new DataError('must be an object', { file, field: 'zeroShot' });
    if (z.unseen !== undefined) out.unseen = classList(z.unseen, 'zeroShot.unseen', file, classNames.length);
    if (z.seen !== undefined) out.seen = classList(z.seen, 'zeroShot.seen', file, classNames.length);
    const both = out.unseen?.find((c) => out.seen?.includes(c));
    if (both !== undefined)
      throw new DataError(`class ${both} is both seen and unseen`, { file, field: 'zeroShot' });
  }
  if (o.classEmbeddings !== undefined)
    out.table = parseClassEmbeddings({ ...o, classNames }, file, classNames);
  return out;
}

/** Reads the zero-shot fields of `dir/ppfm.json` (or of the ppfm.json given); {} when there is none. */
export async function readZeroShotManifest(
  dirOrFile: string,
  classNames: string[],
): Promise<ZeroShotManifest> {
  const file = dirOrFile.endsWith('.json') ? dirOrFile : join(dirOrFile, 'ppfm.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new DataError(`cannot read: ${(e as Error).message}`, { file });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new DataError(`invalid JSON: ${(e as Error).message}`, { file });
  }
  return parseZeroShotManifest(raw, file, classNames);
}
