// /ppfm/1/update/push: a member's weight difference for the head's open round. Decoded against
// our spec (shape, finite values) before the head driver sees it; every refusal is typed and
// logged when it is the sender's fault.
import { weightSetsCompatible } from '@ppfm/meta/light';
import { decodeUpdateEnvelope, encodeAck, encodeError, PROTOCOL_UPDATE_PUSH } from '@ppfm/protocol';
import { logEvent, type PeerComponents } from '../components.js';
import type { HeadRounds } from '../services/head-rounds.js';

export type PushComponents = Pick<PeerComponents, 'bus' | 'store' | 'spec' | 'settings'>;

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
  return encodeError({ code: 'stale_round', message: `${v.reason}: ${v.detail}` });
}
