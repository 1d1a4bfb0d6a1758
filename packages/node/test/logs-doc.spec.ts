// LOGS.md is the log schema users read: every event the peer can write must have its row there.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { KNOWN_EVENTS } from '../src/log/schema.js';

describe('LOGS.md', () => {
  it('documents every known event with a table row', async () => {
    const doc = await readFile(new URL('../../LOGS.md', import.meta.url), 'utf8');
    const rows = new Set([...doc.matchAll(/^\| `([a-z_]+)`/gm)].map((m) => m[1]));
    const missing = KNOWN_EVENTS.filter((e) => !rows.has(e));
    assert.deepEqual(missing, [], `events without a row in LOGS.md: ${missing.join(', ')}`);
    assert.ok(KNOWN_EVENTS.length >= 20, 'the schema lists the events');
  });
});
