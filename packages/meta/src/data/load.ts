/** loadDataset: one entry point for every on-disk format, from a file or a folder. */
import { lstat, readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { loadBinDataset } from './bin.js';
import { loadCsv } from './csv.js';
import { DataError, type Dataset } from './dataset.js';
import { findIdxPair, isIdxName, loadIdx } from './idx.js';
import { isImageName, loadImageFolder } from './images.js';
import { loadJsonl } from './jsonl.js';
import { MANIFEST_FILE, readManifest, type Manifest } from './manifest.js';
import { describeFsError } from './source.js';
import { checkTrainable } from './trainable.js';
import { TRUTH_FILE } from './write.js';

/** Options of loadDataset. */
export interface LoadOptions {
  /** CSV label column (overrides ppfm.json's labelColumn; default `label`). */
  labelColumn?: string;
}

const JSONL_EXT = new Set(['.jsonl', '.ndjson', '.json']);

/**
 * Loads a dataset from a file (.csv, .jsonl/.ndjson/.json, an IDX file of an images+labels pair, or a
 * ppfm.json) or a folder: ppfm.json's `format` (and `file`) when given, else the folder's single CSV,
 * JSON-lines file or IDX pair (a `train` pair wins over others), else class sub-folders of images.
 * A sibling ppfm.json also applies to a file given directly. Bad data throws a DataError naming the
 * file and line/record; so does a dataset a peer cannot train on (see checkTrainable: at least 2
 * classes and MIN_SAMPLES samples).
 */
export async function loadDataset(path: string, opts: LoadOptions = {}): Promise<Dataset> {
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    throw new DataError(await statProblem(path, e), { file: path });
  }
  if (st.isDirectory()) return loadFolder(path, opts);
  if (basename(path) === MANIFEST_FILE) return loadFolder(dirname(path), opts);
  const manifest = (await readManifest(join(dirname(path), MANIFEST_FILE))) ?? {};
  return loadFile(path, manifest, opts);
}

/** Why stat failed; a dangling symlink is named as such rather than as a missing file. */
async function statProblem(path: string, err: unknown): Promise<string> {
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
    const link = await lstat(path).catch(() => undefined);
    if (link?.isSymbolicLink()) return 'broken symbolic link: its target does not exist';
  }
  return describeFsError(err);
}

/** The classes are declared when ppfm.json gives them (a ppfm-bin folder always does). */
function declared(m: Manifest): boolean {
  return m.numClasses !== undefined || m.classNames !== undefined;
}

async function loadFile(file: string, manifest: Manifest, opts: LoadOptions): Promise<Dataset> {
  const name = basename(file);
  const ext = extname(name).toLowerCase();
  const ok = (ds: Dataset): Dataset => checkTrainable(ds, file, declared(manifest));
  if (ext === '.csv') return ok(await loadCsv(file, manifest, opts.labelColumn));
  if (JSONL_EXT.has(ext)) return ok(await loadJsonl(file, manifest));
  if (isIdxName(name)) {
    const pair = await findIdxPair(file);
    return ok(await loadIdx(pair.images, pair.labels, manifest));
  }
  if (isImageName(name)) {
    throw new DataError('a single image is not a dataset: pass the folder holding one sub-folder per class', {
      file,
    });
  }
  throw new DataError(
    'unknown dataset format (expected .csv, .jsonl, IDX files, an image folder or ppfm.json)',
    {
      file,
    },
  );
}

async function loadFolder(dir: string, opts: LoadOptions): Promise<Dataset> {
  let entries;
  try {
    // Listing first: an unreadable folder is reported as such, not as a ppfm.json it may not hold.
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw new DataError(describeFsError(e), { file: dir });
  }
  const hasManifest = entries.some((e) => e.name === MANIFEST_FILE);
  const manifest = (hasManifest ? await readManifest(join(dir, MANIFEST_FILE)) : undefined) ?? {};
  const ok = (ds: Dataset): Dataset => checkTrainable(ds, dir, declared(manifest));
  if (manifest.format === 'ppfm-bin') return ok(await loadBinDataset(dir, manifest));
  if (manifest.format === 'images') return ok(await loadImageFolder(dir, manifest));
  if (manifest.file) return loadFile(join(dir, manifest.file), manifest, opts);
  if (entries.some((e) => e.name === TRUTH_FILE) && entries.some((e) => /^peer-\d+$/.test(e.name))) {
    throw new DataError(`this is a partition folder: load one of its peer-NN folders`, { file: dir });
  }
  const files = entries
    // Links count as files: a broken or looping link is then reported by the loader that reads it.
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
  const csv = files.filter((f) => extname(f).toLowerCase() === '.csv');
  const jsonl = files.filter((f) => JSONL_EXT.has(extname(f).toLowerCase()) && f !== MANIFEST_FILE);
  const idxImages = files.filter((f) => /images[-._]idx3/i.test(f));
  const byFormat: Record<'csv' | 'jsonl' | 'idx', string[]> = { csv, jsonl, idx: idxImages };
  const wanted = manifest.format;
  const present = (Object.keys(byFormat) as ('csv' | 'jsonl' | 'idx')[]).filter(
    (k) => byFormat[k].length > 0 && (wanted === undefined || wanted === k),
  );
  if (present.length > 1) {
    throw new DataError(`ambiguous folder: holds ${present.join(' and ')} data; set "format" in ppfm.json`, {
      file: dir,
    });
  }
  const kind = present[0];
  if (kind === undefined) {
    if (wanted !== undefined) throw new DataError(`no ${wanted} file in the folder`, { file: dir });
    if (entries.some((e) => e.isDirectory() && !e.name.startsWith('.')))
      return ok(await loadImageFolder(dir, manifest));
    throw new DataError(
      'no dataset found: expected ppfm.json, a .csv, a .jsonl, an IDX pair or class sub-folders',
      {
        file: dir,
      },
    );
  }
  let candidates = byFormat[kind];
  if (candidates.length > 1 && kind === 'idx') candidates = candidates.filter((f) => /^train/i.test(f));
  if (candidates.length !== 1) {
    throw new DataError(`ambiguous folder: ${byFormat[kind].join(', ')}; name one with "file" in ppfm.json`, {
      file: dir,
    });
  }
  return loadFile(join(dir, candidates[0] as string), manifest, opts);
}
