/** Maps raw labels (class names or integer indices) to class indices, with located errors. */
import { DataError } from './dataset.js';

/** One raw label and where it was read. */
export interface RawLabel {
  value: string | number;
  line?: number;
  record?: number;
}

/** The resolved labels. */
export interface ResolvedLabels {
  y: Int32Array;
  numClasses: number;
  classNames?: string[];
}

const INDEX = /^\d+$/;

/**
 * Resolves labels. With `classNames`: a string label must be one of them (or an index string in range),
 * a numeric label is an index. Without: if every label is a non-negative integer they are indices
 * (numClasses = given or max + 1), else they are class names, sorted.
 */
export function resolveLabels(
  raw: RawLabel[],
  file: string,
  field: string,
  classNames?: string[],
  numClasses?: number,
): ResolvedLabels {
  const y = new Int32Array(raw.length);
  const where = (r: RawLabel): { file: string; field: string; line?: number; record?: number } => {
    const w: { file: string; field: string; line?: number; record?: number } = { file, field };
    if (r.line !== undefined) w.line = r.line;
    if (r.record !== undefined) w.record = r.record;
    return w;
  };
  if (classNames) {
    const byName = new Map(classNames.map((c, i) => [c, i]));
    raw.forEach((r, i) => {
      let idx: number | undefined;
      if (typeof r.value === 'number') idx = Number.isInteger(r.value) ? r.value : undefined;
      else idx = byName.get(r.value) ?? (INDEX.test(r.value) ? Number(r.value) : undefined);
      if (idx === undefined || idx < 0 || idx >= classNames.length) {
        throw new DataError(
          `unknown label ${JSON.stringify(r.value)}: not in classNames [${classNames.join(', ')}]`,
          where(r),
        );
      }
      y[i] = idx;
    });
    return { y, numClasses: classNames.length, classNames: [...classNames] };
  }
  const isIndex = (v: string | number): boolean =>
    typeof v === 'number' ? Number.isInteger(v) && v >= 0 : INDEX.test(v);
  if (raw.every((r) => isIndex(r.value))) {
    let max = -1;
    raw.forEach((r, i) => {
      const v = Number(r.value);
      if (numClasses !== undefined && v >= numClasses) {
        throw new DataError(`unknown label ${v}: expected 0..${numClasses - 1}`, where(r));
      }
      y[i] = v;
      if (v > max) max = v;
    });
    return { y, numClasses: numClasses ?? max + 1 };
  }
  for (const r of raw) {
    if (typeof r.value === 'number') {
      throw new DataError(
        `label ${r.value} mixes numbers with class names; quote it or list classNames`,
        where(r),
      );
    }
  }
  const names = [...new Set(raw.map((r) => r.value as string))].sort();
  if (numClasses !== undefined && names.length > numClasses) {
    throw new DataError(`${names.length} distinct labels but numClasses is ${numClasses}`, { file, field });
  }
  const byName = new Map(names.map((c, i) => [c, i]));
  raw.forEach((r, i) => (y[i] = byName.get(r.value as string) as number));
  return { y, numClasses: names.length, classNames: names };
}
