// /ppfm/1/view/sync (anti-entropy): a neighbour sends the (peer, fingerprint seq) pairs it holds;
// we answer with the signed fingerprints it lacks or holds older (ours first), within a byte
// budget (it asks again for the rest). Read-only against the view; pure, tested without a network.
import { decodeViewSyncRequest, encodeError, encodeViewSync, type SignedFingerprint } from '@ppfm/protocol';

/** What the handler reads from the membership. */
export interface ViewSyncSource {
  self: string;
  /** Every view member (self included) with the seq of the fingerprint held. */
  entries(): readonly { id: string; seq: number }[];
  /** The signed fingerprint message held for `id` at that seq, and how long ago `id` was heard from. */
  signed(id: string): SignedFingerprint | undefined;
  /** The reply stops growing at about this many bytes. */
  budgetBytes: number;
}

/** The reply, how many fingerprints it carries, and whether the asker holds something we lack. */
export type ViewSyncServed =
  | { ok: true; reply: Uint8Array; sent: number; askerKnowsMore: boolean }
  | { ok: false; reply: Uint8Array; code: string; detail: string };

/** Answers one view sync request from `from`. */
export function handleViewSync(src: ViewSyncSource, body: Uint8Array): ViewSyncServed {
  const q = decodeViewSyncRequest(body);
  if (!q.ok)
    return {
      ok: false,
      code: q.error.code,
      detail: q.error.message,
      reply: encodeError({ code: 'rejected', message: `${q.error.code}: ${q.error.message}`.slice(0, 500) }),
    };
  const have = new Map(q.value.have.map((e) => [e.peerId, e.seq]));
  const mine = src.entries();
  const known = new Map(mine.map((e) => [e.id, e.seq]));
  let askerKnowsMore = false;
  for (const [id, seq] of have) {
    const k = known.get(id);
    if (k === undefined || seq > k) askerKnowsMore = true;
  }
  // Ours first: the asker surely wants the fingerprint of the peer it asks.
  const order = [...mine].sort((a, b) =>
    a.id === src.self ? -1 : b.id === src.self ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
  );
  const signed: SignedFingerprint[] = [];
  let bytes = 0;
  for (const e of order) {
    const theirs = have.get(e.id);
    if (theirs !== undefined && theirs >= e.seq) continue;
    const s = src.signed(e.id);
    if (s === undefined) continue;
    if (signed.length > 0 && bytes + s.message.byteLength > src.budgetBytes) break;
    signed.push(s);
    bytes += s.message.byteLength + 16;
  }
  return { ok: true, reply: encodeViewSync({ signed }), sent: signed.length, askerKnowsMore };
}
