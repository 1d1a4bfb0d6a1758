// The head is a member too: it trains on its own data in every round it opens.
import { ppfmSeeds, type WeightSet } from '@ppfm/meta/light';
import { logEvent, notice, type PeerComponents } from '../components.js';
import type { RoundCollector } from '../rounds.js';
import { augmentRound } from './augmentation.js';
import type { ClusterSession } from './cluster-session.js';
import type { SecureRound } from './secagg-head.js';
import type { SecureMember } from './secagg-member.js';
import type { UpdatePrivacy } from './update-privacy.js';
import type { TeacherSource } from './teachers.js';

/** What the head's own update needs besides the components (HeadDeps' privacy parts). */
export interface SelfUpdateDeps {
  privacy?: UpdatePrivacy;
  secure?: { member: SecureMember };
  teachers?: TeacherSource;
}

/**
 * Trains the head's own update and puts it straight into the collector (or, under --secure-agg,
 * into the secure round). `current` says whether `col` is still the open round: a round closed or
 * dropped meanwhile takes nothing.
 */
export async function headSelfUpdate(
  c: Pick<PeerComponents, 'self' | 'clock' | 'bus' | 'timing' | 'settings' | 'learner'>,
  deps: SelfUpdateDeps,
  s: ClusterSession,
  col: RoundCollector<WeightSet>,
  theta: WeightSet,
  secure: SecureRound | undefined,
  current: () => boolean,
): Promise<void> {
  const ref = { cluster: col.cluster, round: col.round, term: col.term, members: [...col.members].sort() };
  try {
    if (deps.privacy?.admit(col.round, ref) === false) return;
    if (c.settings.augment === 'member')
      await augmentRound(c, 'member', col.cluster, col.round, theta, deps.teachers);
    if (s.closed || !current()) return;
    const r = await c.learner.train(theta, ppfmSeeds.round(c.settings.seed, col.round));
    if (s.closed || !current()) return;
    if (r.kind === 'diverged') {
      notice(c, 'warn', `round ${col.round}: own update withheld: ${r.reason}`, 'update_withheld');
      return;
    }
    const out = deps.privacy ? await deps.privacy.prepare(ref, r.delta) : r;
    if (secure !== undefined && deps.secure !== undefined) {
      const own = { ...ref, head: c.self, deadlineMs: c.timing.roundDeadlineMs };
      await deps.secure.member.contributeOwn(secure, own, out.delta, out.samples, s.signal);
      return;
    }
    if (col.add(col.round, { from: c.self, samples: out.samples, delta: out.delta }, c.clock.now()).ok)
      logEvent(c, {
        event: 'update_received',
        cluster: col.cluster,
        round: col.round,
        from: c.self,
        samples: out.samples,
      });
  } catch (err) {
    if (!s.closed)
      notice(c, 'warn', `round ${col.round}: own training failed: ${(err as Error).message}`, 'train_failed');
  }
}
