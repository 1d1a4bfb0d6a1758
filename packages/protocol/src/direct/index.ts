// Direct-stream messages: one DirectFrame per message, carrying the protocol version and one body.
import { fail, unwrapOrThrow, type Result } from '../errors.js';
import { resolveLimits, type Limits } from '../limits.js';
import * as pb from '../pb/messages.pb.js';
import { isFail } from '../wire/checks.js';
import { PROTOCOL_VERSION, protonsFailure, scanFrame, type BodySpec } from '../wire/frame.js';
import { ackFields, ackFromPb, ackToPb, type AckMsg } from './ack.js';
import { errorFields, errorFromPb, errorToPb, type ErrorMsg } from './error.js';
import { fetchFields, fetchFromPb, fetchToPb, type FetchRequestMsg } from './fetch.js';
import { modelFields, modelFromPb, modelHeaderFromPb, modelToPb, type ModelEnvelopeMsg } from './model.js';
import {
  peerListFields,
  peerListFromPb,
  peerListRequestFields,
  peerListRequestFromPb,
  peerListRequestToPb,
  peerListToPb,
  type PeerListMsg,
  type PeerListRequestMsg,
} from './peers.js';
import { syntheticFields, syntheticFromPb, syntheticToPb, type SyntheticSetMsg } from './synthetic.js';
import type { Expect } from './tensors.js';
import {
  viewSyncFields,
  viewSyncFromPb,
  viewSyncRequestFields,
  viewSyncRequestFromPb,
  viewSyncRequestToPb,
  viewSyncToPb,
  type ViewSyncMsg,
  type ViewSyncRequestMsg,
} from './view-sync.js';
import {
  updateFields,
  updateFromPb,
  updateHeaderFromPb,
  updateToPb,
  type UpdateEnvelopeMsg,
} from './update.js';

/** Everything sent on direct streams (requests and replies). */
export type DirectMessage =
  | FetchRequestMsg
  | ModelEnvelopeMsg
  | UpdateEnvelopeMsg
  | AckMsg
  | ErrorMsg
  | PeerListRequestMsg
  | PeerListMsg
  | ViewSyncRequestMsg
  | ViewSyncMsg
  | SyntheticSetMsg;

const body = (kind: DirectMessage['kind'], fields: BodySpec['fields'], weights = false): BodySpec => ({
  kind,
  weights,
  fields,
});

/** Direct body field numbers (messages.proto, DirectFrame) with their wire layouts. */
export const DIRECT_BODIES: Readonly<Record<number, BodySpec>> = Object.freeze({
  2: body('fetch_request', fetchFields),
  3: body('model', modelFields, true),
  4: body('update', updateFields, true),
  5: body('ack', ackFields),
  6: body('error', errorFields),
  7: body('peer_list_request', peerListRequestFields),
  8: body('peer_list', peerListFields),
  9: body('view_sync_request', viewSyncRequestFields),
  10: body('view_sync', viewSyncFields),
  11: body('synthetic_set', syntheticFields),
});

/** Encodes a direct-stream message into a versioned DirectFrame; throws ProtocolEncodeError if invalid. */
export function encodeDirect(m: DirectMessage): Uint8Array {
  const frame: pb.DirectFrame = { version: PROTOCOL_VERSION };
  const lim = resolveLimits();
  switch (m.kind) {
    case 'fetch_request':
      frame.fetchRequest = fetchToPb(m);
      unwrapOrThrow(fetchFromPb(frame.fetchRequest, lim));
      break;
    case 'model':
      frame.model = modelToPb(m);
      unwrapOrThrow(modelHeaderFromPb(frame.model, lim));
      break;
    case 'update':
      frame.update = updateToPb(m);
      unwrapOrThrow(updateHeaderFromPb(frame.update, lim));
      break;
    case 'ack':
      frame.ack = ackToPb(m);
      unwrapOrThrow(ackFromPb(frame.ack, lim));
      break;
    case 'error':
      frame.error = errorToPb(m);
      unwrapOrThrow(errorFromPb(frame.error, lim));
      break;
    case 'peer_list_request':
      frame.peerListRequest = peerListRequestToPb(m);
      unwrapOrThrow(peerListRequestFromPb(frame.peerListRequest, lim));
      break;
    case 'peer_list':
      frame.peerList = peerListToPb(m);
      unwrapOrThrow(peerListFromPb(frame.peerList, lim));
      break;
    case 'view_sync_request':
      frame.viewSyncRequest = viewSyncRequestToPb(m);
      unwrapOrThrow(viewSyncRequestFromPb(frame.viewSyncRequest, lim));
      break;
    case 'view_sync':
      frame.viewSync = viewSyncToPb(m);
      unwrapOrThrow(viewSyncFromPb(frame.viewSync, lim));
      break;
    case 'synthetic_set':
      frame.syntheticSet = syntheticToPb(m);
      unwrapOrThrow(syntheticFromPb(frame.syntheticSet, lim));
      break;
    default:
      unwrapOrThrow(fail('unknown_kind', `unknown direct kind ${(m as { kind: unknown }).kind}`, 'kind'));
  }
  return pb.DirectFrame.encode(frame);
}

