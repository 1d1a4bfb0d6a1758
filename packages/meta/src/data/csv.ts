/** CSV loader: a header row, one label column (by name), every other column a numeric feature. */
import { basename } from 'node:path';
import { parse } from 'csv-parse/sync';
import { DataError, validateDataset, type Dataset } from './dataset.js';
import { resolveLabels, type RawLabel } from './labels.js';
import type { Manifest } from './manifest.js';
import { parseFeature } from './numbers.js';
import { applyInputShape, readText } from './source.js';

/** Features and raw labels read from a CSV body. */
interface CsvTable {
  header: string[];
  headerLine: number;
  x: Float32Array;
  labels: RawLabel[];
}

/** Loads a CSV file; `labelColumn` defaults to manifest.labelColumn, then `label`. */
export async function loadCsv(file: string, manifest: Manifest = {}, labelColumn?: string): Promise<Dataset> {
  let text = await readText(file, 'CSV');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const col = labelColumn ?? manifest.labelColumn ?? 'label';
  // Quote-free files (the usual numeric export) take a scanner that allocates no string per cell.
  const table = text.includes('"') ? parseQuoted(text, file, col) : scanPlain(text, file, col);
  const d = table.header.length - 1;
  const { y, numClasses, classNames } = resolveLabels(
    table.labels,
    file,
    col,
    manifest.classNames,
    manifest.numClasses,
  );
  const ds: Dataset = {
    name: manifest.task ?? basename(file).replace(/\.csv$/i, ''),
    inputShape: applyInputShape(manifest.inputShape, [d], file),
    numClasses,
    x: table.x,
    y,
  };
  if (classNames) ds.classNames = classNames;
  return validateDataset(ds, file);
}

/** Checks the header and returns the label column index. */
function checkHeader(header: string[] | undefined, line: number, file: string, col: string): number {
  if (!header) throw new DataError('empty dataset: no header and no rows', { file });
  const labelIdx = header.indexOf(col);
  if (labelIdx < 0) {
    throw new DataError(`no label column '${col}' in header [${shortList(header)}]`, {
      file,
      line,
      field: col,
    });
  }
  if (header.length < 2) throw new DataError('no feature columns besides the label', { file, line });
  return labelIdx;
}

/** Full RFC 4180 parsing (quotes, embedded newlines) through csv-parse, keeping each record's line. */
function parseQuoted(text: string, file: string, col: string): CsvTable {
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parse(text, {
      info: true,
      relax_column_count: true, // ragged rows are reported by us, with their line
      skip_empty_lines: true,
      trim: true,
    }) as typeof rows;
  } catch (e) {
    const err = e as Error & { lines?: number };
    const w: { file: string; line?: number } = { file };
    if (typeof err.lines === 'number') w.line = err.lines;
    throw new DataError(`malformed CSV: ${err.message}`, w);
  }
  const headerLine = rows[0]?.info.lines ?? 1;
  const header = rows[0]?.record;
  const labelIdx = checkHeader(header, headerLine, file, col);
  const width = (header as string[]).length;
  const n = rows.length - 1;
  if (n === 0) throw new DataError('empty dataset: header but no rows', { file });
  const x = new Float32Array(n * (width - 1));
  const labels: RawLabel[] = [];
  let k = 0;
  for (let r = 1; r <= n; r++) {
    const { record, info } = rows[r] as (typeof rows)[number];
    const line = info.lines;
    if (record.length !== width) {
      throw new DataError(`ragged row: ${record.length} fields, header has ${width}`, { file, line });
    }
    for (let c = 0; c < width; c++) {
      const cell = record[c] as string;
      if (c === labelIdx) {
        if (cell === '') throw new DataError('empty label', { file, line, field: col });
        labels.push({ value: cell, line });
      } else {
        const v = cell === '' ? NaN : Number(cell);
        x[k++] = Number.isFinite(v)
          ? v
          : parseFeature(cell, { file, line, field: (header as string[])[c] as string });
      }
    }
  }
  return { header: header as string[], headerLine, x, labels };
}

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * Scans a quote-free CSV line by line without splitting it into cell strings: plain decimals are
 * parsed from char codes (exactly, as Number() would); anything else falls back to Number() on the cell.
 */
