// /ppfm/1/update/push: a member's weight difference for the head's open round. The header is
// judged first (admitPush: spec, cluster, round, term, membership, one update per member) so a
// push that cannot count is refused before its weights are read; the frame is then decoded
// against our spec (shape, finite values) before the head driver sees it. Every refusal is typed
// and logged when it is the sender's fault.
import { weightSetsCompatible } from '@ppfm/meta/light';
import {
  decodeUpdateEnvelope,
  encodeAck,
  encodeError,
  peekDirectHeader,
  PROTOCOL_UPDATE_PUSH,
  type DirectErrorCode,
} from '@ppfm/protocol';
import { logEvent, type PeerComponents } from '../components.js';
import type { Admission } from '../net/frame-reader.js';
import type { HeadRounds } from '../services/head-rounds.js';

export type PushComponents = Pick<PeerComponents, 'bus' | 'store' | 'spec' | 'settings'>;

/** Refusals that honest members meet in races (a round just closed, a new head): not logged. */
const HONEST_REFUSALS: ReadonlySet<string> = new Set(['not_head', 'wrong_term', 'stale_round', 'duplicate']);

/** Whether a push refusal is the sender's fault (logged as message_rejected). */
export function isHostileRefusal(reason: string): boolean {
  return !HONEST_REFUSALS.has(reason);
}

/** The error reply of a refusal (typed for the requester). */
export function pushRefusalReply(reason: string, detail: string): Uint8Array {
  const code: DirectErrorCode = HONEST_REFUSALS.has(reason)
    ? reason === 'duplicate'
      ? 'stale_round'
      : (reason as DirectErrorCode)
    : 'rejected';
  return encodeError({ code, message: `${reason}: ${detail}`.slice(0, 500) });
}

/**
 * Judges a push from its first bytes (the header, via the protocol's peekDirectHeader): only a
 * current member's update for the open round, term and our spec is read further, and only while
 * that round stays open.
 */
export function admitPush(
  c: Pick<PeerComponents, 'spec' | 'settings'>,
  head: HeadRounds,
  prefix: Uint8Array,
  frameBytes: number,
  from: string,
): Admission {
  const refuse = (reason: string, detail: string): Admission => ({ kind: 'refuse', reason, detail });
  const p = peekDirectHeader(prefix, {
    maxBytes: c.settings.streamMaxBytes,
  });
  if (!p.ok) return refuse(p.error.code, p.error.message);
  const v = p.value;
  if (v.status === 'need_more') return { kind: 'more', bytes: v.bytes };
  if (v.status === 'control') return refuse('unknown_kind', `${v.kind} on the push protocol`);
  const h = v.header;
  if (!('baseRound' in h)) return refuse('unknown_kind', 'a model envelope on the push protocol');
  if (h.frameBytes !== frameBytes)
    return refuse('malformed', `frame says ${h.frameBytes} bytes, length prefix ${frameBytes}`);
  if (h.specHash !== c.spec) return refuse('shape_mismatch', 'update for another model spec');
  const judge = (): Admission => judgeRound(head, h, from);
  const first = judge();
  // The round may close while the weights arrive: judged again as they do.
  return first.kind === 'read' ? { kind: 'read', recheck: judge } : first;
}

/** Whether an update for (cluster, round, term) from `from` can count in the head's open round now. */
function judgeRound(
  head: HeadRounds,
  h: { cluster: string; baseRound: number; term: number },
  from: string,
): Admission {
  const refuse = (reason: string, detail: string): Admission => ({ kind: 'refuse', reason, detail });
  const st = head.state;
  if (st.kind === 'inactive') return refuse('not_head', 'not a head');
  if (!head.isMember(from)) return refuse('not_member', `${from} is not a member of our cluster`);
  if (st.kind !== 'open' || h.cluster !== st.collector.cluster)
    return refuse('not_head', 'no open round here');
  if (!st.collector.members.has(from))
    return refuse('stale_round', `${from} joined after round ${st.collector.round} opened`);
  if (h.term !== st.collector.term) return refuse('wrong_term', `term ${st.collector.term}`);
  if (h.baseRound !== st.collector.round)
    return refuse('stale_round', `got ${h.baseRound}, open ${st.collector.round}`);
  if (st.collector.updates.has(from)) return refuse('duplicate', `one update per member per round`);
  return { kind: 'read' };
}

/** Handles one pushed update from `from`; returns the reply bytes. */
export function handlePush(c: PushComponents, head: HeadRounds, body: Uint8Array, from: string): Uint8Array {
  const reject = (reason: string, detail: string): Uint8Array => {
    logEvent(c, { event: 'message_rejected', protocol: PROTOCOL_UPDATE_PUSH, from, reason, detail });
    return encodeError({ code: 'rejected', message: `${reason}: ${detail}`.slice(0, 500) });
  };
  const r = decodeUpdateEnvelope(body, { maxBytes: c.settings.streamMaxBytes }, { specHash: c.spec });
  if (!r.ok) return reject(r.error.code, r.error.message);
  const u = r.value;
  if (!weightSetsCompatible(u.weights, c.store.template)) return reject('shape_mismatch', 'update tensors');
  const st = head.state;
  if (st.kind !== 'open' || u.cluster !== st.collector.cluster)
    return encodeError({ code: 'not_head', message: 'no open round here' });
  const v = head.offer(from, u.baseRound, u.term, u.sampleCount, u.weights);
  if (v.ok) return encodeAck({ cluster: u.cluster, round: u.baseRound });
  if (v.reason === 'not_member' || v.reason === 'bad_samples') return reject(v.reason, v.detail);
  if (v.reason === 'wrong_term') return encodeError({ code: 'wrong_term', message: v.detail });
  if (v.reason === 'not_head') return encodeError({ code: 'not_head', message: v.detail });
  if (v.reason === 'secure_only') return reject(v.reason, v.detail);
  return encodeError({ code: 'stale_round', message: `${v.reason}: ${v.detail}` });
}
