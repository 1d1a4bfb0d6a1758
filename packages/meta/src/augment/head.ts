import { trainLocal } from '../train.js';
import type { Dataset, WeightSet } from '../types.js';
import { isRunningStat } from '../model-spec.js';
import { scaleDataset } from '../ppfm/scaled-data.js';
import { splitModel, withScaler } from '../ppfm/scaler.js';
import { synthesiseFrom, type AugmentReport, type SynthesisSettings } from './sources.js';
import type { TaskModel } from './types.js';

/** Options of headFineTune. */
export interface HeadFineTuneOptions extends SynthesisSettings {
  /** Synthetic samples per class of the task (default 20). */
  perClass?: number;
  /** Fine-tuning SGD steps on the synthetic set (default 20), mini-batch size (32) and learning rate (0.05). */
  fineTuneSteps?: number;
  batchSize?: number;
  fineTuneLr?: number;
}

/** Defaults of headFineTune's fine-tuning (measured: see docs/fedzda.md). */
export const HEAD_DEFAULTS = { perClass: 20, fineTuneSteps: 20, batchSize: 32, fineTuneLr: 0.05 };

/**
 * Head augmentation (FedZDA, server side): synthesises a class-balanced set from the aggregate `theta`
 * (classes it has not seen from teachers, e.g. other clusters' models) and fine-tunes `theta` on it before the head publishes. The running statistics are kept from `theta`:
 * they describe the members' real data, which synthetic batches must not overwrite. Returns the synthetic
 * set too, for a head that also hands it to its members (see docs/fedzda.md).
 */
export async function headFineTune(
  task: TaskModel,
  theta: WeightSet,
  opts: HeadFineTuneOptions,
): Promise<{ weights: WeightSet; samples: Dataset; report: AugmentReport }> {
  const start = performance.now();
  const perClass = opts.perClass ?? HEAD_DEFAULTS.perClass;
  const need = new Map(Array.from({ length: task.numClasses }, (_, c) => [c, perClass]));
  const r = await synthesiseFrom(task, theta, need, opts);
  const synthetic: Dataset = {
    name: 'zda-head',
    inputShape: [...task.inputShape],
    numClasses: task.numClasses,
    x: r.x,
    y: r.y,
  };
  // The network trains behind the model's scaler, on the synthetic set seen through it.
  const { scaler, net } = splitModel(theta);
  const tunedNet = await trainLocal(
    task.spec,
    task.inputShape,
    task.numClasses,
    net,
    scaleDataset(synthetic, scaler),
    {
      steps: opts.fineTuneSteps ?? HEAD_DEFAULTS.fineTuneSteps,
      batchSize: opts.batchSize ?? HEAD_DEFAULTS.batchSize,
      lr: opts.fineTuneLr ?? HEAD_DEFAULTS.fineTuneLr,
      seed: opts.seed,
    },
  );
  const tuned = scaler === undefined ? tunedNet : withScaler(tunedNet, scaler);
  const weights = tuned.map((t, i) => (isRunningStat(t.name) ? theta[i]! : t));
  return {
    weights,
    samples: synthetic,
    report: { ...r.report, ms: performance.now() - start },
  };
}
