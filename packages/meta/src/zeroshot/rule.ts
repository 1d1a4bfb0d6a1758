/**
 * The federated zero-shot rule, symmetric to the classification rule: a member trains the shared part
 * (generator, and the encoder + projection when trained) and its local part (classifier, discriminator) on
 * its own classes, and sends only the difference of the shared part; the head aggregates those
 * differences and takes a Reptile step. The local part never leaves the peer.
 */
import { aggregate, DEFAULT_TRIM, type Aggregator, type WeightedDelta } from '../aggregate.js';
import type { Dataset } from '../data/dataset.js';
import { reptileStep } from '../reptile.js';
import { deriveSeed } from '../rng.js';
import type { WeightSet } from '../types.js';
import { subtract } from '../weights.js';
import { classifierLogits, initClassifier, trainClassifier } from './classifier.js';
import { compatScores, trainCompat } from './compat.js';
import { encoderTrained, featuresOf, initEncoder } from './features.js';
import { initDiscriminator, initGenerator, trainGenerator } from './generator.js';
import { calibrate, zsScores, type ZsScores } from './metrics.js';
import { pick } from './nets.js';
import type { ZsTask } from './task.js';

/** A learner's weights: the shared part (aggregated in the cluster) and the local part (never sent). */
export interface ZsState {
  shared: WeightSet;
  local: WeightSet;
}

/** Tensor-name prefixes of the local part: the classifier and the discriminator. */
export const ZS_LOCAL_PREFIXES: readonly string[] = ['cls', 'disc'];
/** Tensor-name prefixes of the shared part: encoder, projection, generator. */
export const ZS_SHARED_PREFIXES: readonly string[] = ['enc', 'proj', 'gen'];

/** The names among `names` that belong to the shared part (what a member may send). */
export function zsShared(names: readonly string[]): string[] {
  return names.filter((n) => ZS_SHARED_PREFIXES.some((p) => n.startsWith(`${p}/`)));
}

/** Initial state: every peer with the same task and seed starts from the same shared part. */
export function zsInit(task: ZsTask, seed: number = task.seed): ZsState {
  const gen = task.config.method === 'generator';
  return {
    shared: [
      ...(encoderTrained(task) ? initEncoder(task, seed) : []),
      ...(gen ? initGenerator(task, seed) : []),
    ],
    local: gen
      ? [
          ...initClassifier(task, seed),
          ...(task.config.generatorLoss === 'gan' ? initDiscriminator(task, seed) : []),
        ]
      : [],
  };
}

/** What a member produces in a round: the shared part's difference (sent) and its new local part (kept). */
export interface ZsMemberUpdate {
  delta: WeightSet;
  local: WeightSet;
}

/** Options of zsMemberUpdate. */
export interface ZsUpdateOptions {
  /** Seed of the round's batches and noise (derive it from run seed, round and peer). */
  seed: number;
}

/**
 * One member update on the peer's training split (seen classes only): trains the encoder with the
 * compatibility loss (when trained), then the generator on the encoder's features of the peer's classes,
 * then the local classifier on real and generated features. Returns the shared tensors' delta only.
 */
export async function zsMemberUpdate(
  task: ZsTask,
  shared: WeightSet,
  local: WeightSet,
  train: Dataset,
  opts: ZsUpdateOptions,
): Promise<ZsMemberUpdate> {
  const c = task.config;
  let enc = pick(shared, ['enc', 'proj']);
  if (encoderTrained(task))
    enc = await trainCompat(task, enc, train, c.encoderSteps, deriveSeed(opts.seed, 'enc'));
  let next = enc;
  let nextLocal = local;
  if (c.method === 'generator') {
    const feats = await featuresOf(task, enc, train.x);
    const { gen, disc } = await trainGenerator(
      task,
      pick(shared, ['gen']),
      pick(local, ['disc']),
      feats,
      train.y,
      c.generatorSteps,
      deriveSeed(opts.seed, 'gen'),
    );
    const cls = await trainClassifier(
      task,
      pick(local, ['cls']),
      gen,
      feats,
      train.y,
      c.classifierSteps,
      deriveSeed(opts.seed, 'cls'),
    );
    next = [...enc, ...gen];
    nextLocal = [...cls, ...disc];
  }
  const byName = new Map(next.map((t) => [t.name, t]));
  const ordered = shared.map((t) => byName.get(t.name) ?? t);
  return { delta: subtract(ordered, shared), local: nextLocal };
}

/** Options of zsAggregate (the head's step). */
export interface ZsAggregateOptions {
  aggregator?: Aggregator;
  trim?: number;
  /** Reptile step size (1 with the mean = FedAvg). */
  eps?: number;
}

/** The head's step: shared + eps * aggregate(deltas) (sample-weighted mean by default). */
export function zsAggregate(
  shared: WeightSet,
  updates: WeightedDelta[],
  opts: ZsAggregateOptions = {},
): WeightSet {
  if (updates.length === 0) return shared;
  return reptileStep(
    shared,
    aggregate(updates, opts.aggregator ?? 'mean', opts.trim ?? DEFAULT_TRIM),
    opts.eps ?? 1,
  );
}

/** Refits the local classifier on the final shared part (generator method; other methods: unchanged). */
export async function zsPersonalise(
  task: ZsTask,
  state: ZsState,
  train: Dataset,
  seed: number,
): Promise<ZsState> {
  if (task.config.method !== 'generator') return state;
  const feats = await featuresOf(task, pick(state.shared, ['enc', 'proj']), train.x);
  const cls = await trainClassifier(
    task,
    pick(state.local, ['cls']),
    pick(state.shared, ['gen']),
    feats,
    train.y,
    task.config.personaliseSteps,
    deriveSeed(seed, 'personalise'),
  );
  return { shared: state.shared, local: [...cls, ...pick(state.local, ['disc'])] };
}

/** Logits over every class of the task for each sample of `data`. */
export async function zsLogits(task: ZsTask, state: ZsState, data: Dataset): Promise<Float32Array> {
  if (task.config.method === 'compat') return compatScores(task, pick(state.shared, ['enc', 'proj']), data.x);
  const feats = await featuresOf(task, pick(state.shared, ['enc', 'proj']), data.x);
  return classifierLogits(task, pick(state.local, ['cls']), feats);
}

/**
 * ZSL and GZSL scores on a held-out split; `unseen` are the classes nobody in the federation trained on.
 * The task's seenPenalty (calibrated stacking) applies to its seen classes.
 */
export async function zsEvaluate(
  task: ZsTask,
  state: ZsState,
  heldOut: Dataset,
  unseen: readonly number[],
): Promise<ZsScores> {
  const logits = calibrate(
    await zsLogits(task, state, heldOut),
    task.numClasses,
    task.seen,
    task.config.seenPenalty,
  );
  return zsScores(logits, heldOut.y, task.numClasses, unseen);
}
