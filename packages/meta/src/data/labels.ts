/**
 * Maps raw labels to class indices, with located errors. The rules, for one label column:
 * 1. ppfm.json `classNames` given: they fix the classes and their order. A label is a class name; a
 *    numeric label also matches the name of the same value (`1.0` matches "1"); when no name is numeric,
 *    an integer label is an index into classNames.
 * 2. Every label a number (a JSON number or decimal text; `1.0` is the integer 1):
 *    - integers >= 0 are the class indices themselves: classes 0..max (numClasses = max + 1, or
 *      ppfm.json's numClasses). Not remapped to the sorted distinct values, because every peer must read
 *      the same class from the same integer without talking to the others, even a peer lacking a class;
 *      unused indices just stay empty (1-based labels 1..3 give 4 classes, class 0 empty).
 *    - negative integers, or sparse ones (max >= 256 with fewer than half of 0..max present, e.g. years),
 *      are class names sorted numerically ("-1", "1").
 *    - any non-integer is refused: many distinct ones look like a regression target.
 * 3. Otherwise every label is a class name; names are sorted (JavaScript string order). A column mixing
 *    numbers and names is refused (a stray value would otherwise shift every class).
 */
import { DataError, type DataErrorLocation } from './dataset.js';

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

/** Integer labels up to this bound are always indices; above it they must be dense (see rule 2). */
export const DENSE_INDEX_LIMIT = 256;
/** From this many distinct non-integer values a numeric label column is called a regression target. */
export const REGRESSION_DISTINCT = 10;

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** The numeric value of a label (JSON number or decimal text), or undefined for a class name. */
export function labelNumber(v: string | number): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  const t = v.trim();
  if (!DECIMAL.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** Quotes a label for a message, cut to 40 characters. */
function show(v: string | number): string {
  if (typeof v === 'number') return String(v);
  return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
}

/** Resolves labels by the rules above. `field` is the label column (CSV) or key (JSON lines). */
export function resolveLabels(
  raw: RawLabel[],
  file: string,
  field: string,
  classNames?: string[],
  numClasses?: number,
): ResolvedLabels {
  const where = (r: RawLabel): DataErrorLocation => {
    const w: DataErrorLocation = { file, field };
    if (r.line !== undefined) w.line = r.line;
    if (r.record !== undefined) w.record = r.record;
    return w;
  };
  if (classNames) return byClassNames(raw, classNames, where);
  const nums = raw.map((r) => labelNumber(r.value));
  const firstName = raw.findIndex((_, i) => nums[i] === undefined);
  if (firstName < 0) return numericLabels(raw, nums as number[], numClasses, where, file, field);
  const firstNum = nums.findIndex((v) => v !== undefined);
  if (firstNum >= 0) {
    // Blame the minority: a stray number among names, or a stray name among numbers.
    const numbers = nums.filter((v) => v !== undefined).length;
    const odd = raw[numbers * 2 < raw.length ? firstNum : firstName] as RawLabel;
    throw new DataError(
      `label ${show(odd.value)} mixes numbers and class names in one column (${numbers} of ${raw.length} labels are numbers); list every class in ppfm.json "classNames"`,
      where(odd),
    );
  }
  const names = [...new Set(raw.map((r) => String(r.value)))].sort();
  if (numClasses !== undefined && names.length > numClasses) {
    throw new DataError(`${names.length} distinct labels but numClasses is ${numClasses}`, { file, field });
  }
  const index = new Map(names.map((c, i) => [c, i]));
  const y = Int32Array.from(raw, (r) => index.get(String(r.value)) as number);
  return { y, numClasses: names.length, classNames: names };
}

function byClassNames(
  raw: RawLabel[],
  classNames: string[],
  where: (r: RawLabel) => DataErrorLocation,
): ResolvedLabels {
  const byName = new Map(classNames.map((c, i) => [c, i]));
  const byValue = new Map<number, number>();
  classNames.forEach((c, i) => {
    const v = labelNumber(c);
    if (v !== undefined && !byValue.has(v)) byValue.set(v, i);
  });
  const y = new Int32Array(raw.length);
  raw.forEach((r, i) => {
    let idx = byName.get(String(r.value));
    const v = idx === undefined ? labelNumber(r.value) : undefined;
    if (v !== undefined) {
      if (byValue.size > 0) idx = byValue.get(v);
      else if (Number.isInteger(v) && v >= 0 && v < classNames.length) idx = v;
    }
    if (idx === undefined) {
      throw new DataError(
        `unknown label ${show(r.value)}: not in classNames [${classNames.join(', ')}]`,
        where(r),
      );
    }
    y[i] = idx;
  });
  return { y, numClasses: classNames.length, classNames: [...classNames] };
}

function numericLabels(
  raw: RawLabel[],
  nums: number[],
  numClasses: number | undefined,
  where: (r: RawLabel) => DataErrorLocation,
  file: string,
  field: string,
): ResolvedLabels {
  const fractional = new Set<number>();
  let firstFrac = -1;
  nums.forEach((v, i) => {
    if (Number.isInteger(v)) return;
    fractional.add(v);
    if (firstFrac < 0) firstFrac = i;
  });
  if (firstFrac >= 0) {
    const r = raw[firstFrac] as RawLabel;
    if (fractional.size >= REGRESSION_DISTINCT) {
      const at =
        r.line !== undefined ? ` at line ${r.line}` : r.record !== undefined ? ` at record ${r.record}` : '';
      throw new DataError(
        `label column "${field}" has ${fractional.size} distinct non-integer values (e.g. ${show(r.value)}${at}): looks like a regression target; PPFM trains classifiers`,
        { file, field },
      );
    }
    throw new DataError(
      `label ${show(r.value)} is not an integer class index (list the classes in ppfm.json "classNames" to use it as a class name)`,
      where(r),
    );
  }
  let min = Infinity;
  let max = -Infinity;
  for (const v of nums) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const distinct = new Set(nums);
  const asIndex =
    numClasses !== undefined || (min >= 0 && (max < DENSE_INDEX_LIMIT || 2 * distinct.size > max));
  if (asIndex) {
    const y = new Int32Array(raw.length);
    nums.forEach((v, i) => {
      if (v < 0 || (numClasses !== undefined && v >= numClasses)) {
        const range = numClasses !== undefined ? `0..${numClasses - 1}` : '>= 0';
        throw new DataError(`unknown label ${v}: expected ${range}`, where(raw[i] as RawLabel));
      }
      y[i] = v;
    });
    return { y, numClasses: numClasses ?? max + 1 };
  }
  const values = [...distinct].sort((a, b) => a - b);
  const index = new Map(values.map((v, i) => [v, i]));
  return {
    y: Int32Array.from(nums, (v) => index.get(v) as number),
    numClasses: values.length,
    classNames: values.map(String),
  };
}
