// The frame reader judges a frame from its first bytes and, once admitted, again as the body
// arrives: a refusal stops the read where it is and says how many bytes of the frame it took.
import assert from 'node:assert/strict';
import { readFrame, type Admission } from '../src/net/frame-reader.js';

const CHUNK = 1000;
const LENGTH = 10 * CHUNK;

/** A 2-byte length prefix (LENGTH < 2^14) then LENGTH bytes in chunks of CHUNK; counts the chunks pulled. */
function source(): { chunks: AsyncIterable<Uint8Array>; pulled: () => number } {
  let pulled = 0;
  const prefix = Uint8Array.of((LENGTH & 0x7f) | 0x80, LENGTH >> 7);
  return {
    pulled: () => pulled,
    chunks: (async function* () {
      pulled++;
      yield prefix;
      for (let i = 0; i < LENGTH / CHUNK; i++) {
        pulled++;
        yield new Uint8Array(CHUNK).fill(i);
      }
    })(),
  };
}

describe('frame reader: admission from the first bytes, and again while the body arrives', () => {
  it('a refusal at the header reads no further', async () => {
    const s = source();
    const r = await readFrame(s.chunks, 1 << 20, (prefix) =>
      prefix.length < 10
        ? { kind: 'more', bytes: 10 }
        : { kind: 'refuse', reason: 'stale_round', detail: 'x' },
    );
    assert.equal(r.kind, 'refused');
    assert.equal(r.kind === 'refused' ? r.bytesRead : -1, CHUNK);
    assert.equal(s.pulled(), 2);
  });

  it('a round that closes while the body arrives stops the read at that chunk', async () => {
    const s = source();
    let open = true;
    const judge = (): Admission =>
      open ? { kind: 'read' } : { kind: 'refuse', reason: 'not_head', detail: 'closed' };
    const r = await readFrame(s.chunks, 1 << 20, () => ({ kind: 'read', recheck: judge }));
    assert.equal(r.kind, 'frame', 'nothing closed: the whole frame');
    const s2 = source();
    const r2 = await readFrame(s2.chunks, 1 << 20, () => ({
      kind: 'read',
      recheck: () => {
        if (s2.pulled() === 4) open = false; // the round closes after 3 chunks of the body
        return judge();
      },
    }));
    assert.deepEqual(r2, { kind: 'refused', reason: 'not_head', detail: 'closed', bytesRead: 3 * CHUNK });
    assert.equal(s2.pulled(), 4);
  });
});
