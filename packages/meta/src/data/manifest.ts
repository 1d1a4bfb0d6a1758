/** `ppfm.json`: the optional description of a dataset folder. */
import { readFile } from 'node:fs/promises';
import { DataError } from './dataset.js';

/** Formats a dataset folder can hold. */
export type DataFormat = 'csv' | 'jsonl' | 'idx' | 'images' | 'ppfm-bin';

/** Contents of ppfm.json. Every field is optional except for `ppfm-bin` folders (see bin.ts). */
export interface Manifest {
  task?: string;
  inputShape?: number[];
  classNames?: string[];
  numClasses?: number;
  format?: DataFormat;
  labelColumn?: string;
  /** Data file inside the folder (csv, jsonl, or the images file of an IDX pair). */
  file?: string;
  /** ppfm-bin: number of samples and the two binary files. */
  count?: number;
  xFile?: string;
  yFile?: string;
}

export const MANIFEST_FILE = 'ppfm.json';
const FORMATS: readonly DataFormat[] = ['csv', 'jsonl', 'idx', 'images', 'ppfm-bin'];

/** Reads and checks ppfm.json; returns undefined when the file does not exist. */
export async function readManifest(file: string): Promise<Manifest | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DataError(`cannot read: ${(e as Error).message}`, { file });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new DataError(`invalid JSON: ${(e as Error).message}`, { file });
  }
  return checkManifest(raw, file);
}

/** Validates a parsed ppfm.json object field by field. */
export function checkManifest(raw: unknown, file: string): Manifest {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new DataError('ppfm.json must hold a JSON object', { file });
  }
  const o = raw as Record<string, unknown>;
  const bad = (field: string, what: string): never => {
    throw new DataError(`${field} must be ${what}, got ${JSON.stringify(o[field])}`, { file, field });
  };
  const m: Manifest = {};
  const str = (k: 'task' | 'labelColumn' | 'file' | 'xFile' | 'yFile'): void => {
    if (o[k] === undefined) return;
    if (typeof o[k] !== 'string' || o[k] === '') bad(k, 'a non-empty string');
    m[k] = o[k] as string;
  };
  str('task');
  str('labelColumn');
  str('file');
  str('xFile');
  str('yFile');
  if (o.inputShape !== undefined) {
    const s = o.inputShape;
    if (!Array.isArray(s) || s.length === 0 || !s.every((d) => Number.isInteger(d) && (d as number) > 0)) {
      bad('inputShape', 'a non-empty array of positive integers');
    }
    m.inputShape = [...(s as number[])];
  }
  if (o.classNames !== undefined) {
    const c = o.classNames;
    if (!Array.isArray(c) || c.length === 0 || !c.every((v) => typeof v === 'string')) {
      bad('classNames', 'a non-empty array of strings');
    }
    if (new Set(c as string[]).size !== (c as string[]).length) bad('classNames', 'free of duplicates');
    m.classNames = [...(c as string[])];
  }
  const posInt = (k: 'numClasses' | 'count'): void => {
    if (o[k] === undefined) return;
    if (!Number.isInteger(o[k]) || (o[k] as number) <= 0) bad(k, 'a positive integer');
    m[k] = o[k] as number;
  };
  posInt('numClasses');
  posInt('count');
  if (m.classNames && m.numClasses !== undefined && m.classNames.length !== m.numClasses) {
    bad('numClasses', `equal to classNames.length (${m.classNames.length})`);
  }
  if (o.format !== undefined) {
    if (!FORMATS.includes(o.format as DataFormat)) bad('format', FORMATS.join(' | '));
    m.format = o.format as DataFormat;
  }
  return m;
}
