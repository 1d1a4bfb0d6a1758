// Gossip messages: one GossipFrame per message, carrying the protocol version and one body.
import { fail, unwrapOrThrow, type Result } from '../errors.js';
import { resolveLimits, type Limits } from '../limits.js';
import * as pb from '../pb/messages.pb.js';
import { isFail } from '../wire/checks.js';
import { PROTOCOL_VERSION, protonsFailure, scanFrame, type BodySpec } from '../wire/frame.js';
import { fingerprintFields, fingerprintFromPb, fingerprintToPb, type FingerprintMsg } from './fingerprint.js';
import { headLeaseFields, headLeaseFromPb, headLeaseToPb, type HeadLeaseMsg } from './head-lease.js';
import { heartbeatFields, heartbeatFromPb, heartbeatToPb, type HeartbeatMsg } from './heartbeat.js';
import { lossReportFields, lossReportFromPb, lossReportToPb, type LossReportMsg } from './loss-report.js';
import {
  modelAnnounceFields,
  modelAnnounceFromPb,
  modelAnnounceToPb,
  type ModelAnnounceMsg,
} from './model-announce.js';
import { roundOpenFields, roundOpenFromPb, roundOpenToPb, type RoundOpenMsg } from './round-open.js';

export type { FingerprintMsg } from './fingerprint.js';
export type { HeartbeatMsg, Role } from './heartbeat.js';
export type { HeadLeaseMsg } from './head-lease.js';
export type { RoundOpenMsg } from './round-open.js';
export type { ModelAnnounceMsg } from './model-announce.js';
export type { LossReportMsg } from './loss-report.js';

/** Everything published on gossip topics. Models never travel in gossip: heads announce them. */
export type GossipMessage =
  FingerprintMsg | HeartbeatMsg | HeadLeaseMsg | RoundOpenMsg | ModelAnnounceMsg | LossReportMsg;

const body = (kind: GossipMessage['kind'], fields: BodySpec['fields']): BodySpec => ({
  kind,
  weights: false,
  fields,
});

/** Gossip body field numbers (messages.proto, GossipFrame) with their wire layouts. */
const GOSSIP_BODIES: Readonly<Record<number, BodySpec>> = Object.freeze({
  2: body('fingerprint', fingerprintFields),
  3: body('heartbeat', heartbeatFields),
  4: body('head_lease', headLeaseFields),
  5: body('round_open', roundOpenFields),
  7: body('loss_report', lossReportFields),
  8: body('model_announce', modelAnnounceFields),
});

/** Encodes a gossip message into a versioned GossipFrame; throws ProtocolEncodeError if it would not decode. */
export function encodeGossip(m: GossipMessage): Uint8Array {
  const frame: pb.GossipFrame = { version: PROTOCOL_VERSION };
  const lim = resolveLimits();
  switch (m.kind) {
    case 'fingerprint':
      frame.fingerprint = fingerprintToPb(m, lim);
      unwrapOrThrow(fingerprintFromPb(frame.fingerprint, lim));
      break;
    case 'heartbeat':
      frame.heartbeat = heartbeatToPb(m);
      unwrapOrThrow(heartbeatFromPb(frame.heartbeat, lim));
      break;
    case 'head_lease':
      frame.headLease = headLeaseToPb(m);
      unwrapOrThrow(headLeaseFromPb(frame.headLease, lim));
      break;
    case 'round_open':
      frame.roundOpen = roundOpenToPb(m);
      unwrapOrThrow(roundOpenFromPb(frame.roundOpen, lim));
      break;
    case 'model_announce':
      frame.modelAnnounce = modelAnnounceToPb(m);
      unwrapOrThrow(modelAnnounceFromPb(frame.modelAnnounce, lim));
      break;
    case 'loss_report':
      frame.lossReport = lossReportToPb(m, lim);
      unwrapOrThrow(lossReportFromPb(frame.lossReport, lim));
      break;
    default:
      unwrapOrThrow(fail('unknown_kind', `unknown gossip kind ${(m as { kind: unknown }).kind}`, 'kind'));
  }
  return pb.GossipFrame.encode(frame);
}

/** Decodes a gossip frame. Never throws; typed error for anything invalid (see README, error codes). */
export function decodeGossip(bytes: Uint8Array, limits?: Partial<Limits>): Result<GossipMessage> {
  try {
    const lim = resolveLimits(limits);
    const scanned = scanFrame(bytes, lim, GOSSIP_BODIES);
    if (isFail(scanned)) return scanned;
    let frame: pb.GossipFrame;
    try {
      frame = pb.GossipFrame.decode(bytes);
    } catch (e) {
      return protonsFailure(e);
    }
    if (frame.fingerprint !== undefined) return fingerprintFromPb(frame.fingerprint, lim);
    if (frame.heartbeat !== undefined) return heartbeatFromPb(frame.heartbeat, lim);
    if (frame.headLease !== undefined) return headLeaseFromPb(frame.headLease, lim);
    if (frame.roundOpen !== undefined) return roundOpenFromPb(frame.roundOpen, lim);
    if (frame.modelAnnounce !== undefined) return modelAnnounceFromPb(frame.modelAnnounce, lim);
    if (frame.lossReport !== undefined) return lossReportFromPb(frame.lossReport, lim);
    return fail('unknown_kind', 'gossip frame has no message body', 'body');
  } catch (e) {
    // Defensive net: validation code is written not to throw, but a decoder must never throw.
    return fail('malformed', `unexpected decode failure: ${(e as Error)?.message ?? String(e)}`);
  }
}
