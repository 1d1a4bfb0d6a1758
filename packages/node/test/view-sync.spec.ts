// Anti-entropy pieces without a network: signed relays of fingerprints and the sync handler.
import assert from 'node:assert/strict';
import { RPC } from '@chainsafe/libp2p-gossipsub/message';
import { generateKeyPair, publicKeyFromProtobuf } from '@libp2p/crypto/keys';
import type { Message, PrivateKey } from '@libp2p/interface';
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id';
import {
  decodeError,
  decodeViewSync,
  encodeViewSyncRequest,
  TOPIC_FINGERPRINTS,
  type SignedFingerprint,
} from '@ppfm/protocol';
import { handleViewSync, type ViewSyncSource } from '../src/handlers/view-sync.js';
import { encodeSignedGossip, signGossip, verifySignedGossip } from '../src/net/signed-gossip.js';

async function author(): Promise<{ id: string; sign: (d: Uint8Array) => Promise<Uint8Array> }> {
  const key = (await generateKeyPair('Ed25519')) as unknown as PrivateKey;
  const pid = peerIdFromPrivateKey(key);
  return { id: pid.toString(), sign: (d) => signGossip(key, pid, TOPIC_FINGERPRINTS, d) };
}

describe('signed gossip relays', () => {
  it("verifies a fingerprint relayed in its author's signed form, and names the author", async () => {
    const a = await author();
    const data = new TextEncoder().encode('fingerprint of a');
    const v = await verifySignedGossip(await a.sign(data));
    assert.ok(v.ok, JSON.stringify(v));
    assert.equal(v.value.from, a.id);
    assert.equal(v.value.topic, TOPIC_FINGERPRINTS);
    assert.deepEqual(v.value.data, data);
  });

  it('re-encodes a message as gossipsub delivered it (encodeSignedGossip) and it still verifies', async () => {
    const a = await author();
    const raw = RPC.Message.decode(await a.sign(new Uint8Array([1, 2, 3])));
    const msg = {
      type: 'signed',
      from: peerIdFromString(a.id),
      data: raw.data as Uint8Array,
      sequenceNumber: new DataView(
        (raw.seqno as Uint8Array).buffer,
        (raw.seqno as Uint8Array).byteOffset,
      ).getBigUint64(0),
      topic: raw.topic,
      signature: raw.signature as Uint8Array,
      key: publicKeyFromProtobuf(raw.key as Uint8Array),
    } as unknown as Message;
    const bytes = encodeSignedGossip(msg);
    assert.ok(bytes !== undefined);
    const v = await verifySignedGossip(bytes);
    assert.ok(v.ok && v.value.from === a.id, JSON.stringify(v));
    assert.equal(encodeSignedGossip({ type: 'unsigned', data: new Uint8Array(), topic: 't' }), undefined);
  });

  it('refuses an altered payload, a changed author, a missing signature and garbage', async () => {
    const a = await author();
    const b = await author();
    const raw = RPC.Message.decode(await a.sign(new Uint8Array([1, 2, 3])));
    const altered = RPC.Message.encode({ ...raw, data: new Uint8Array([1, 2, 4]) });
    assert.deepEqual(await verifySignedGossip(altered), { ok: false, error: 'bad_signature' });
    const otherFrom = RPC.Message.decode(await b.sign(new Uint8Array([1])));
    const stolen = RPC.Message.encode({ ...raw, from: otherFrom.from });
    const s = await verifySignedGossip(stolen);
    assert.ok(!s.ok && (s.error === 'bad_author' || s.error === 'bad_signature'), JSON.stringify(s));
    const keyless = RPC.Message.encode({ ...raw, from: otherFrom.from, key: undefined });
    assert.deepEqual(await verifySignedGossip(keyless), { ok: false, error: 'bad_signature' });
    const unsigned = RPC.Message.encode({ ...raw, signature: undefined });
    assert.deepEqual(await verifySignedGossip(unsigned), { ok: false, error: 'unsigned' });
    assert.deepEqual(await verifySignedGossip(new Uint8Array([0xff, 0xff, 0xff])), {
      ok: false,
      error: 'malformed',
    });
  });
});

describe('/ppfm/1/view/sync handler', () => {
  const held = new Map<string, { seq: number; s: SignedFingerprint }>();
  const fp = (n: number): SignedFingerprint => ({ message: new Uint8Array(1000).fill(n), ageMs: n * 10 });
  const src = (budgetBytes = 10_000): ViewSyncSource => ({
    self: 'S',
    entries: () => [...held].map(([id, e]) => ({ id, seq: e.seq })),
    signed: (id) => held.get(id)?.s,
    budgetBytes,
  });
  const IDS = ['12D3KooWA', '12D3KooWB', '12D3KooWC'];
  before(() => {
    held.set('S', { seq: 1, s: fp(1) });
    IDS.forEach((id, i) => held.set(id, { seq: 2, s: fp(i + 2) }));
  });

  it('sends what the asker lacks or holds older, its own first, and says when the asker knows more', () => {
    const r = handleViewSync(
      src(),
      encodeViewSyncRequest({
        have: [
          { peerId: IDS[0] as string, seq: 2 },
          { peerId: IDS[1] as string, seq: 1 },
          { peerId: '12D3KooWZ', seq: 1 },
        ],
      }),
    );
    assert.ok(r.ok);
    const d = decodeViewSync(r.reply);
    assert.ok(d.ok);
    assert.deepEqual(
      d.value.signed.map((s) => s.message[0]),
      [1, 3, 4],
      'own (1), B held older (3), C missing (4); A is current at the asker',
    );
    assert.equal(r.askerKnowsMore, true, 'the asker holds Z, which we lack');
    const same = handleViewSync(
      src(),
      encodeViewSyncRequest({ have: [...held].map(([peerId, e]) => ({ peerId, seq: e.seq })) }),
    );
    assert.ok(same.ok && same.sent === 0 && !same.askerKnowsMore);
  });

  it('stops at the byte budget (the asker comes back for the rest)', () => {
    const r = handleViewSync(src(2500), encodeViewSyncRequest({ have: [] }));
    assert.ok(r.ok && r.sent === 2, JSON.stringify(r.ok && r.sent));
  });

  it('answers a malformed request with an error naming the problem', () => {
    const r = handleViewSync(src(), new Uint8Array([1, 2, 3, 4]));
    assert.ok(!r.ok);
    const e = decodeError(r.reply);
    assert.ok(e.ok && e.value.message.startsWith(r.code), JSON.stringify(e));
  });
});
