// Task level on RAW data: every function here scales the data with the model's own scaler (cached)
// and trains/evaluates the network behind it. The scaler itself is never trained.
import { selectSamples, splitDataset } from '../data/index.js';
import { evaluate, type EvalResult } from '../evaluate.js';
import type { PpfmConfig } from '../config.js';
import type { PersonaliseResult } from '../personalise.js';
import { createRng, deriveSeed } from '../rng.js';
import { trainLocal, type TrainOptions } from '../train.js';
import type { Dataset, WeightSet } from '../types.js';
import { allFinite, subtract } from '../weights.js';
import { scaleDataset } from './scaled-data.js';
import { splitModel, withScaler, type Scaler } from './scaler.js';
import type { TaskModel } from './task.js';

/** What a member sends its head after local training, or why it sends nothing. */
export type MemberResult =
  | { kind: 'update'; delta: WeightSet; samples: number; lossBefore: number; lossAfter: number }
  | { kind: 'diverged'; reason: string; lossBefore: number; lossAfter: number };

/** The inner-loop options of a config (steps or epochs, optimiser, clipping). */
export function innerOptions(cfg: PpfmConfig, seed: number): TrainOptions {
  return {
    ...(cfg.innerSteps !== undefined ? { steps: cfg.innerSteps } : { epochs: cfg.innerEpochs }),
    batchSize: cfg.batchSize,
    optimizer: cfg.optimizer,
    lr: cfg.lr,
    momentum: cfg.momentum,
    clipNorm: cfg.clipNorm,
    seed,
  };
}

/** Evaluates a model (scaler included) on raw data: accuracy, loss, balanced accuracy. */
export async function evaluateModel(task: TaskModel, ws: WeightSet, data: Dataset): Promise<EvalResult> {
  const { scaler, net } = splitModel(ws);
  return evaluate(task.spec, task.inputShape, task.numClasses, net, scaleDataset(data, scaler));
}

/**
 * Why a local run counts as diverged (undefined: it did not): a non-finite loss or weight, or a loss
 * that exploded (above 10x the starting loss and above 3 ln C, i.e. far worse than guessing).
 */
export function divergence(
  lossBefore: number,
  lossAfter: number,
  numClasses: number,
  weights: WeightSet,
): string | undefined {
  if (!Number.isFinite(lossAfter)) return `loss is ${lossAfter} after training`;
  if (!allFinite(weights)) return 'weights are not finite after training';
  const chance = Math.log(Math.max(2, numClasses));
  if (lossAfter > 3 * chance && (!Number.isFinite(lossBefore) || lossAfter > 10 * lossBefore))
    return `loss exploded from ${lossBefore.toPrecision(3)} to ${lossAfter.toPrecision(3)}`;
  return undefined;
}

/** Samples memberUpdate scores before and after training (enough to see divergence, cheap to run). */
export const PROBE_SAMPLES = 256;
const PROBE_SEED = 0x9e37;
const probes = new WeakMap<Dataset, Dataset>();

/** A fixed seeded subset of at most PROBE_SAMPLES samples of `data` (cached; the data itself if small). */
function probeOf(data: Dataset): Dataset {
  const n = data.y.length;
  if (n <= PROBE_SAMPLES) return data;
  let p = probes.get(data);
  if (p === undefined) {
    const order = createRng(PROBE_SEED).shuffle(Array.from({ length: n }, (_, i) => i));
    p = selectSamples(
      data,
      order.slice(0, PROBE_SAMPLES).sort((a, b) => a - b),
    );
    probes.set(data, p);
  }
  return p;
}

function zeroScaler(s: Scaler): Scaler {
  return { shift: new Float32Array(s.shift.length), scale: new Float32Array(s.scale.length) };
}

/**
 * Task-level training: the inner loop from `theta` (scaler included) on the member's RAW train split.
 * Returns the difference to send (scaler deltas zero) with the loss before and after training (on a
 * fixed subset of at most PROBE_SAMPLES train samples), or `diverged` (nothing to send) when the
 * divergence guard trips.
 */
export async function memberUpdate(
  task: TaskModel,
  theta: WeightSet,
  train: Dataset,
  cfg: PpfmConfig,
  seed: number,
): Promise<MemberResult> {
  const { spec, inputShape, numClasses } = task;
  const { scaler, net } = splitModel(theta);
  const data = scaleDataset(train, scaler);
  const probe = scaleDataset(probeOf(train), scaler);
  const lossBefore = (await evaluate(spec, inputShape, numClasses, net, probe)).loss;
  const trained = await trainLocal(spec, inputShape, numClasses, net, data, innerOptions(cfg, seed));
  const lossAfter = (await evaluate(spec, inputShape, numClasses, trained, probe)).loss;
  const reason = divergence(lossBefore, lossAfter, numClasses, trained);
  if (reason !== undefined) return { kind: 'diverged', reason, lossBefore, lossAfter };
  const delta = subtract(trained, net);
  return {
    kind: 'update',
    delta: scaler === undefined ? delta : withScaler(delta, zeroScaler(scaler)),
    samples: train.y.length,
    lossBefore,
    lossAfter,
  };
}

