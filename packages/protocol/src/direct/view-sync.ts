// Anti-entropy over /ppfm/1/view/sync: a peer whose view digest differs from a neighbour's sends
// the (peer id, fingerprint seq) pairs it holds; the neighbour answers with what the asker lacks,
// each fingerprint as the gossipsub-signed message its author published (the responder's own
// included), opaque here (protocol has no libp2p): the node verifies the signatures.
import { fail, ok, type Result } from '../errors.js';
import { checkPeerId } from '../ids.js';
import type { Limits } from '../limits.js';
import type * as pb from '../pb/messages.pb.js';
import { checkUint, isFail } from '../wire/checks.js';
import { idBytes, lenField, VARINT_FIELD_BYTES, type FieldSpecs } from '../wire/frame.js';

/** One view entry: a peer and the seq of its fingerprint the sender holds. */
export interface ViewSyncEntry {
  peerId: string;
  seq: number;
}

/** What the asker holds (distinct peers, at most maxViewEntries). */
export interface ViewSyncRequestMsg {
  kind: 'view_sync_request';
  have: ViewSyncEntry[];
}

/** A fingerprint as its author signed it on gossip, and how long ago the responder heard from the author. */
export interface SignedFingerprint {
  message: Uint8Array;
  ageMs: number;
}

/** The reply: signed fingerprints the asker lacks (at most maxViewEntries, within maxControlBytes). */
export interface ViewSyncMsg {
  kind: 'view_sync';
  signed: SignedFingerprint[];
}

/** A signed gossip message is a fingerprint frame plus gossipsub's from, seqno, topic, signature and key. */
const SIGNED_OVERHEAD = 512;

function entryFields(lim: Limits): FieldSpecs {
  return {
    1: { name: 'have.peerId', wire: 2, maxBytes: idBytes(lim) },
    2: { name: 'have.seq', wire: 0 },
  };
}

/** Wire layout of a ViewSyncRequest body. */
export function viewSyncRequestFields(lim: Limits): FieldSpecs {
  const entryBytes = lenField(idBytes(lim)) + VARINT_FIELD_BYTES;
  return {
    1: {
      name: 'have',
      wire: 2,
      maxCount: lim.maxViewEntries,
      maxBytes: entryBytes,
      nested: entryFields(lim),
    },
  };
}

/** Wire layout of a ViewSync body. */
export function viewSyncFields(lim: Limits): FieldSpecs {
  const signedBytes = lim.maxControlBytes + SIGNED_OVERHEAD;
  return {
    2: {
      name: 'signed',
      wire: 2,
      maxCount: lim.maxViewEntries,
      maxBytes: lenField(signedBytes) + VARINT_FIELD_BYTES,
      nested: {
        1: { name: 'signed.message', wire: 2, maxBytes: signedBytes },
        2: { name: 'signed.ageMs', wire: 0 },
      },
    },
  };
}

/** Validates a decoded ViewSyncRequest body. */
export function viewSyncRequestFromPb(m: pb.ViewSyncRequest, lim: Limits): Result<ViewSyncRequestMsg> {
  if (m.have.length > lim.maxViewEntries)
    return fail('too_large', `more than ${lim.maxViewEntries} entries`, 'have');
  const seen = new Set<string>();
  const have: ViewSyncEntry[] = [];
  for (const e of m.have) {
    const id = checkPeerId(e.peerId, lim.maxStringLength, 'have.peerId');
    if (isFail(id)) return id;
    if (seen.has(id.value)) return fail('bad_name', 'duplicate peer id', 'have.peerId');
    seen.add(id.value);
    const seq = checkUint(e.seq, 'have.seq');
    if (isFail(seq)) return seq;
    have.push({ peerId: id.value, seq: seq.value });
  }
  return ok({ kind: 'view_sync_request', have });
}

/** Validates a decoded ViewSync body (the signed messages stay opaque: the node verifies them). */
export function viewSyncFromPb(m: pb.ViewSync, lim: Limits): Result<ViewSyncMsg> {
  if (m.signed.length > lim.maxViewEntries)
    return fail('too_large', `more than ${lim.maxViewEntries} entries`, 'signed');
  const signed: SignedFingerprint[] = [];
  for (const s of m.signed) {
    if (!(s.message instanceof Uint8Array) || s.message.length === 0)
      return fail('bad_value', 'signed message is not non-empty bytes', 'signed.message');
    const age = checkUint(s.ageMs, 'signed.ageMs');
    if (isFail(age)) return age;
    // Copies: protons hands out views into the frame, which libp2p may recycle.
    signed.push({ message: Uint8Array.prototype.slice.call(s.message), ageMs: age.value });
  }
  return ok({ kind: 'view_sync', signed });
}

/** Builds the protobuf body of a request. */
export function viewSyncRequestToPb(m: ViewSyncRequestMsg): pb.ViewSyncRequest {
  return { have: m.have.map((e) => ({ peerId: e.peerId, seq: e.seq })) };
}

/** Builds the protobuf body of a reply. */
export function viewSyncToPb(m: ViewSyncMsg): pb.ViewSync {
  return { signed: m.signed.map((s) => ({ message: s.message, ageMs: s.ageMs })) };
}
