/** Small file helpers shared by the loaders: located read errors and input-shape checks. */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { DataError, sampleLength } from './dataset.js';

/**
 * One short phrase for a file-system error, by its code: a symlink loop says so, an unreadable file or
 * folder says "permission denied", never a misleading "missing file".
 */
export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'missing file';
    case 'ELOOP':
      return 'symbolic link loop (ELOOP): a link points back to itself';
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code})`;
    case 'ENOTDIR':
      return 'a part of the path is not a folder (ENOTDIR)';
    case 'EISDIR':
      return 'is a folder, expected a file (EISDIR)';
    case 'ENAMETOOLONG':
      return 'path too long (ENAMETOOLONG)';
    default:
      return `cannot read (${code ?? (err instanceof Error ? err.message : String(err))})`;
  }
}

/** Reads a whole file, turning fs errors (missing file, symlink loop, permission...) into a DataError naming it. */
export async function readBytes(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (e) {
    throw new DataError(describeFsError(e), { file });
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes bytes that must be UTF-8 text; binary data (control bytes, invalid UTF-8, gzip) is a DataError
 * giving the offset of the first bad byte, never the bytes themselves. `what` names the format.
 */
export function decodeText(buf: Uint8Array, file: string, what: string): string {
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    throw new DataError(`not a text ${what} (binary bytes at offset 0: gzip data, gunzip it first)`, {
      file,
    });
  }
  const bad = firstControlByte(buf);
  if (bad >= 0) throw new DataError(`not a text ${what} (binary bytes at offset ${bad})`, { file });
  try {
    return UTF8.decode(buf);
  } catch {
    throw new DataError(
      `not a text ${what} (invalid UTF-8 at offset ${firstInvalidUtf8(buf)}; save it as UTF-8)`,
      {
        file,
      },
    );
  }
}

/** Reads a UTF-8 text file (see readBytes and decodeText). */
export async function readText(file: string, what = 'file'): Promise<string> {
  return decodeText(await readBytes(file), file, what);
}

/** Offset of the first byte below 0x20 other than tab, LF, CR and form feed (or DEL), else -1. */
function firstControlByte(buf: Uint8Array): number {
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i] as number;
    if ((b < 0x20 && b !== 9 && b !== 10 && b !== 13 && b !== 12) || b === 0x7f) return i;
  }
  return -1;
}

/** Offset of the first byte that breaks UTF-8 (only called once TextDecoder has refused the bytes). */
function firstInvalidUtf8(buf: Uint8Array): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i] as number;
    const len =
      b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (len === 0 || i + len > buf.length) return i;
    for (let k = 1; k < len; k++) if (((buf[i + k] as number) & 0xc0) !== 0x80) return i;
    i += len;
  }
  return buf.length;
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
