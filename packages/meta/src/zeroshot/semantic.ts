/**
 * Semantic class tables: one vector per class, equal dims, L2-normalised. Sources: the committed tables of
 * the built-in datasets (packages/meta/data/semantic/<dataset>.json, both variants), a table written by
 * `ppfm classes embed`, or `classEmbeddings` in a dataset's ppfm.json. Loading one is cheap; the word
 * vectors they were built from are never loaded here.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { DataError } from '../data/dataset.js';
import { normalise, SEMANTIC_VARIANTS, type EmbeddedClass, type SemanticVariant } from './embed.js';

/** A class -> vector table. */
export interface SemanticTable {
  classNames: string[];
  /** One L2-normalised vector per class, in classNames order. */
  vectors: Float32Array[];
  dims: number;
  variant?: string;
  source?: string;
}

/** Built-in datasets with a committed table. */
export type SemanticDataset = 'mnist' | 'fashion-mnist';
export const SEMANTIC_DATASETS: readonly SemanticDataset[] = ['mnist', 'fashion-mnist'];

/** The folder of the committed tables (packages/meta/data/semantic). */
export const SEMANTIC_TABLE_DIR = fileURLToPath(new URL('../../../data/semantic/', import.meta.url));

/**
 * Validates `classEmbeddings` from a parsed JSON object (ppfm.json or a table file): either an array with
 * one vector per class (aligned with `classNames`, the object's own or the given ones) or an object
 * `{ "<class name>": [..] }` covering every class. Vectors must have equal dims, finite values and a
 * non-zero norm; the result is normalised.
 */
export function parseClassEmbeddings(raw: unknown, file: string, classNames?: string[]): SemanticTable {
  const field = 'classEmbeddings';
  const bad = (problem: string, f = field): DataError => new DataError(problem, { file, field: f });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad('expected a JSON object', '');
  const o = raw as Record<string, unknown>;
  let names = classNames;
  if (o.classNames !== undefined) {
    const c = o.classNames;
    if (!Array.isArray(c) || c.length === 0 || !c.every((v) => typeof v === 'string'))
      throw bad('must be a non-empty array of strings', 'classNames');
    if (names && (names.length !== c.length || names.some((n, i) => n !== c[i])))
      throw bad(`[${c.join(', ')}] differs from the dataset's [${names.join(', ')}]`, 'classNames');
    names = c as string[];
  }
  const emb = o[field];
  if (emb === undefined) throw bad('missing');
  let rows: unknown[];
  if (Array.isArray(emb)) {
    if (!names) throw bad('an array of vectors needs classNames (in the same object or the dataset)');
    if (emb.length !== names.length)
      throw bad(`${emb.length} vectors for ${names.length} classes: need one vector per class`);
    rows = emb;
  } else if (typeof emb === 'object' && emb !== null) {
    const map = emb as Record<string, unknown>;
    names ??= Object.keys(map);
    const known = new Set(names);
    const extra = Object.keys(map).find((k) => !known.has(k));
    if (extra !== undefined) throw bad(`vector for unknown class '${extra}'`);
    rows = names.map((n) => {
      if (!(n in map)) throw bad(`no vector for class '${n}': need one vector per class`);
      return map[n];
    });
  } else {
    throw bad('must be an array of vectors or an object {"<class>": [...]}');
  }
  if (new Set(names).size !== names.length) throw bad('must be free of duplicates', 'classNames');
  let dims = -1;
  const vectors = rows.map((r, i) => {
    const where = `vector ${i} ('${names![i]}')`;
    if (!Array.isArray(r) || r.length === 0) throw bad(`${where} must be a non-empty array of numbers`);
    if (dims < 0) dims = r.length;
    if (r.length !== dims)
      throw bad(`${where} has ${r.length} dims, vector 0 has ${dims}: dims must be equal`);
    const k = r.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
    if (k >= 0) throw bad(`${where} value ${k} is ${JSON.stringify(r[k])}, not a finite number`);
    const v = Float32Array.from(r as number[]);
    if (v.every((x) => x === 0)) throw bad(`${where} is all zeros`);
    return normalise(v);
  });
  const table: SemanticTable = { classNames: [...names], vectors, dims };
  if (typeof o.variant === 'string') table.variant = o.variant;
  if (typeof o.source === 'string') table.source = o.source;
  return table;
}

/** Reads a table from a JSON file (a `ppfm classes embed` output or a ppfm.json with classEmbeddings). */
export async function readSemanticTable(file: string, classNames?: string[]): Promise<SemanticTable> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DataError(code === 'ENOENT' ? 'missing file' : `invalid JSON: ${(e as Error).message}`, {
      file,
    });
  }
  return parseClassEmbeddings(raw, file, classNames);
}

/** The committed table of a built-in dataset, in the dataset's label order. */
export async function builtinSemanticTable(
  dataset: SemanticDataset,
  variant: SemanticVariant,
): Promise<SemanticTable> {
  const file = `${SEMANTIC_TABLE_DIR}${dataset}.json`;
  let raw: { classNames?: unknown; source?: unknown; variants?: Record<string, unknown> };
  try {
    raw = JSON.parse(await readFile(file, 'utf8')) as typeof raw;
  } catch (e) {
    throw new DataError(`cannot read the committed semantic table: ${(e as Error).message}`, { file });
  }
  const v = raw.variants?.[variant];
  if (v === undefined) throw new DataError(`no variant '${variant}'`, { file, field: 'variants' });
  const table = parseClassEmbeddings({ ...(v as object), classNames: raw.classNames }, file);
  table.variant = variant;
  if (typeof raw.source === 'string') table.source = raw.source;
  return table;
}

/** Reorders a table to a dataset's class names (by name); throws naming the first class it lacks. */
export function alignTable(table: SemanticTable, classNames: string[]): SemanticTable {
  const at = new Map(table.classNames.map((n, i) => [n, i]));
  const vectors = classNames.map((n) => {
    const i = at.get(n);
    if (i === undefined)
      throw new DataError(`the semantic table has no vector for class '${n}'`, { field: 'classEmbeddings' });
    return table.vectors[i]!;
  });
  return { ...table, classNames: [...classNames], vectors };
}

/** Cosine similarity of two normalised vectors. */
export function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k]! * b[k]!;
  return s;
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/** The JSON a table is written as (`ppfm classes embed --out`): it can be pasted into ppfm.json. */
export function semanticTableJson(
  classes: EmbeddedClass[],
  variant: SemanticVariant,
  source: string,
): Record<string, unknown> {
  if (!SEMANTIC_VARIANTS.includes(variant)) throw new Error(`unknown semantic variant '${variant}'`);
  return {
    version: 1,
    variant,
    source,
    dims: classes[0]?.vector.length ?? 0,
    classNames: classes.map((c) => c.name),
    classEmbeddings: classes.map((c) => Array.from(c.vector, round6)),
    notes: classes.map((c) => ({
      name: c.name,
      words: c.words,
      ...(c.wordnet ? { wordnet: c.wordnet } : {}),
    })),
  };
}
