// The head's sanity check before adopting a new cluster model.
import type { EvalResult } from '../evaluate.js';

/** How far below chance balanced accuracy may fall before a candidate that lost ground is refused. */
const CHANCE_MARGIN = 0.02;

/**
 * Whether a head may adopt `after` (the candidate cluster model) over `before` (the current one),
 * both evaluated on the head's own data. Refused: a non-finite loss; a loss above 2 ln C that also
 * more than doubled (the aggregate blew the model up); a balanced accuracy that fell to chance
 * from clearly above it (collapse onto one class). Anything else is ordinary round-to-round noise.
 */
export function acceptCandidate(
  before: EvalResult,
  after: EvalResult,
  numClasses: number,
): { ok: true } | { ok: false; reason: string } {
  if (!Number.isFinite(after.loss)) return { ok: false, reason: `candidate loss is ${after.loss}` };
  const chanceLoss = Math.log(Math.max(2, numClasses));
  if (after.loss > 2 * chanceLoss && (!Number.isFinite(before.loss) || after.loss > 2 * before.loss))
    return {
      ok: false,
      reason: `candidate loss ${after.loss.toPrecision(3)} > 2 ln C and 2x the current ${before.loss.toPrecision(3)}`,
    };
  const chance = 1 / Math.max(1, numClasses);
  // Clearly above chance: a tenth of the way to perfect. A model barely above chance (noisy DP
  // rounds, the first rounds of a run) moving to chance is noise, not a collapse to refuse.
  const clearlyAbove = chance + Math.max(2 * CHANCE_MARGIN, (1 - chance) / 10);
  if (after.balancedAcc <= chance + CHANCE_MARGIN && before.balancedAcc > clearlyAbove)
    return {
      ok: false,
      reason: `candidate balanced accuracy ${after.balancedAcc.toFixed(3)} fell to chance (${chance.toFixed(3)}) from ${before.balancedAcc.toFixed(3)}`,
    };
  return { ok: true };
}
