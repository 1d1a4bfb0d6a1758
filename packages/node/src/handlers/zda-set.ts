// /ppfm/1/zda/set: a member takes its head's synthetic set (FedZDA, `--augment head`; the
// simulator's headShares) and trains and personalises on it with its own data. Untrusted: only the
// current head of our cluster, at its current term, for the round it just closed (or the one
// before our view of it), with at most `maxCount` samples of our model's input size, labels of our
// task and finite values. Anything else is refused with a logged reason; the peer never throws.
import { decodeSyntheticSet, encodeAck, encodeError, type SyntheticSetMsg } from '@ppfm/protocol';
import { logEvent, notice, type PeerComponents } from '../components.js';
import type { SharedSet } from '../learner/learner.js';

/** Why a synthetic set was refused. */
export type SetRefusal =
  | 'invalid'
  | 'not_in_cluster'
  | 'not_head'
  | 'wrong_term'
  | 'wrong_round'
  | 'too_many'
  | 'bad_dims'
  | 'bad_label';

/** What the member checks a set against: its cluster now, its model, and where an accepted set goes. */
export interface SyntheticSetDeps {
  /** Our cluster, its head and term as our election sees them, and the last round that head closed. */
  cluster(): { id: string; head: string | undefined; term: number; headRound: number } | undefined;
  /** Input features of our model (the set's dims must equal it). */
  inputSize: number;
  numClasses: number;
  /** Most samples taken (the head makes perClass x numClasses). */
  maxCount: number;
  /** Hands the accepted set to the learning engine. */
  take(set: SharedSet): Promise<void>;
}

type Checked = { ok: true; msg: SyntheticSetMsg } | { ok: false; reason: SetRefusal; detail: string };

/** The checks, without effects (tested on their own). */
export function checkSyntheticSet(deps: SyntheticSetDeps, body: Uint8Array, from: string): Checked {
  const r = decodeSyntheticSet(body);
  if (!r.ok) return { ok: false, reason: 'invalid', detail: `${r.error.code}: ${r.error.message}` };
  const m = r.value;
  const s = deps.cluster();
  if (s === undefined || s.id !== m.cluster)
    return {
      ok: false,
      reason: 'not_in_cluster',
      detail: `set for ${m.cluster}, we are in ${s?.id ?? 'none'}`,
    };
  if (s.head !== from) return { ok: false, reason: 'not_head', detail: `our head is ${s.head ?? 'none'}` };
  if (m.term !== s.term) return { ok: false, reason: 'wrong_term', detail: `term ${m.term}, ours ${s.term}` };
  // The head pushes right after publishing round r; our view of its round may lag by one.
  if (m.round < s.headRound || m.round > s.headRound + 1)
    return { ok: false, reason: 'wrong_round', detail: `round ${m.round}, head's last ${s.headRound}` };
  if (m.labels.length > deps.maxCount)
    return { ok: false, reason: 'too_many', detail: `${m.labels.length} samples, at most ${deps.maxCount}` };
  if (m.dims !== deps.inputSize)
    return { ok: false, reason: 'bad_dims', detail: `dims ${m.dims}, our model takes ${deps.inputSize}` };
  const bad = m.labels.findIndex((y) => y >= deps.numClasses);
  if (bad >= 0)
    return { ok: false, reason: 'bad_label', detail: `label ${m.labels[bad]} of ${deps.numClasses} classes` };
  return { ok: true, msg: m };
}

/** Handles one pushed set from `from`; returns the reply (an ack or an error naming the refusal). */
export async function handleSyntheticSet(
  c: Pick<PeerComponents, 'bus'>,
  deps: SyntheticSetDeps,
  body: Uint8Array,
  from: string,
): Promise<Uint8Array> {
  const r = checkSyntheticSet(deps, body, from);
  if (!r.ok) {
    logEvent(c, { event: 'zda_set_refused', from, reason: r.reason, detail: r.detail });
    notice(c, 'warn', `synthetic set from ${from} refused (${r.reason}: ${r.detail})`, 'zda_set_refused');
    return encodeError({ code: 'rejected', message: `${r.reason}: ${r.detail}`.slice(0, 500) });
  }
  const m = r.msg;
  try {
    await deps.take({ x: m.x, y: Int32Array.from(m.labels) });
  } catch (err) {
    notice(
      c,
      'warn',
      `synthetic set of round ${m.round} not taken: ${(err as Error).message}`,
      'zda_set_failed',
    );
    return encodeError({ code: 'rejected', message: 'not taken' });
  }
  logEvent(c, {
    event: 'zda_set_taken',
    from,
    cluster: m.cluster,
    round: m.round,
    count: m.labels.length,
  });
  return encodeAck({ cluster: m.cluster, round: m.round });
}