/** Decodes any direct-stream frame (request or reply). Never throws. */
export function decodeDirect(
  bytes: Uint8Array,
  limits?: Partial<Limits>,
  expect?: Expect,
): Result<DirectMessage> {
  try {
    const lim = resolveLimits(limits);
    const scanned = scanFrame(bytes, lim, DIRECT_BODIES);
    if (isFail(scanned)) return scanned;
    let frame: pb.DirectFrame;
    try {
      frame = pb.DirectFrame.decode(bytes);
    } catch (e) {
      return protonsFailure(e);
    }
    if (frame.fetchRequest !== undefined) return fetchFromPb(frame.fetchRequest, lim);
    if (frame.model !== undefined) return modelFromPb(frame.model, lim, expect);
    if (frame.update !== undefined) return updateFromPb(frame.update, lim, expect);
    if (frame.ack !== undefined) return ackFromPb(frame.ack, lim);
    if (frame.error !== undefined) return errorFromPb(frame.error, lim);
    if (frame.peerListRequest !== undefined) return peerListRequestFromPb(frame.peerListRequest, lim);
    if (frame.peerList !== undefined) return peerListFromPb(frame.peerList, lim);
    if (frame.viewSyncRequest !== undefined) return viewSyncRequestFromPb(frame.viewSyncRequest, lim);
    if (frame.viewSync !== undefined) return viewSyncFromPb(frame.viewSync, lim);
    if (frame.syntheticSet !== undefined) return syntheticFromPb(frame.syntheticSet, lim);
    return fail('unknown_kind', 'direct frame has no message body', 'body');
  } catch (e) {
    return fail('malformed', `unexpected decode failure: ${(e as Error)?.message ?? String(e)}`);
  }
}

type Of<K extends DirectMessage['kind']> = Extract<DirectMessage, { kind: K }>;

function decodeKind<K extends DirectMessage['kind']>(
  kind: K,
  bytes: Uint8Array,
  limits?: Partial<Limits>,
  expect?: Expect,
): Result<Of<K>> {
  const r = decodeDirect(bytes, limits, expect);
  if (isFail(r)) return r;
  if (r.value.kind !== kind) return fail('unknown_kind', `expected ${kind}, got ${r.value.kind}`, 'kind');
  return r as Result<Of<K>>;
}

