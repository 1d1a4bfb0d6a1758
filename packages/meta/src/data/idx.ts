/** IDX loader (the MNIST file format): an images file plus a labels file, each gzipped or not. */
import { access } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DataError, validateDataset, type Dataset } from './dataset.js';
import { resolveLabels, type RawLabel } from './labels.js';
import type { Manifest } from './manifest.js';
import { applyInputShape, maybeGunzip, readBytes } from './source.js';

/** A decoded IDX array. */
export interface IdxArray {
  dims: number[];
  /** 0x08 ubyte, 0x09 byte, 0x0B short, 0x0C int, 0x0D float, 0x0E double. */
  type: number;
  values: Float32Array | Int32Array;
}

const ELEM_SIZE: Record<number, number> = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 };

/** Decodes IDX bytes (already gunzipped), checking the magic, the dims and the length. */
export function decodeIdx(buf: Buffer, file: string): IdxArray {
  if (buf.length < 4) throw new DataError(`truncated IDX header: ${buf.length} bytes`, { file });
  const type = buf[2] as number;
  const nd = buf[3] as number;
  const size = ELEM_SIZE[type];
  if (buf[0] !== 0 || buf[1] !== 0 || size === undefined || nd === 0) {
    throw new DataError(`bad IDX magic 0x${buf.readUInt32BE(0).toString(16).padStart(8, '0')}`, { file });
  }
  const header = 4 + 4 * nd;
  if (buf.length < header)
    throw new DataError(`truncated IDX header: ${buf.length} of ${header} bytes`, { file });
  const dims: number[] = [];
  for (let i = 0; i < nd; i++) dims.push(buf.readUInt32BE(4 + 4 * i));
  const perRecord = dims.slice(1).reduce((a, b) => a * b, 1);
  const count = dims[0] as number;
  const expected = header + count * perRecord * size;
  if (buf.length < expected) {
    const complete = Math.floor((buf.length - header) / (perRecord * size));
    throw new DataError(
      `truncated IDX data: ${buf.length - header} of ${expected - header} data bytes (${count} records of [${dims.slice(1).join(', ')}])`,
      { file, record: complete },
    );
  }
  if (buf.length > expected) {
    throw new DataError(`${buf.length - expected} unexpected bytes after the ${count} declared records`, {
      file,
    });
  }
  const total = count * perRecord;
  if (type === 0x08) return { dims, type, values: Int32Array.from(buf.subarray(header, header + total)) };
  const integer = type === 0x08 || type === 0x09 || type === 0x0b || type === 0x0c;
  const values = integer ? new Int32Array(total) : new Float32Array(total);
  const dv = new DataView(buf.buffer, buf.byteOffset + header, total * size);
  for (let i = 0; i < total; i++) {
    switch (type) {
      case 0x08:
        values[i] = dv.getUint8(i);
        break;
      case 0x09:
        values[i] = dv.getInt8(i);
        break;
      case 0x0b:
        values[i] = dv.getInt16(2 * i);
        break;
      case 0x0c:
        values[i] = dv.getInt32(4 * i);
        break;
      case 0x0d:
        values[i] = dv.getFloat32(4 * i);
        break;
      default:
        values[i] = dv.getFloat64(8 * i);
    }
  }
  return { dims, type, values };
}

const IMAGES = /images([-._])idx3/i;
const LABELS = /labels([-._])idx1/i;

/** True when a file name looks like an IDX images or labels file. */
export function isIdxName(name: string): boolean {
  return IMAGES.test(name) || LABELS.test(name) || /\.idx\d(-ubyte)?(\.gz)?$/i.test(name);
}

/** Given either file of an IDX pair, finds both (the other name swaps images-idx3 <-> labels-idx1, ±.gz). */
export async function findIdxPair(file: string): Promise<{ images: string; labels: string }> {
  const dir = dirname(file);
  const name = basename(file);
  const isLabels = LABELS.test(name);
  const other = isLabels ? name.replace(LABELS, 'images$1idx3') : name.replace(IMAGES, 'labels$1idx1');
  if (other === name) {
    throw new DataError('cannot tell the IDX labels file: name it like train-images-idx3-ubyte(.gz)', {
      file,
    });
  }
  const candidates = [other, other.endsWith('.gz') ? other.slice(0, -3) : `${other}.gz`].map((n) =>
    join(dir, n),
  );
  for (const c of candidates) {
    try {
      await access(c);
      return isLabels ? { images: c, labels: file } : { images: file, labels: c };
    } catch {
      // try the next candidate
    }
  }
  throw new DataError(`missing file: the IDX ${isLabels ? 'images' : 'labels'} file for ${name}`, {
    file: candidates[0] as string,
  });
}

/**
 * Loads an IDX pair. ubyte images are scaled to [0, 1] (divided by 255), other types are kept as is.
 * Images of dims [N, H, W] get inputShape [H, W, 1] (like the builtin mnist), [N, ...s] gets s.
 */
export async function loadIdx(
  imagesFile: string,
  labelsFile: string,
  manifest: Manifest = {},
): Promise<Dataset> {
  const img = decodeIdx(maybeGunzip(await readBytes(imagesFile), imagesFile), imagesFile);
  const lab = decodeIdx(maybeGunzip(await readBytes(labelsFile), labelsFile), labelsFile);
  const n = img.dims[0] as number;
  if (n === 0) throw new DataError('empty dataset: 0 images', { file: imagesFile });
  if (img.dims.length < 2)
    throw new DataError('IDX images need at least 2 dims [N, ...]', { file: imagesFile });
  if (lab.dims.length !== 1 || !(lab.values instanceof Int32Array)) {
    throw new DataError(`IDX labels must be a 1-D integer array, got dims [${lab.dims.join(', ')}]`, {
      file: labelsFile,
    });
  }
  if (lab.dims[0] !== n) {
    throw new DataError(`${lab.dims[0]} labels for ${n} images in ${imagesFile}`, { file: labelsFile });
  }
  const x = img.values instanceof Float32Array ? img.values : new Float32Array(img.values.length);
  if (img.values instanceof Int32Array) {
    const scale = img.type === 0x08 ? 1 / 255 : 1;
    for (let i = 0; i < x.length; i++) x[i] = (img.values[i] as number) * scale;
  }
  const rest = img.dims.slice(1);
  const natural = rest.length === 2 ? [...rest, 1] : rest;
  const raw: RawLabel[] = Array.from(lab.values, (v, record) => ({ value: v, record }));
  const neg = raw.find((r) => (r.value as number) < 0);
  if (neg)
    throw new DataError(`unknown label ${neg.value}: labels must be >= 0`, {
      file: labelsFile,
      record: neg.record as number,
    });
  const { y, numClasses, classNames } = resolveLabels(
    raw,
    labelsFile,
    'label',
    manifest.classNames,
    manifest.numClasses,
  );
  const ds: Dataset = {
    name: manifest.task ?? basename(imagesFile).replace(/[-._]?images.*$/i, ''),
    inputShape: applyInputShape(manifest.inputShape, natural, imagesFile),
    numClasses,
    x,
    y,
  };
  if (!ds.name) ds.name = 'idx';
  if (classNames) ds.classNames = classNames;
  return validateDataset(ds, imagesFile);
}
