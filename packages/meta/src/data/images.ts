/** Image-folder loader: one sub-folder per class holding PNG or JPEG files, all of the same size. */
import { readdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import jpeg from 'jpeg-js';
import pngjs from 'pngjs';
import { DataError, validateDataset, type Dataset } from './dataset.js';
import { resolveLabels } from './labels.js';
import type { Manifest } from './manifest.js';
import { describeFsError, readBytes } from './source.js';

const IMAGE_EXT = new Set(['.png', '.jpg', '.jpeg']);

/** True when the file name has a PNG or JPEG extension. */
export function isImageName(name: string): boolean {
  return IMAGE_EXT.has(extname(name).toLowerCase());
}

/** Decodes a PNG or JPEG file to 8-bit RGBA. */
export async function decodeImage(
  file: string,
): Promise<{ width: number; height: number; rgba: Uint8Array }> {
  const buf = await readBytes(file);
  const isPng = buf.length >= 8 && buf.readUInt32BE(0) === 0x89504e47;
  const isJpeg = buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff;
  try {
    if (isPng) {
      const png = pngjs.PNG.sync.read(buf);
      return { width: png.width, height: png.height, rgba: png.data };
    }
    if (isJpeg) {
      const img = jpeg.decode(buf, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 256 });
      return { width: img.width, height: img.height, rgba: img.data };
    }
  } catch (e) {
    throw new DataError(`cannot decode ${isPng ? 'PNG' : 'JPEG'}: ${(e as Error).message}`, { file });
  }
  throw new DataError('not a PNG or JPEG file (bad signature)', { file });
}

/**
 * Loads `dir/<class>/<image>`. Classes are ppfm.json's classNames (every sub-folder must be one of them)
 * or the sub-folder names under the label rules of labels.ts (integer names are indices, others sorted). Channels come from ppfm.json's inputShape ([H, W] or [H, W, 1]:
 * grayscale, luma 0.299R + 0.587G + 0.114B; [H, W, 3]: RGB); default grayscale [H, W, 1]. Values are in
 * [0, 1]; alpha is ignored. Samples are ordered by class, then file name.
 */
export async function loadImageFolder(dir: string, manifest: Manifest = {}): Promise<Dataset> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw new DataError(describeFsError(e), { file: dir });
  }
  const folders = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
  if (folders.length === 0) throw new DataError('empty dataset: no class sub-folders', { file: dir });
  const declaredNames = manifest.classNames;
  if (declaredNames) {
    for (const f of folders) {
      if (!declaredNames.includes(f)) {
        throw new DataError(`unknown label '${f}': not in classNames [${declaredNames.join(', ')}]`, {
          file: join(dir, f),
        });
      }
    }
  }
  // Folder names follow the label rules of every loader: "0".."9" are indices, names are sorted.
  const classes = resolveLabels(
    folders.map((f) => ({ value: f })),
    dir,
    'class folder',
    declaredNames,
    manifest.numClasses,
  );
  const shape = manifest.inputShape;
  if (shape && !(shape.length === 2 || (shape.length === 3 && (shape[2] === 1 || shape[2] === 3)))) {
    throw new DataError(
      `image inputShape must be [H, W], [H, W, 1] or [H, W, 3], got [${shape.join(', ')}]`,
      {
        file: join(dir, 'ppfm.json'),
        field: 'inputShape',
      },
    );
  }
  const channels = shape?.length === 3 ? (shape[2] as number) : 1;
  let h = shape?.[0];
  let w = shape?.[1];
  let sizeFrom = shape ? 'ppfm.json inputShape' : '';
  const rows: Float32Array[] = [];
  const labels: number[] = [];
  for (const [fi, folder] of folders.entries()) {
    let names: string[];
    try {
      names = await readdir(join(dir, folder));
    } catch (e) {
      throw new DataError(describeFsError(e), { file: join(dir, folder) });
    }
    const files = names.filter(isImageName).sort();
    for (const name of files) {
      const file = join(dir, folder, name);
      const img = await decodeImage(file);
      if (h === undefined || w === undefined) {
        h = img.height;
        w = img.width;
        sizeFrom = file;
      }
      if (img.height !== h || img.width !== w) {
        throw new DataError(
          `shape mismatch: image is ${img.width}x${img.height}, expected ${w}x${h} (from ${sizeFrom})`,
          {
            file,
          },
        );
      }
      rows.push(toPixels(img.rgba, h * w, channels));
      labels.push(classes.y[fi] as number);
    }
  }
  if (rows.length === 0 || h === undefined || w === undefined) {
    throw new DataError('empty dataset: no .png/.jpg/.jpeg files in the class folders', { file: dir });
  }
  const d = h * w * channels;
  const x = new Float32Array(rows.length * d);
  rows.forEach((r, i) => x.set(r, i * d));
  const ds: Dataset = {
    name: manifest.task ?? basename(dir),
    inputShape: shape?.length === 2 ? [h, w] : [h, w, channels],
    numClasses: classes.numClasses,
    x,
    y: Int32Array.from(labels),
  };
  if (classes.classNames) ds.classNames = classes.classNames;
  return validateDataset(ds, dir);
}

function toPixels(rgba: Uint8Array, pixels: number, channels: number): Float32Array {
  const out = new Float32Array(pixels * channels);
  for (let p = 0; p < pixels; p++) {
    const r = rgba[4 * p] as number;
    const g = rgba[4 * p + 1] as number;
    const b = rgba[4 * p + 2] as number;
    if (channels === 1) out[p] = (0.299 * r + 0.587 * g + 0.114 * b) / 255;
    else {
      out[3 * p] = r / 255;
      out[3 * p + 1] = g / 255;
      out[3 * p + 2] = b / 255;
    }
  }
  return out;
}
