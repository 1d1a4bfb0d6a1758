// The anti-entropy messages of /ppfm/1/view/sync: bounds and refusals.
import assert from 'node:assert/strict';
import {
  decodeViewSync,
  decodeViewSyncRequest,
  directFrameBounds,
  encodeDirect,
  encodeViewSync,
  encodeViewSyncRequest,
  parseProtocol,
  PROTOCOL_VIEW_SYNC,
  stringifyProtocol,
} from '../src/index.js';
import * as pb from '../src/pb/messages.pb.js';

const ID = '12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf';
const ID2 = '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN';

describe('view sync messages', () => {
  it('round-trips a request and a reply with the per-kind codecs', () => {
    const have = [
      { peerId: ID, seq: 3 },
      { peerId: ID2, seq: 0xffffffff },
    ];
    assert.deepEqual(decodeViewSyncRequest(encodeViewSyncRequest({ have })), {
      ok: true,
      value: { kind: 'view_sync_request', have },
    });
    const reply = { signed: [{ message: new Uint8Array([9]), ageMs: 1500 }] };
    assert.deepEqual(decodeViewSync(encodeViewSync(reply)), {
      ok: true,
      value: { kind: 'view_sync', ...reply },
    });
  });

  it('refuses duplicate peers, bad ids and more entries than the limit, naming the field', () => {
    const dup = pb.DirectFrame.encode({
      version: 1,
      viewSyncRequest: {
        have: [
          { peerId: ID, seq: 1 },
          { peerId: ID, seq: 2 },
        ],
      },
    });
    const r = decodeViewSyncRequest(dup);
    assert.ok(!r.ok && r.error.code === 'bad_name' && r.error.field === 'have.peerId', JSON.stringify(r));
    const bad = pb.DirectFrame.encode({
      version: 1,
      viewSyncRequest: { have: [{ peerId: 'not an id!', seq: 1 }] },
    });
    const b = decodeViewSyncRequest(bad);
    assert.ok(!b.ok && b.error.field === 'have.peerId', JSON.stringify(b));
    const many = encodeViewSyncRequest({
      have: [
        { peerId: ID, seq: 1 },
        { peerId: ID2, seq: 1 },
      ],
    });
    const m = decodeViewSyncRequest(many, { maxViewEntries: 1 });
    assert.ok(!m.ok && m.error.code === 'too_large', JSON.stringify(m));
    assert.throws(() =>
      encodeDirect({
        kind: 'view_sync',
        signed: [{ message: new Uint8Array(), ageMs: 0 }],
      }),
    );
  });

  it('refuses a reply over the control-frame cap before decoding it', () => {
    const big = encodeViewSync({
      signed: [{ message: new Uint8Array(5000), ageMs: 0 }],
    });
    const r = decodeViewSync(big, { maxControlBytes: 4096 });
    assert.ok(!r.ok && r.error.code === 'too_large', JSON.stringify(r));
  });

  it('has a protocol id in the registry and frame bounds', () => {
    assert.equal(stringifyProtocol('view_sync'), PROTOCOL_VIEW_SYNC);
    assert.deepEqual(parseProtocol(PROTOCOL_VIEW_SYNC), { ok: true, value: 'view_sync' });
    const b = directFrameBounds('view_sync');
    const full = encodeViewSyncRequest({
      have: Array.from({ length: 1024 }, (_, i) => ({
        peerId: `${ID.slice(0, -4)}${String(i).padStart(4, 'A')}`,
        seq: 0xffffffff,
      })),
    });
    assert.ok(full.length <= b.request, `${full.length} > ${b.request}`);
  });
});
