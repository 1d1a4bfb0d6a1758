// Sanity rules on models and updates (pure): shared by the learning engine and the drivers.
import type { EvalResult } from '@ppfm/meta';

/** Why a candidate model is refused: worse than chance where the old one was not, or loss exploding. */
export function refuseCandidate(
  before: EvalResult,
  after: EvalResult,
  numClasses: number,
): string | undefined {
  if (!Number.isFinite(after.loss)) return `non-finite loss`;
  const chance = 1 / Math.max(2, numClasses);
  if (after.acc < chance * 1.5 && before.acc >= chance * 1.5 + 0.1)
    return `accuracy would fall from ${before.acc.toFixed(3)} to ${after.acc.toFixed(3)} (chance ${chance.toFixed(3)})`;
  if (after.loss > Math.max(3 * before.loss, before.loss + Math.log(Math.max(2, numClasses))))
    return `loss would rise from ${before.loss.toFixed(3)} to ${after.loss.toFixed(3)}`;
  return undefined;
}

/** Why a training run counts as diverged (non-finite, or loss exploding), else undefined. */
export function divergence(
  before: number,
  after: number,
  numClasses: number,
  finite: boolean,
): string | undefined {
  if (!finite || !Number.isFinite(after)) return `non-finite weights or loss (loss ${after})`;
  const chance = Math.log(Math.max(2, numClasses));
  if (after > 10 * Math.max(before, 1e-6) && after > 3 * chance)
    return `loss exploded from ${before.toFixed(3)} to ${after.toFixed(3)}`;
  return undefined;
}