function scanPlain(text: string, file: string, col: string): CsvTable {
  let pos = 0;
  let line = 0;
  let header: string[] | undefined;
  let headerLine = 0;
  let labelIdx = -1;
  let width = 0;
  let x = new Float32Array(1024);
  let k = 0;
  const labels: RawLabel[] = [];
  const len = text.length;
  while (pos < len) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = len;
    line++;
    let stop = end;
    if (stop > pos && text.charCodeAt(stop - 1) === 13) stop--; // \r\n
    const start = pos;
    pos = end + 1;
    if (isBlank(text, start, stop)) continue;
    if (!header) {
      header = text
        .slice(start, stop)
        .split(',')
        .map((h) => h.trim());
      headerLine = line;
      labelIdx = checkHeader(header, line, file, col);
      width = header.length;
      continue;
    }
    if (x.length < k + width) {
      const grown = new Float32Array(Math.max(x.length * 2, k + width));
      grown.set(x);
      x = grown;
    }
    let c = 0;
    let a = start;
    for (;;) {
      let b = text.indexOf(',', a);
      if (b < 0 || b > stop) b = stop;
      if (c >= width) {
        throw new DataError(`ragged row: ${countFields(text, start, stop)} fields, header has ${width}`, {
          file,
          line,
        });
      }
      if (c === labelIdx) {
        const cell = text.slice(a, b).trim();
        if (cell === '') throw new DataError('empty label', { file, line, field: col });
        labels.push({ value: cell, line });
      } else {
        let v = parseDecimal(text, a, b);
        if (Number.isNaN(v)) {
          const cell = text.slice(a, b);
          v = cell.trim() === '' ? NaN : Number(cell);
          if (!Number.isFinite(v)) v = parseFeature(cell, { file, line, field: header[c] as string });
        }
        x[k++] = v;
      }
      c++;
      if (b >= stop) break;
      a = b + 1;
    }
    if (c !== width) throw new DataError(`ragged row: ${c} fields, header has ${width}`, { file, line });
  }
  checkHeader(header, 1, file, col);
  if (labels.length === 0) throw new DataError('empty dataset: header but no rows', { file });
  return { header: header as string[], headerLine, x: x.slice(0, k), labels };
}

/** A header for a message: at most 12 names, each cut to 24 characters. */
function shortList(names: string[]): string {
  const cut = names.slice(0, 12).map((n) => (n.length > 24 ? `${n.slice(0, 24)}…` : n));
  return cut.join(', ') + (names.length > 12 ? `, … (${names.length} columns)` : '');
}

function isBlank(text: string, a: number, b: number): boolean {
  for (let i = a; i < b; i++) {
    const ch = text.charCodeAt(i);
    if (ch !== 32 && ch !== 9) return false;
  }
  return true;
}

function countFields(text: string, a: number, b: number): number {
  let n = 1;
  for (let i = a; i < b; i++) if (text.charCodeAt(i) === 44) n++;
  return n;
}

/** Parses `[-+]?digits[.digits]` exactly in [a, b); NaN when the cell is anything else. */
function parseDecimal(text: string, a: number, b: number): number {
  let i = a;
  let neg = false;
  const first = text.charCodeAt(i);
  if (first === 45 || first === 43) {
    neg = first === 45;
    i++;
  }
  let mant = 0;
  let digits = 0;
  let frac = 0;
  let ch = 0;
  while (i < b && (ch = text.charCodeAt(i)) >= 48 && ch <= 57) {
    mant = mant * 10 + (ch - 48);
    digits++;
    i++;
  }
  if (i < b && ch === 46) {
    i++;
    while (i < b && (ch = text.charCodeAt(i)) >= 48 && ch <= 57) {
      mant = mant * 10 + (ch - 48);
      digits++;
      frac++;
      i++;
    }
  }
  // Only exact cases: the whole cell consumed, mantissa below 2^53, power of ten exactly representable.
  if (i !== b || digits === 0 || digits > 15 || frac > 22) return NaN;
  const v = frac === 0 ? mant : mant / (POW10[frac] as number);
  return neg ? -v : v;
}