/** Encodes a FetchRequest for /ppfm/1/model/fetch. */
export function encodeFetchRequest(m: Omit<FetchRequestMsg, 'kind'>): Uint8Array {
  return encodeDirect({ ...m, kind: 'fetch_request' });
}
/** Decodes a FetchRequest; any other direct message yields unknown_kind. */
export function decodeFetchRequest(b: Uint8Array, limits?: Partial<Limits>): Result<FetchRequestMsg> {
  return decodeKind('fetch_request', b, limits);
}
/** Encodes a ModelEnvelope for a direct stream (the fetch reply). */
export function encodeModelEnvelope(m: Omit<ModelEnvelopeMsg, 'kind'>): Uint8Array {
  return encodeDirect({ ...m, kind: 'model' });
}
/** Decodes a ModelEnvelope, optionally requiring a spec hash. */
export function decodeModelEnvelope(
  b: Uint8Array,
  limits?: Partial<Limits>,
  expect?: Expect,
): Result<ModelEnvelopeMsg> {
  return decodeKind('model', b, limits, expect);
}
/** Encodes an UpdateEnvelope for /ppfm/1/update/push. */
export function encodeUpdateEnvelope(m: Omit<UpdateEnvelopeMsg, 'kind'>): Uint8Array {
  return encodeDirect({ ...m, kind: 'update' });
}
/** Decodes an UpdateEnvelope, optionally requiring a spec hash. */
export function decodeUpdateEnvelope(
  b: Uint8Array,
  limits?: Partial<Limits>,
  expect?: Expect,
): Result<UpdateEnvelopeMsg> {
  return decodeKind('update', b, limits, expect);
}
/** Encodes an Ack reply. */
export function encodeAck(m: Omit<AckMsg, 'kind'>): Uint8Array {
  return encodeDirect({ ...m, kind: 'ack' });
}
/** Decodes an Ack reply. */
export function decodeAck(b: Uint8Array, limits?: Partial<Limits>): Result<AckMsg> {
  return decodeKind('ack', b, limits);
}
/** Encodes an Error reply. */
export function encodeError(m: Omit<ErrorMsg, 'kind'>): Uint8Array {
  return encodeDirect({ ...m, kind: 'error' });
}
/** Decodes an Error reply. */
export function decodeError(b: Uint8Array, limits?: Partial<Limits>): Result<ErrorMsg> {
  return decodeKind('error', b, limits);
}
/** Encodes a PeerListRequest for /ppfm/1/peers. */
export function encodePeerListRequest(m: Omit<PeerListRequestMsg, 'kind'>): Uint8Array {
  return encodeDirect({ ...m, kind: 'peer_list_request' });
}
/** Decodes a PeerListRequest. */
export function decodePeerListRequest(b: Uint8Array, limits?: Partial<Limits>): Result<PeerListRequestMsg> {
  return decodeKind('peer_list_request', b, limits);
}
/** Encodes a PeerList reply. */
export function encodePeerList(m: Omit<PeerListMsg, 'kind'>): Uint8Array {
  return encodeDirect({ ...m, kind: 'peer_list' });
}
/** Decodes a PeerList reply. */
export function decodePeerList(b: Uint8Array, limits?: Partial<Limits>): Result<PeerListMsg> {
  return decodeKind('peer_list', b, limits);
}
/** Encodes a ViewSyncRequest for /ppfm/1/view/sync. */
export function encodeViewSyncRequest(m: Omit<ViewSyncRequestMsg, 'kind'>): Uint8Array {
  return encodeDirect({ ...m, kind: 'view_sync_request' });
}
/** Decodes a ViewSyncRequest. */
export function decodeViewSyncRequest(b: Uint8Array, limits?: Partial<Limits>): Result<ViewSyncRequestMsg> {
  return decodeKind('view_sync_request', b, limits);
}
/** Encodes a ViewSync reply. */
export function encodeViewSync(m: Omit<ViewSyncMsg, 'kind'>): Uint8Array {
  return encodeDirect({ ...m, kind: 'view_sync' });
}
/** Decodes a ViewSync reply. */
export function decodeViewSync(b: Uint8Array, limits?: Partial<Limits>): Result<ViewSyncMsg> {
  return decodeKind('view_sync', b, limits);
}
/** Encodes a SyntheticSet for /ppfm/1/zda/set. */
export function encodeSyntheticSet(m: Omit<SyntheticSetMsg, 'kind'>): Uint8Array {
  return encodeDirect({ ...m, kind: 'synthetic_set' });
}
/** Decodes a SyntheticSet (structure, sizes, finite values; the receiver checks sender and bounds). */
export function decodeSyntheticSet(b: Uint8Array, limits?: Partial<Limits>): Result<SyntheticSetMsg> {
  return decodeKind('synthetic_set', b, limits);
}
