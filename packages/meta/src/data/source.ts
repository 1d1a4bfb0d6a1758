/** Small file helpers shared by the loaders: located read errors and input-shape checks. */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { DataError } from './dataset.js';
import { sampleLength } from './dataset.js';

/** Reads a whole file, turning fs errors (missing file, directory...) into a DataError naming it. */
export async function readBytes(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const problem = code === 'ENOENT' ? 'missing file' : `cannot read (${code ?? (e as Error).message})`;
    throw new DataError(problem, { file });
  }
}

/** Reads a UTF-8 text file (see readBytes). */
export async function readText(file: string): Promise<string> {
  return (await readBytes(file)).toString('utf8');
}

/** Returns the bytes, gunzipped when they start with the gzip magic. */
export function maybeGunzip(buf: Buffer, file: string): Buffer {
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      return gunzipSync(buf);
    } catch (e) {
      throw new DataError(`corrupt gzip data: ${(e as Error).message}`, { file });
    }
  }
  return buf;
}

/**
 * Picks the inputShape: the declared one (ppfm.json) when given, which must have as many values as the
 * data's natural shape, else the natural shape.
 */
export function applyInputShape(declared: number[] | undefined, natural: number[], file: string): number[] {
  if (!declared) return natural;
  if (sampleLength(declared) !== sampleLength(natural)) {
    throw new DataError(
      `shape mismatch: ppfm.json inputShape [${declared.join(', ')}] has ${sampleLength(declared)} values, data has ${sampleLength(natural)} per sample`,
      { file, field: 'inputShape' },
    );
  }
  return [...declared];
}
