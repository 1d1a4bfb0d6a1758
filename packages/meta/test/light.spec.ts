// @ppfm/meta/light must never load tfjs (the peer's main thread relies on it for its memory).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as full from '../src/index.js';
import * as light from '../src/light.js';

/** A module resolve hook that fails any import of a @tensorflow package, as a data: URL. */
const NO_TFJS = `data:text/javascript,${encodeURIComponent(
  'export async function resolve(s, c, next) { if (s.startsWith("@tensorflow/")) throw new Error("tfjs loaded: " + s); return next(s, c); }',
)}`;

/** Imports `target` in a fresh Node with tfjs forbidden; returns stderr ('' when it loaded). */
function importWithoutTfjs(target: string): string {
  const script = `import { register } from 'node:module'; register(${JSON.stringify(NO_TFJS)}); await import(${JSON.stringify(target)});`;
  try {
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { stdio: 'pipe', timeout: 30_000 });
    return '';
  } catch (err) {
    return String((err as { stderr?: Buffer }).stderr ?? err);
  }
}

describe('@ppfm/meta/light', () => {
  it('loads without tfjs', () => {
    assert.equal(importWithoutTfjs(new URL('../src/light.js', import.meta.url).href), '');
  });

  it('the hook does catch tfjs (the main entry loads it)', () => {
    assert.match(importWithoutTfjs(new URL('../src/index.js', import.meta.url).href), /tfjs loaded/);
  });

  it('exports the very same functions as the main entry', () => {
    for (const [name, value] of Object.entries(light)) {
      assert.ok(name in full, `${name} missing from the main entry`);
      assert.equal(value, (full as Record<string, unknown>)[name], name);
    }
  });
});
