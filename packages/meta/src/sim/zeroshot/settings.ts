/** The zero-shot settings: clusters of peers running the rule (alone, grouped, federated) and pooled data. */
import { concatDatasets, selectSamples, type Dataset } from '../../data/dataset.js';
import { createRng, deriveSeed } from '../../rng.js';
import { add } from '../../weights.js';
import { bestPenalty, calibrate, zsScores, type ZsScores } from '../../zeroshot/metrics.js';
import {
  zsAggregate,
  zsInit,
  zsLogits,
  zsMemberUpdate,
  zsPersonalise,
  type ZsState,
} from '../../zeroshot/rule.js';
import type { SemanticTable } from '../../zeroshot/semantic.js';
import { inputScale, makeZsTask, type ZsConfig, type ZsTask } from '../../zeroshot/task.js';
import { mixSeed } from '../context.js';
import type { ZsSimContext } from './context.js';
import type { ZsRow, ZsSetting } from './types.js';

/** Per-peer scores of one setting, uncalibrated and with the seen penalty. */
interface PeerResult {
  raw: ZsScores;
  calibrated: ZsScores;
}

function classesOf(ds: Dataset): number[] {
  return [...new Set(ds.y)].sort((a, b) => a - b);
}

/** A learner's task: the classes of its training data are its seen classes, its inputs set the units. */
function taskFor(
  ctx: ZsSimContext,
  table: SemanticTable,
  train: Dataset[],
  config: Partial<ZsConfig>,
): ZsTask {
  const seen = [...new Set(train.flatMap(classesOf))];
  return makeZsTask(table, ctx.inputShape, seen, inputScale(train), ctx.opts.seed, config);
}

async function score(
  task: ZsTask,
  state: ZsState,
  val: Dataset,
  unseen: number[],
  penalty: number,
): Promise<PeerResult> {
  const logits = await zsLogits(task, state, val);
  return {
    raw: zsScores(logits, val.y, task.numClasses, unseen),
    calibrated: zsScores(
      calibrate(logits, task.numClasses, task.seen, penalty),
      val.y,
      task.numClasses,
      unseen,
    ),
  };
}

/**
 * Runs the rule for `rounds` rounds in each cluster (lists of peer indices): members train from the
 * cluster's shared part, the head aggregates their deltas (sample-weighted mean, eps 1), local parts stay
 * with their peer; then every peer refits its classifier on the final shared part and is scored.
 */
export async function runClusters(
  ctx: ZsSimContext,
  table: SemanticTable,
  config: Partial<ZsConfig>,
  clusters: number[][],
  penalty: number,
  onRound: (round: number) => void,
): Promise<PeerResult[]> {
  const out: PeerResult[] = new Array(ctx.peers.length);
  const tasks = clusters.map((members) =>
    taskFor(
      ctx,
      table,
      members.map((i) => ctx.peers[i]!.train),
      config,
    ),
  );
  const shared = tasks.map((t) => zsInit(t).shared);
  const local = new Map<number, ZsState['local']>();
  clusters.forEach((members, k) => members.forEach((i) => local.set(i, zsInit(tasks[k]!).local)));
  for (let round = 1; round <= ctx.opts.rounds; round++) {
    for (let k = 0; k < clusters.length; k++) {
      const updates = [];
      for (const i of clusters[k]!) {
        const peer = ctx.peers[i]!;
        const u = await zsMemberUpdate(tasks[k]!, shared[k]!, local.get(i)!, peer.train, {
          seed: mixSeed(ctx.opts.seed, 101, round, i),
        });
        local.set(i, u.local);
        updates.push({ delta: u.delta, weight: peer.train.y.length });
      }
      shared[k] = zsAggregate(shared[k]!, updates);
    }
    onRound(round);
  }
  for (let k = 0; k < clusters.length; k++) {
    for (const i of clusters[k]!) {
      const peer = ctx.peers[i]!;
      const state = await zsPersonalise(
        tasks[k]!,
        { shared: shared[k]!, local: local.get(i)! },
        peer.train,
        mixSeed(ctx.opts.seed, 202, i),
      );
      out[i] = await score(tasks[k]!, state, peer.val, ctx.zeroShot.unseen, penalty);
    }
  }
  return out;
}

/** Steps scaled by the number of peers, so one pooled learner gets the compute of the whole federation. */
function scaledConfig(config: Partial<ZsConfig>, task: ZsTask, peers: number): Partial<ZsConfig> {
  const c = task.config;
  return {
    ...config,
    encoderSteps: c.encoderSteps * peers,
    generatorSteps: c.generatorSteps * peers,
    classifierSteps: c.classifierSteps * peers,
  };
}

