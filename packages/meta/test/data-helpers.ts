/** Shared helpers of the data specs: temp folders and DataError assertions. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DataError } from '../src/data/index.js';

/** A temp folder removed after the suite. */
export function useTempDir(): {
  path: (...p: string[]) => string;
  write: (rel: string, data: string | Uint8Array) => Promise<string>;
} {
  let root = '';
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'ppfm-data-'));
  });
  after(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });
  const path = (...p: string[]): string => join(root, ...p);
  const write = async (rel: string, data: string | Uint8Array): Promise<string> => {
    const file = path(rel);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, data);
    return file;
  };
  return { path, write };
}

/** Awaits `p`, expecting a DataError whose message names `file` (and `line`/`record`) and matches `problem`. */
export async function expectDataError(
  p: Promise<unknown>,
  expected: { file: string; line?: number; record?: number; problem: RegExp },
): Promise<DataError> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof DataError, `expected a DataError, got ${String(err)}`);
  assert.equal(err.file, expected.file);
  assert.ok(err.message.includes(expected.file), `message names the file: ${err.message}`);
  if (expected.line !== undefined) {
    assert.equal(err.line, expected.line, err.message);
    assert.ok(err.message.includes(`line ${expected.line}`), `message names the line: ${err.message}`);
  }
  if (expected.record !== undefined) {
    assert.equal(err.record, expected.record, err.message);
    assert.ok(err.message.includes(`record ${expected.record}`), `message names the record: ${err.message}`);
  }
  assert.match(err.message, expected.problem);
  return err;
}
