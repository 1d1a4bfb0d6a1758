/** The in-memory dataset shape shared by loaders, partitioners and the learning code. */

/** A labelled dataset held in flat typed arrays. */
export interface Dataset {
  /** Human-readable name (task name from ppfm.json, builtin name, or folder/file name). */
  name: string;
  /** Shape of one sample, e.g. [28, 28, 1], [784] or [60]. */
  inputShape: number[];
  numClasses: number;
  classNames?: string[];
  /** N * prod(inputShape) values, row-major, sample after sample. */
  x: Float32Array;
  /** N labels in [0, numClasses). */
  y: Int32Array;
}

/** Number of values in one sample (product of inputShape). */
export function sampleLength(inputShape: readonly number[]): number {
  let n = 1;
  for (const d of inputShape) n *= d;
  return n;
}

/** Number of samples in a dataset. */
export function datasetSize(ds: Dataset): number {
  return ds.y.length;
}

/** Copies the samples at `indices` (in that order) into a new dataset with the same metadata. */
export function selectSamples(ds: Dataset, indices: ArrayLike<number>, name = ds.name): Dataset {
  const d = sampleLength(ds.inputShape);
  const x = new Float32Array(indices.length * d);
  const y = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i] as number;
    x.set(ds.x.subarray(j * d, (j + 1) * d), i * d);
    y[i] = ds.y[j] as number;
  }
  return withArrays(ds, name, x, y);
}

/** Concatenates datasets with identical inputShape and numClasses. */
export function concatDatasets(parts: Dataset[], name: string): Dataset {
  const first = parts[0];
  if (!first) throw new DataError('cannot concatenate zero datasets');
  let n = 0;
  for (const p of parts) n += p.y.length;
  const x = new Float32Array(n * sampleLength(first.inputShape));
  const y = new Int32Array(n);
  let off = 0;
  let yoff = 0;
  for (const p of parts) {
    x.set(p.x, off);
    y.set(p.y, yoff);
    off += p.x.length;
    yoff += p.y.length;
  }
  return withArrays(first, name, x, y);
}

function withArrays(ds: Dataset, name: string, x: Float32Array, y: Int32Array): Dataset {
  const out: Dataset = { name, inputShape: [...ds.inputShape], numClasses: ds.numClasses, x, y };
  if (ds.classNames) out.classNames = [...ds.classNames];
  return out;
}

/** Where a data problem was found. */
export interface DataErrorLocation {
  file?: string;
  /** 1-based line of a text file (CSV, JSON lines). */
  line?: number;
  /** 0-based record (sample) index, for binary files and image folders. */
  record?: number;
  /** Column or field name involved. */
  field?: string;
}

/**
 * Bad input data. The message always starts with the location (file, then line or record), then the
 * problem, e.g. `/data/train.csv line 7: ragged row: 3 fields, header has 5`.
 */
export class DataError extends Error {
  readonly file?: string;
  readonly line?: number;
  readonly record?: number;
  readonly field?: string;
  readonly problem: string;

  constructor(problem: string, where: DataErrorLocation = {}) {
    super(formatLocation(where) + problem);
    this.name = 'DataError';
    this.problem = problem;
    if (where.file !== undefined) this.file = where.file;
    if (where.line !== undefined) this.line = where.line;
    if (where.record !== undefined) this.record = where.record;
    if (where.field !== undefined) this.field = where.field;
  }
}

function formatLocation(w: DataErrorLocation): string {
  const parts: string[] = [];
  if (w.file !== undefined) parts.push(w.file);
  if (w.line !== undefined) parts.push(`line ${w.line}`);
  if (w.record !== undefined) parts.push(`record ${w.record}`);
  if (w.field !== undefined) parts.push(`field '${w.field}'`);
  return parts.length > 0 ? parts.join(' ') + ': ' : '';
}

/**
 * Checks the invariants every Dataset must hold (shape, finiteness, label range, non-empty) and throws a
 * DataError naming `file` and the first bad record.
 */
export function validateDataset(ds: Dataset, file?: string): Dataset {
  const where = file === undefined ? {} : { file };
  for (const d of ds.inputShape) {
    if (!Number.isInteger(d) || d <= 0) {
      throw new DataError(`bad inputShape [${ds.inputShape.join(', ')}]`, { ...where, field: 'inputShape' });
    }
  }
  if (!Number.isInteger(ds.numClasses) || ds.numClasses <= 0) {
    throw new DataError(`bad numClasses ${ds.numClasses}`, { ...where, field: 'numClasses' });
  }
  const n = ds.y.length;
  if (n === 0) throw new DataError('empty dataset: no samples', where);
  const d = sampleLength(ds.inputShape);
  if (ds.x.length !== n * d) {
    throw new DataError(
      `shape mismatch: ${ds.x.length} values for ${n} samples of shape [${ds.inputShape.join(', ')}] (expected ${n * d})`,
      where,
    );
  }
  for (let i = 0; i < ds.x.length; i++) {
    if (!Number.isFinite(ds.x[i] as number)) {
      throw new DataError(`non-finite value ${ds.x[i]} in x at offset ${i % d}`, {
        ...where,
        record: Math.floor(i / d),
      });
    }
  }
  for (let i = 0; i < n; i++) {
    const y = ds.y[i] as number;
    if (y < 0 || y >= ds.numClasses) {
      throw new DataError(`unknown label ${y}: expected 0..${ds.numClasses - 1}`, { ...where, record: i });
    }
  }
  return ds;
}
