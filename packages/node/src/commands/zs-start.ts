// `ppfm start` in zero-shot task mode (issue 15): --task zero-shot, or a dataset whose ppfm.json
// carries `zeroShot` (written by `ppfm partition --partition zeroshot:...`). Its `task` field is the
// dataset's name, not a mode.
import { Option, type Command } from 'commander';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { ZsLearnerOptions } from '../learner/learner.js';
import { UsageError } from './errors.js';

/** The zero-shot flags of `ppfm start`. */
export interface ZsStartFlags {
  task?: 'classification' | 'zero-shot';
  semantic: 'name' | 'name+wordnet';
  zsModel?: 'generator' | 'compat';
  zsSteps?: number;
  zsPenalty?: number;
}

/** Adds --task, --semantic, --zs-model, --zs-steps, --zs-penalty to `cmd`. */
export function addZeroShotOptions(cmd: Command, positiveInt: (v: string) => number): Command {
  return cmd
    .addOption(
      new Option(
        '--task <task>',
        "task mode (default: from the dataset's ppfm.json, else classification)",
      ).choices(['classification', 'zero-shot']),
    )
    .addOption(
      new Option('--semantic <variant>', 'zero-shot: built-in class vectors')
        .choices(['name', 'name+wordnet'])
        .default('name+wordnet'),
    )
    .addOption(new Option('--zs-model <model>', 'zero-shot model').choices(['generator', 'compat']))
    .option('--zs-steps <n>', 'zero-shot: SGD steps per round of each part', positiveInt)
    .option(
      '--zs-penalty <p>',
      'zero-shot: GZSL calibrated-stacking penalty on the seen classes (default 0)',
      (v) => {
        const n = Number(v);
        if (!Number.isFinite(n) || n < 0)
          throw new UsageError(`--zs-penalty: expected a number >= 0, got "${v}"`);
        return n;
      },
    );
}

/** The task mode of a dataset dir's ppfm.json: zero-shot when it carries `zeroShot`. */
async function manifestTask(data: string): Promise<'zero-shot' | undefined> {
  const text = await fs.readFile(join(data, 'ppfm.json'), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const o = JSON.parse(text) as { zeroShot?: unknown };
    return o.zeroShot !== undefined ? 'zero-shot' : undefined;
  } catch {
    return undefined; // the loader reports a bad ppfm.json with its file and line
  }
}

/** The peer's zero-shot options, or undefined in classification mode. */
export async function zeroShotOptions(
  flags: ZsStartFlags,
  data: string,
): Promise<ZsLearnerOptions | undefined> {
  const task = flags.task ?? (await manifestTask(data)) ?? 'classification';
  if (task !== 'zero-shot') return undefined;
  return {
    variant: flags.semantic,
    ...(flags.zsModel !== undefined ? { model: flags.zsModel } : {}),
    ...(flags.zsSteps !== undefined ? { steps: flags.zsSteps } : {}),
    ...(flags.zsPenalty !== undefined ? { seenPenalty: flags.zsPenalty } : {}),
  };
}
