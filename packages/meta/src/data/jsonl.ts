/** JSON-lines loader: one `{"x": [...], "y": <int or string>}` object per line; x may be nested. */
import { basename } from 'node:path';
import { DataError, validateDataset, type Dataset } from './dataset.js';
import { resolveLabels, type RawLabel } from './labels.js';
import type { Manifest } from './manifest.js';
import { checkFeature } from './numbers.js';
import { applyInputShape, readText } from './source.js';

/** Loads a JSON-lines file (blank lines are skipped). */
export async function loadJsonl(file: string, manifest: Manifest = {}): Promise<Dataset> {
  const text = await readText(file, 'JSON-lines file');
  const lines = text.split(/\r?\n/);
  let shape: number[] | undefined;
  let d = 0;
  const chunks: Float32Array[] = [];
  const labels: RawLabel[] = [];
  for (let i = 0; i < lines.length; i++) {
    const src = (lines[i] as string).trim();
    if (src === '') continue;
    const line = i + 1;
    let obj: unknown;
    try {
      obj = JSON.parse(src);
    } catch (e) {
      throw new DataError(`invalid JSON: ${(e as Error).message}`, { file, line });
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      throw new DataError('expected an object {"x": [...], "y": ...}', { file, line });
    }
    const { x, y } = obj as { x?: unknown; y?: unknown };
    if (!Array.isArray(x)) throw new DataError('x must be an array of numbers', { file, line, field: 'x' });
    if (shape === undefined) {
      shape = shapeOf(x);
      d = shape.reduce((a, b) => a * b, 1);
      if (d === 0) throw new DataError('x is empty', { file, line, field: 'x' });
    }
    const row = new Float32Array(d);
    const n = flatten(x, shape, 0, row, 0, { file, line, field: 'x' });
    if (n !== d)
      throw new DataError(`ragged row: x has ${n} values, expected ${d}`, { file, line, field: 'x' });
    chunks.push(row);
    // Non-integer numbers are judged over the whole column by resolveLabels (stray value or regression).
    if (typeof y === 'number' || (typeof y === 'string' && y !== '')) labels.push({ value: y, line });
    else
      throw new DataError(`y must be an integer or a class name, got ${JSON.stringify(y) ?? 'nothing'}`, {
        file,
        line,
        field: 'y',
      });
  }
  if (!shape || chunks.length === 0) throw new DataError('empty dataset: no records', { file });
  const x = new Float32Array(chunks.length * d);
  chunks.forEach((c, i) => x.set(c, i * d));
  const { y, numClasses, classNames } = resolveLabels(
    labels,
    file,
    'y',
    manifest.classNames,
    manifest.numClasses,
  );
  const ds: Dataset = {
    name: manifest.task ?? basename(file).replace(/\.(jsonl|ndjson|json)$/i, ''),
    inputShape: applyInputShape(manifest.inputShape, shape, file),
    numClasses,
    x,
    y,
  };
  if (classNames) ds.classNames = classNames;
  return validateDataset(ds, file);
}

function shapeOf(x: unknown[]): number[] {
  const shape: number[] = [];
  let cur: unknown = x;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0];
  }
  return shape;
}

/** Copies nested array `v` into `out` at `off`, checking it matches `shape`; returns values written. */
function flatten(
  v: unknown[],
  shape: number[],
  depth: number,
  out: Float32Array,
  off: number,
  where: { file: string; line: number; field: string },
): number {
  const last = depth === shape.length - 1;
  if (v.length !== shape[depth]) {
    throw new DataError(
      `ragged row: x${depth > 0 ? ` at depth ${depth}` : ''} has ${v.length} entries, expected ${shape[depth]} (shape [${shape.join(', ')}])`,
      where,
    );
  }
  let k = off;
  for (const e of v) {
    if (last) {
      if (Array.isArray(e)) throw new DataError(`ragged row: unexpected nested array in x`, where);
      if (k >= out.length) return k - off + 1;
      out[k++] = checkFeature(e, where);
    } else {
      if (!Array.isArray(e))
        throw new DataError(`ragged row: expected a nested array at depth ${depth + 1}`, where);
      k += flatten(e, shape, depth + 1, out, k, where);
    }
  }
  return k - off;
}
