/**
 * `ppfm-bin`: the compact folder format written by writePartition and read back by loadDataset.
 * ppfm.json `{"format": "ppfm-bin", "version": 1, "task", "inputShape", "numClasses", "classNames"?,
 * "count", "xFile": "x.f32", "yFile": "y.i32"}`; x.f32 holds count * prod(inputShape) float32 and y.i32
 * count int32, both little-endian, row-major, no header.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { DataError, sampleLength, validateDataset, type Dataset } from './dataset.js';
import { MANIFEST_FILE, type Manifest } from './manifest.js';
import { readBytes } from './source.js';

const LE = endianness() === 'LE';
export const BIN_X_FILE = 'x.f32';
export const BIN_Y_FILE = 'y.i32';

/** Writes `ds` as a ppfm-bin folder (data files first, ppfm.json last so a half-written folder does not load). */
export async function writeBinDataset(
  dir: string,
  ds: Dataset,
  extra: Record<string, unknown> = {},
): Promise<void> {
  validateDataset(ds);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, BIN_X_FILE), toLE(ds.x));
  await writeFile(join(dir, BIN_Y_FILE), toLE(ds.y));
  const manifest: Record<string, unknown> = {
    format: 'ppfm-bin',
    version: 1,
    task: ds.name,
    inputShape: ds.inputShape,
    numClasses: ds.numClasses,
    ...(ds.classNames ? { classNames: ds.classNames } : {}),
    count: ds.y.length,
    xFile: BIN_X_FILE,
    yFile: BIN_Y_FILE,
    ...extra,
  };
  // One key per line, arrays inline: readable and diff-friendly.
  const body = Object.entries(manifest).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  await writeFile(join(dir, MANIFEST_FILE), `{\n${body.join(',\n')}\n}\n`);
}

/** Reads a ppfm-bin folder described by its (already checked) manifest. */
export async function loadBinDataset(dir: string, m: Manifest): Promise<Dataset> {
  const mf = join(dir, MANIFEST_FILE);
  if (!m.inputShape) throw new DataError('ppfm-bin needs inputShape', { file: mf, field: 'inputShape' });
  if (m.count === undefined) throw new DataError('ppfm-bin needs count', { file: mf, field: 'count' });
  const numClasses = m.numClasses ?? m.classNames?.length;
  if (numClasses === undefined)
    throw new DataError('ppfm-bin needs numClasses or classNames', { file: mf, field: 'numClasses' });
  const d = sampleLength(m.inputShape);
  const xFile = join(dir, m.xFile ?? BIN_X_FILE);
  const yFile = join(dir, m.yFile ?? BIN_Y_FILE);
  const [xb, yb] = await Promise.all([readBytes(xFile), readBytes(yFile)]);
  checkLength(xb, m.count, d * 4, xFile);
  checkLength(yb, m.count, 4, yFile);
  const ds: Dataset = {
    name: m.task ?? 'dataset',
    inputShape: [...m.inputShape],
    numClasses,
    x: fromLE(xb, 'f32'),
    y: fromLE(yb, 'i32'),
  };
  if (m.classNames) ds.classNames = [...m.classNames];
  // Labels and finiteness are re-checked: the files may have been edited or corrupted since writing.
  return validateDataset(ds, xFile);
}

function checkLength(buf: Buffer, count: number, recordBytes: number, file: string): void {
  const expected = count * recordBytes;
  if (buf.length < expected) {
    throw new DataError(`truncated: ${buf.length} of ${expected} bytes (${count} records)`, {
      file,
      record: Math.floor(buf.length / recordBytes),
    });
  }
  if (buf.length > expected) {
    throw new DataError(`${buf.length - expected} unexpected bytes after the ${count} declared records`, {
      file,
    });
  }
}

function toLE(a: Float32Array | Int32Array): Uint8Array {
  if (LE) return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const out = Buffer.alloc(a.byteLength);
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let i = 0; i < a.length; i++) {
    if (a instanceof Float32Array) dv.setFloat32(4 * i, a[i] as number, true);
    else dv.setInt32(4 * i, a[i] as number, true);
  }
  return out;
}

function fromLE(buf: Buffer, kind: 'f32'): Float32Array;
function fromLE(buf: Buffer, kind: 'i32'): Int32Array;
function fromLE(buf: Buffer, kind: 'f32' | 'i32'): Float32Array | Int32Array {
  const n = buf.length / 4;
  if (LE) {
    // Copy into a fresh, aligned ArrayBuffer (Buffer's may be pooled or unaligned).
    const ab = new ArrayBuffer(buf.length);
    new Uint8Array(ab).set(buf);
    return kind === 'f32' ? new Float32Array(ab) : new Int32Array(ab);
  }
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (kind === 'f32') return Float32Array.from({ length: n }, (_, i) => dv.getFloat32(4 * i, true));
  return Int32Array.from({ length: n }, (_, i) => dv.getInt32(4 * i, true));
}
