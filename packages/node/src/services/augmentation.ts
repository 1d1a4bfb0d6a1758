// Zero-shot augmentation (FedZDA, `--augment member|head`) as a peer runs it: one call into the
// learning engine, logged as an `augmentation` event. A failure never stops the round: the peer
// goes on with its real data (member) or the plain aggregate (head), and says so.
import { deriveSeed, type WeightSet } from '@ppfm/meta';
import { logEvent, notice, type PeerComponents } from '../components.js';
import { peerIdFromString } from '@libp2p/peer-id';
import { decodeAck, encodeSyntheticSet, PROTOCOL_ZDA_SET } from '@ppfm/protocol';
import type { AugmentOutcome, SharedSet } from '../learner/learner.js';
import { request } from '../streams.js';
import type { FetchedTeacher, TeacherSource } from './teachers.js';

/** Synthesises from `theta` (and teachers) for `round` in `role`; undefined when it failed (a notice says why). */
export async function augmentRound(
  c: Pick<PeerComponents, 'bus' | 'learner' | 'settings' | 'clock'>,
  role: 'member' | 'head',
  cluster: string,
  round: number,
  theta: WeightSet,
  teachers?: TeacherSource,
): Promise<AugmentOutcome | undefined> {
  try {
    const t = teachers === undefined ? undefined : await fetchTeachers(c, teachers, cluster, round);
    const r = await c.learner.augment({
      role,
      theta,
      seed: deriveSeed(c.settings.seed, 'augment', round),
      ...(t !== undefined
        ? { teachers: t.teachers, timeBudgetMs: Math.max(1, teachers!.budgetMs - t.ms) }
        : {}),
    });
    // Which teacher made each class it taught: "class:cluster@round".
    const taught = (t?.teachers ?? []).flatMap((x) =>
      x.classes.filter((k) => r.classes.includes(k)).map((k) => `${k}:${x.cluster}@${x.round}`),
    );
    logEvent(c, {
      event: 'augmentation',
      cluster,
      round,
      role,
      made: r.made,
      classes: r.classes,
      ms: Math.round(r.ms),
      stopped: r.stopped,
      ...(t !== undefined ? { teachers: taught.sort(), teacherMs: Math.round(t.ms) } : {}),
    });
    if (r.stopped === 'time')
      notice(
        c,
        'info',
        `round ${round}: synthesis stopped at its time bound (${Math.round(r.ms)} ms, ${r.made} samples)`,
        'augment_time_bound',
      );
    return r;
  } catch (err) {
    notice(
      c,
      'warn',
      `round ${round}: augmentation failed, going on without it: ${(err as Error).message}`,
      'augment_failed',
    );
    return undefined;
  }
}

/** The round's teachers, fetched within the teacher source's bound; how long that took (ms). */
async function fetchTeachers(
  c: Pick<PeerComponents, 'clock'>,
  source: TeacherSource,
  cluster: string,
  round: number,
): Promise<{ teachers: FetchedTeacher[]; ms: number }> {
  const t0 = performance.now();
  const ctl = new AbortController();
  const cancel = c.clock.after(source.fetchBoundMs, () => ctl.abort());
  try {
    return { teachers: await source.teachersFor(cluster, round, ctl.signal), ms: performance.now() - t0 };
  } finally {
    cancel();
  }
}

/** Most samples of a head's set a member takes per class of its task (the head's default is 20). */
export const MAX_SHARED_PER_CLASS = 100;

/**
 * FedZDA head, the simulator's headShares: the head trains on its synthetic set itself and pushes
 * it to the round's members over /ppfm/1/zda/set, in the background (a member that cannot be
 * reached just trains without it). Logs `zda_set_sent` with how many took it.
 */
export async function shareHeadSet(
  c: Pick<PeerComponents, 'bus' | 'learner' | 'libp2p' | 'self' | 'timing'>,
  at: { cluster: string; round: number; term: number },
  set: SharedSet,
  members: readonly string[],
): Promise<void> {
  try {
    await c.learner.share(set);
  } catch (err) {
    notice(
      c,
      'warn',
      `round ${at.round}: own synthetic set not kept: ${(err as Error).message}`,
      'zda_set_failed',
    );
  }
  const dims = set.x.length / Math.max(1, set.y.length);
  const body = encodeSyntheticSet({
    ...at,
    dims,
    x: set.x,
    labels: Uint16Array.from(set.y),
  });
  const others = members.filter((m) => m !== c.self);
  const limits = { maxBytes: 64 * 1024, timeoutMs: c.timing.fetchTimeoutMs };
  const results = await Promise.all(
    others.map(async (m) => {
      try {
        const reply = await request(c.libp2p, peerIdFromString(m), PROTOCOL_ZDA_SET, body, limits);
        return decodeAck(reply).ok;
      } catch {
        return false;
      }
    }),
  );
  logEvent(c, {
    event: 'zda_set_sent',
    cluster: at.cluster,
    round: at.round,
    count: set.y.length,
    members: others.length,
    delivered: results.filter(Boolean).length,
  });
}