/**
 * The warm-up model of loss-based clustering: one inner loop from `init` on the peer's own data.
 * A diverged warm-up returns `init` unchanged (a model that says nothing beats one that is noise).
 */
export async function warmupModel(
  task: TaskModel,
  init: WeightSet,
  train: Dataset,
  cfg: PpfmConfig,
  seed: number,
): Promise<WeightSet> {
  const r = await memberUpdate(task, init, train, cfg, seed);
  if (r.kind === 'diverged') return init;
  const out = init.map((t, i) => {
    const d = r.delta[i]!.values;
    const values = new Float32Array(t.values.length);
    for (let j = 0; j < values.length; j++) values[j] = t.values[j]! + d[j]!;
    return { name: t.name, shape: [...t.shape], values };
  });
  return out;
}

/** Fewest train samples for which personalisation holds some back to choose its step count. */
const MIN_HOLDOUT_SAMPLES = 20;
/** Fewest steps between two holdout checks (otherwise about one pass over the adaptation part). */
const MIN_CHECK_STEPS = 10;
/** Checks without a new best holdout loss before adaptation stops early. */
const PATIENCE = 5;

/**
 * The adaptation of `net` chosen on held-back train data: adapt on the rest, check the held-back
 * loss about once per pass, stop after PATIENCE checks without a new best or at cfg.adaptSteps,
 * return the best checkpoint (`net` itself when nothing beat it).
 */
async function adaptWithHoldout(
  task: TaskModel,
  net: WeightSet,
  scaledTrain: Dataset,
  cfg: PpfmConfig,
  seed: number,
): Promise<WeightSet> {
  const { spec, inputShape, numClasses } = task;
  const parts = splitDataset(scaledTrain, {
    valFraction: cfg.adaptHoldout,
    seed: deriveSeed(seed, 'holdout'),
  });
  const check = Math.max(MIN_CHECK_STEPS, Math.ceil(parts.train.y.length / cfg.batchSize));
  let best = (await evaluate(spec, inputShape, numClasses, net, parts.val)).loss;
  let bestW = net;
  let w = net;
  let stale = 0;
  for (let done = 0, k = 0; done < cfg.adaptSteps && stale < PATIENCE; k++) {
    const steps = Math.min(check, cfg.adaptSteps - done);
    const opts = { ...innerOptions({ ...cfg, lr: cfg.adaptLr }, deriveSeed(seed, 'check', k)), steps };
    w = await trainLocal(spec, inputShape, numClasses, w, parts.train, opts);
    done += steps;
    const loss = (await evaluate(spec, inputShape, numClasses, w, parts.val)).loss;
    if (loss < best) {
      best = loss;
      bestW = w;
      stale = 0;
    } else {
      stale++;
    }
  }
  return bestW;
}

/**
 * Personalisation on RAW data: adapts `theta` on the train split and evaluates on `val` before and
 * after. With cfg.adaptHoldout > 0 (the default) how far to adapt is chosen on a held-back part of
 * the train split, never on `val` (adaptWithHoldout); without, cfg.adaptSteps steps on all of it.
 */
export async function personaliseModel(
  task: TaskModel,
  theta: WeightSet,
  train: Dataset,
  val: Dataset,
  cfg: PpfmConfig,
  seed: number,
): Promise<PersonaliseResult> {
  const { spec, inputShape, numClasses } = task;
  const { scaler, net } = splitModel(theta);
  const scaledVal = scaleDataset(val, scaler);
  const before = await evaluate(spec, inputShape, numClasses, net, scaledVal);
  const n = train.y.length;
  if (cfg.adaptSteps <= 0 || n === 0) return { before, after: before, weights: theta };
  const scaledTrain = scaleDataset(train, scaler);
  const holdOut = Math.round(n * cfg.adaptHoldout);
  const useHoldout = cfg.adaptHoldout > 0 && Math.min(holdOut, n - holdOut) >= MIN_HOLDOUT_SAMPLES / 2;
  const adapted = useHoldout
    ? await adaptWithHoldout(task, net, scaledTrain, cfg, seed)
    : await trainLocal(spec, inputShape, numClasses, net, scaledTrain, {
        ...innerOptions({ ...cfg, lr: cfg.adaptLr }, seed),
        steps: cfg.adaptSteps,
      });
  if (adapted === net) return { before, after: before, weights: theta };
  const after = await evaluate(spec, inputShape, numClasses, adapted, scaledVal);
  return { before, after, weights: scaler === undefined ? adapted : withScaler(adapted, scaler) };
}
