/**
 * Writing a dataset as CSV: a `label` column, then one column per feature (`x0`, `x1`, ...), values in
 * the shortest text that reads back to the same float32. Used by `ppfm export` and CSV partitions, so
 * that loaders and learning are exercised on raw units.
 */
import { open } from 'node:fs/promises';
import { sampleLength, validateDataset, type Dataset } from './dataset.js';
import { resolveLabels } from './labels.js';
import type { Manifest } from './manifest.js';

/** Options of writeCsv. */
export interface CsvWriteOptions {
  /** Multiplies every feature before writing (default 1), e.g. 1,000 to test raw-unit inputs. */
  scale?: number;
  /** Rounds every written value to the nearest integer (pixels 0-255). */
  integers?: boolean;
}

/** What writeCsv wrote. */
export interface CsvWriteResult {
  rows: number;
  features: number;
  /**
   * The ppfm.json fields the CSV alone cannot carry (a non-flat inputShape, classes absent from the
   * rows, class order or names), or undefined when loadDataset reads the CSV back to the same dataset.
   */
  manifest?: Manifest;
}

const ROWS_PER_WRITE = 512;

/**
 * Writes `ds` to `file` as CSV (header `label,x0,x1,...`; labels are class names when the dataset has
 * them, else indices). Reading it back with loadDataset, plus the returned manifest as ppfm.json when
 * there is one, gives the same labels and the same values (times `scale`).
 */
export async function writeCsv(
  ds: Dataset,
  file: string,
  opts: CsvWriteOptions = {},
): Promise<CsvWriteResult> {
  validateDataset(ds);
  const scale = opts.scale ?? 1;
  if (!(Number.isFinite(scale) && scale > 0))
    throw new RangeError(`scale must be a positive number, got ${scale}`);
  const d = sampleLength(ds.inputShape);
  const n = ds.y.length;
  const labels = Array.from(ds.y, (c) => ds.classNames?.[c] ?? String(c));
  const header = ['label', ...Array.from({ length: d }, (_, j) => `x${j}`)].join(',');
  const fh = await open(file, 'w');
  try {
    await fh.write(header + '\n');
    let chunk: string[] = [];
    for (let i = 0; i < n; i++) {
      const cells = [csvCell(labels[i] as string)];
      for (let j = 0; j < d; j++) {
        const v = (ds.x[i * d + j] as number) * scale;
        cells.push(opts.integers === true ? String(Math.round(v) + 0) : float32Text(v));
      }
      chunk.push(cells.join(','));
      if (chunk.length === ROWS_PER_WRITE || i === n - 1) {
        await fh.write(chunk.join('\n') + '\n');
        chunk = [];
      }
    }
  } finally {
    await fh.close();
  }
  const manifest = csvManifest(ds, labels);
  return manifest ? { rows: n, features: d, manifest } : { rows: n, features: d };
}

/** The shortest decimal text that parses back to the same float32 as `v`. */
export function float32Text(v: number): string {
  const target = Math.fround(v);
  if (Number.isInteger(target)) return String(target + 0); // + 0 turns -0 into 0
  for (let p = 1; p <= 9; p++) {
    const s = target.toPrecision(p);
    if (Math.fround(Number(s)) === target) return s.includes('e') ? s : trimZeros(s);
  }
  return String(target);
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** RFC 4180 quoting when a label holds a comma, a quote, a line break or edge spaces. */
function csvCell(s: string): string {
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The manifest needed for an exact read-back, by resolving the written labels as the loader would. */
function csvManifest(ds: Dataset, labels: string[]): Manifest | undefined {
  const m: Manifest = {};
  if (ds.inputShape.length !== 1) m.inputShape = [...ds.inputShape];
  let same = false;
  try {
    const back = resolveLabels(
      labels.map((value) => ({ value })),
      'csv',
      'label',
    );
    same =
      back.numClasses === ds.numClasses &&
      sameNames(back.classNames, ds.classNames, ds.numClasses) &&
      back.y.every((v, i) => v === ds.y[i]) &&
      new Set(ds.y).size >= 2;
  } catch {
    same = false; // e.g. names mixing numbers and words: the manifest names the classes
  }
  if (!same) {
    m.numClasses = ds.numClasses;
    if (ds.classNames) m.classNames = [...ds.classNames];
  }
  return Object.keys(m).length > 0 ? m : undefined;
}

/** Class names agree, an absent list standing for the indices "0".."n-1". */
function sameNames(a: string[] | undefined, b: string[] | undefined, n: number): boolean {
  const norm = (v: string[] | undefined): string[] => v ?? Array.from({ length: n }, (_, i) => String(i));
  const x = norm(a);
  const y = norm(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}
