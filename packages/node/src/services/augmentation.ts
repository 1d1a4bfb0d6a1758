// Zero-shot augmentation (FedZDA, `--augment member|head`) as a peer runs it: one call into the
// learning engine, logged as an `augmentation` event. A failure never stops the round: the peer
// goes on with its real data (member) or the plain aggregate (head), and says so.
import { deriveSeed, type WeightSet } from '@ppfm/meta';
import { logEvent, notice, type PeerComponents } from '../components.js';
import type { AugmentOutcome } from '../learner/learner.js';

/** Synthesises from `theta` for `round` in `role`; undefined when it failed (a notice says why). */
export async function augmentRound(
  c: Pick<PeerComponents, 'bus' | 'learner' | 'settings'>,
  role: 'member' | 'head',
  cluster: string,
  round: number,
  theta: WeightSet,
): Promise<AugmentOutcome | undefined> {
  try {
    const r = await c.learner.augment({ role, theta, seed: deriveSeed(c.settings.seed, 'augment', round) });
    logEvent(c, {
      event: 'augmentation',
      cluster,
      round,
      role,
      made: r.made,
      classes: r.classes,
      ms: Math.round(r.ms),
      stopped: r.stopped,
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
