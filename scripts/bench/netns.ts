/**
 * The `netns` suite (issue 16): the partition-and-heal run over network namespaces, with a long
 * partition (both sides' views drop the other side before the heal), once with group 0's head on
 * the far side of the cut and once with it on the cut-off side. Prints the time to converge after
 * the heal and the safety checks; skipped with the reason when namespaces are unavailable.
 */
import { join } from 'node:path';
import { runPartitionHeal } from '../src/netns/scenario.js';
import type { HeadSide } from '../src/netns/placement.js';
import { netnsUnavailable } from '../src/netns/topology.js';
import { figure, out, type BenchOptions } from './common.js';

/** Runs both placements; returns their figures (or the skip reason). */
export async function benchNetns(b: BenchOptions): Promise<Record<string, unknown>> {
  out('\n== netns partition and heal (6 peers on 3 namespaced hosts, host 0 cut until views split) ==');
  const why = netnsUnavailable();
  if (why !== undefined) {
    out(`  skipped: ${why}`);
    return { skipped: why };
  }
  const res: Record<string, unknown> = {};
  for (const side of ['far', 'cut'] as HeadSide[]) {
    try {
      const r = await runPartitionHeal({
        out: join(b.outDir, `netns-${side}`),
        dataset: 'mnist',
        partition: 'rotate:2',
        maxSamples: b.maxSamples ?? 1800,
        seed: b.seed,
        backend: b.backend,
        headSide: side,
        partitionUntil: 'views',
        formTimeoutS: 180,
        cutTimeoutS: 120,
        healTimeoutS: 180,
        log: (l) => process.stderr.write(`  [netns-${side}] ${l}\n`),
      });
      out(`  group 0's head placed on the ${side} side; it was on the ${r.headWas} side at the cut`);
      out(figure('formation (start to round 1 published)', r.formSeconds, ' s'));
      out(figure('cut to both sides going on alone', r.cutReactSeconds, ' s'));
      out(figure('time to converge after healing', r.convergeSeconds, ' s'));
      out(figure('heal to a round with every member', r.fullRoundSeconds, ' s'));
      out(figure('terms reused', r.termsReused, ''));
      out(figure('rounds lost (model went back)', r.roundsLost, ''));
      out(figure('min personalised accuracy after heal', r.minAcc, ''));
      out(`  ok: ${r.ok}${r.ok ? '' : ` (${r.failures.join('; ')})`}`);
      res[side] = r;
    } catch (err) {
      out(`  ${side}: failed: ${(err as Error).message}`);
      res[side] = { error: (err as Error).message };
    }
  }
  return res;
}