/** Trains one learner on `train` for the run's rounds with the federation's compute; returns its state. */
async function trainPooled(
  ctx: ZsSimContext,
  table: SemanticTable,
  config: Partial<ZsConfig>,
  train: Dataset,
  onRound: (round: number) => void,
): Promise<{ task: ZsTask; state: ZsState }> {
  const base = taskFor(ctx, table, [train], config);
  const task = taskFor(ctx, table, [train], scaledConfig(config, base, ctx.peers.length));
  let state = zsInit(task);
  for (let round = 1; round <= ctx.opts.rounds; round++) {
    const u = await zsMemberUpdate(task, state.shared, state.local, train, {
      seed: mixSeed(ctx.opts.seed, 101, round),
    });
    state = { shared: add(state.shared, u.delta), local: u.local };
    onRound(round);
  }
  state = await zsPersonalise(task, state, train, mixSeed(ctx.opts.seed, 202));
  return { task, state };
}

/** Every seen sample in one place; the one model is scored on every peer's held-out split. */
export async function runPooled(
  ctx: ZsSimContext,
  table: SemanticTable,
  config: Partial<ZsConfig>,
  penalty: number,
  onRound: (round: number) => void,
): Promise<PeerResult[]> {
  const { task, state } = await trainPooled(ctx, table, config, ctx.pooledTrain, onRound);
  const out: PeerResult[] = [];
  for (const peer of ctx.peers) out.push(await score(task, state, peer.val, ctx.zeroShot.unseen, penalty));
  return out;
}

/**
 * Chooses the GZSL seen penalty without looking at the unseen classes: some seen classes (as many, in
 * proportion, as the test holds out) become pseudo-unseen, a pooled learner trains on the rest, and the
 * penalty maximising H on the pseudo-unseen classes is returned.
 */
export async function choosePenalty(
  ctx: ZsSimContext,
  table: SemanticTable,
  config: Partial<ZsConfig>,
  onRound: (round: number) => void,
): Promise<{ penalty: number; validationClasses: number[]; h: number }> {
  const { seen, unseen } = ctx.zeroShot;
  const k = Math.max(
    1,
    Math.min(seen.length - 1, Math.round((seen.length * unseen.length) / table.classNames.length)),
  );
  const pseudo = createRng(deriveSeed(ctx.opts.seed, 'zeroshot', 'validation'))
    .shuffle([...seen])
    .slice(0, k)
    .sort((a, b) => a - b);
  const isPseudo = (c: number): boolean => pseudo.includes(c);
  const pick = (ds: Dataset, keep: (c: number) => boolean): Dataset => {
    const idx: number[] = [];
    ds.y.forEach((c, i) => keep(c) && idx.push(i));
    return selectSamples(ds, idx);
  };
  const train = pick(ctx.pooledTrain, (c) => !isPseudo(c));
  const val = concatDatasets(
    [...ctx.peers.map((p) => pick(p.val, (c) => !unseen.includes(c))), pick(ctx.pooledTrain, isPseudo)],
    'validation',
  );
  const { task, state } = await trainPooled(ctx, table, config, train, onRound);
  const best = bestPenalty(await zsLogits(task, state, val), val.y, task.numClasses, task.seen, pseudo);
  return { penalty: best.penalty, validationClasses: pseudo, h: best.scores.h };
}

function meanOf(xs: number[]): number {
  const ok = xs.filter((x) => Number.isFinite(x));
  return ok.length === 0 ? NaN : ok.reduce((a, b) => a + b, 0) / ok.length;
}

function meanScores(s: ZsScores[]): ZsScores {
  return {
    zsl: meanOf(s.map((x) => x.zsl)),
    seen: meanOf(s.map((x) => x.seen)),
    unseen: meanOf(s.map((x) => x.unseen)),
    h: meanOf(s.map((x) => x.h)),
  };
}

/** The row of a setting: means over peers. */
export function toRow(setting: ZsSetting, variant: string, results: PeerResult[], seconds: number): ZsRow {
  return {
    setting,
    variant,
    raw: meanScores(results.map((r) => r.raw)),
    calibrated: meanScores(results.map((r) => r.calibrated)),
    peerZsl: results.map((r) => r.raw.zsl),
    peerH: results.map((r) => r.calibrated.h),
    seconds,
  };
}
