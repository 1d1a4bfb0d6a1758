/** `ppfm.json`: the optional description of a dataset folder. */
import { readFile } from 'node:fs/promises';
import { DataError } from './dataset.js';
import { decodeText, describeFsError } from './source.js';

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
  /** Written by the partitioners: format version and the peer's true group (informational). */
  version?: number;
  group?: number;
  /** Zero-shot fields, checked by zeroshot/manifest.ts: unseen/seen classes and the class table. */
  zeroShot?: unknown;
  classEmbeddings?: unknown;
}

export const MANIFEST_FILE = 'ppfm.json';
const FORMATS: readonly DataFormat[] = ['csv', 'jsonl', 'idx', 'images', 'ppfm-bin'];

/** Every key ppfm.json may hold; any other key is an error (a misspelt key must not be ignored). */
export const MANIFEST_KEYS: readonly (keyof Manifest)[] = [
  'task',
  'inputShape',
  'classNames',
  'numClasses',
  'format',
  'labelColumn',
  'file',
  'count',
  'xFile',
  'yFile',
  'version',
  'group',
  'zeroShot',
  'classEmbeddings',
];

/** Reads and checks ppfm.json; returns undefined when the file does not exist. */
export async function readManifest(file: string): Promise<Manifest | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DataError(describeFsError(e), { file });
  }
  const text = decodeText(bytes, file, 'JSON file');
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
  for (const key of Object.keys(o)) {
    if ((MANIFEST_KEYS as readonly string[]).includes(key)) continue;
    const near = closestKey(key);
    const hint = near ? `did you mean "${near}"?` : `known keys: ${MANIFEST_KEYS.join(', ')}`;
    throw new DataError(`unknown key ${JSON.stringify(key)} (${hint})`, { file, field: key });
  }
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
  const posInt = (k: 'numClasses' | 'count' | 'version'): void => {
    if (o[k] === undefined) return;
    if (!Number.isInteger(o[k]) || (o[k] as number) <= 0) bad(k, 'a positive integer');
    m[k] = o[k] as number;
  };
  posInt('numClasses');
  posInt('count');
  posInt('version');
  if (o.group !== undefined) {
    if (!Number.isInteger(o.group) || (o.group as number) < 0) bad('group', 'a non-negative integer');
    m.group = o.group as number;
  }
  if (m.classNames && m.numClasses !== undefined && m.classNames.length !== m.numClasses) {
    bad('numClasses', `equal to classNames.length (${m.classNames.length})`);
  }
  if (o.format !== undefined) {
    if (!FORMATS.includes(o.format as DataFormat)) bad('format', FORMATS.join(' | '));
    m.format = o.format as DataFormat;
  }
  return m;
}

/** The known key closest to `key` (case-insensitive edit distance at most 1 + a third of its length). */
function closestKey(key: string): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of MANIFEST_KEYS) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return bestD <= 1 + Math.floor(key.length / 3) ? best : undefined;
}

/** Levenshtein distance (two rows). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const sub = (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur.push(Math.min(sub, (prev[j] as number) + 1, (cur[j - 1] as number) + 1));
    }
    prev = cur;
  }
  return prev[b.length] as number;
}
