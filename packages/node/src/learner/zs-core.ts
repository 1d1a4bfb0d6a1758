// The learning engine in zero-shot mode (issue 15): meta's zero-shot rule (zsMemberUpdate,
// headStep over the shared part, zsPersonalise, zsEvaluate) on the peer's data. The cluster model
// (what is fetched, pushed and announced) is the input scaler + zsShared: encoder, projection,
// generator. The classifier (and the GAN discriminator) is this engine's own state and never
// leaves it: no call returns it.
import {
  alignTable,
  builtinSemanticTable,
  computeFingerprint,
  defaultModelSpec,
  featureCount,
  headStep,
  isScalerTensor,
  loadDataset,
  makeZsTask,
  ppfmSeeds,
  readZeroShotManifest,
  SEMANTIC_DATASET_CLASSES,
  SEMANTIC_DATASETS,
  SCALER_SCALE,
  SCALER_SHIFT,
  selectBackend,
  zeroShotSplit,
  zsEvaluate,
  zsInit,
  zsLogits,
  zsMemberUpdate,
  zsPersonalise,
  type Dataset,
  type EvalResult,
  type SemanticTable,
  type TaskModel,
  type WeightSet,
  type ZsState,
  type ZsTask,
} from '@ppfm/meta';
import type {
  AugmentArgs,
  AugmentOutcome,
  SharedSet,
  HeadRoundArgs,
  HeadRoundResult,
  LearnerInfo,
  LearnerInit,
  PersonalResult,
  TrainResult,
  ZsEvalResult,
  ZsLearnerOptions,
} from './learner.js';

/** The class table of a dataset: its ppfm.json's classEmbeddings, else the built-in table whose classes it has. */
async function tableFor(
  ds: Dataset,
  dir: string | undefined,
  opts: ZsLearnerOptions,
): Promise<SemanticTable> {
  const names = ds.classNames ?? [];
  if (opts.table !== undefined) return alignTable(opts.table, names);
  if (dir !== undefined) {
    const m = await readZeroShotManifest(dir, names);
    if (m.table !== undefined) return m.table;
  }
  for (const d of SEMANTIC_DATASETS) {
    const known = SEMANTIC_DATASET_CLASSES[d] as readonly string[];
    if (names.length > 0 && names.every((n) => known.includes(n)))
      return alignTable(await builtinSemanticTable(d, opts.variant), names);
  }
  throw new Error(
    `zero-shot: no class table for ${ds.name} (classes ${names.join(', ') || 'unnamed'}): ` +
      'put classEmbeddings in its ppfm.json (ppfm classes embed)',
  );
}

/** Cross-entropy, accuracy and balanced accuracy of logits over every class (the checks' currency). */
function evalOf(logits: Float32Array, y: Int32Array, C: number): EvalResult {
  let loss = 0;
  let hits = 0;
  const seen = new Float64Array(C);
  const right = new Float64Array(C);
  for (let i = 0; i < y.length; i++) {
    const row = logits.subarray(i * C, (i + 1) * C);
    let max = -Infinity;
    let arg = 0;
    for (let c = 0; c < C; c++) if (row[c]! > max) [max, arg] = [row[c]!, c];
    let z = 0;
    for (let c = 0; c < C; c++) z += Math.exp(row[c]! - max);
    const t = y[i]!;
    loss += Math.log(z) - (row[t]! - max);
    seen[t]! += 1;
    if (arg === t) {
      hits++;
      right[t]! += 1;
    }
  }
  const present = [...seen.keys()].filter((c) => seen[c]! > 0);
  return {
    loss: y.length > 0 ? loss / y.length : NaN,
    acc: y.length > 0 ? hits / y.length : 0,
    balancedAcc:
      present.length > 0 ? present.reduce((a, c) => a + right[c]! / seen[c]!, 0) / present.length : 0,
  };
}

/** The zero-shot engine state: the peer's splits, its table and task, and its local part. */
export class ZsLearnerCore {
  private local: WeightSet;
  private constructor(
    readonly info: LearnerInfo,
    private readonly init: LearnerInit,
    private readonly table: SemanticTable,
    private readonly unseen: number[],
    private readonly train: Dataset,
    private readonly val: Dataset,
    private readonly zs: ZsLearnerOptions,
  ) {
    this.local = zsInit(this.taskFor(undefined)).local;
  }

  /** Loads the data, finds the class table and the unseen classes, splits with every unseen sample held out. */
  static async create(init: LearnerInit, zs: ZsLearnerOptions): Promise<ZsLearnerCore> {
    const backend = await selectBackend(init.backend);
    const dir = typeof init.data === 'string' ? init.data : undefined;
    const ds = typeof init.data === 'string' ? await loadDataset(init.data) : init.data;
    const table = await tableFor(ds, dir, zs);
    const manifest = dir !== undefined ? await readZeroShotManifest(dir, ds.classNames ?? []) : {};
    const unseen = [...(zs.unseen ?? manifest.unseen ?? [])].sort((a, b) => a - b);
    const { train, val } = zeroShotSplit(ds, unseen, {
      valFraction: init.cfg.valFraction,
      seed: ppfmSeeds.split(init.seed),
    });
    // The spec only names the task for fingerprints and scaler sizing; the networks are zero-shot's.
    const task: TaskModel = {
      spec: defaultModelSpec(ds.inputShape, ds.numClasses),
      inputShape: [...ds.inputShape],
      numClasses: ds.numClasses,
    };
    const probe = makeZsTask(
      table,
      task.inputShape,
      seenOf(ds.numClasses, unseen),
      unit(task),
      init.cfg.initSeed,
      {
        ...zs.config,
        ...(zs.model !== undefined ? { method: zs.model } : {}),
      },
    );
    const info: LearnerInfo = {
      backend,
      dataName: ds.name,
      samples: ds.y.length,
      trainSamples: train.y.length,
      task,
      fingerprint: computeFingerprint(train, { dims: init.cfg.fingerprintDims }),
      netInit: zsInit(probe).shared,
    };
    return new ZsLearnerCore(info, init, table, unseen, train, val, zs);
  }

  /** The task under a cluster model's input scaler (its pooled moments are the zero-shot input scale). */
  private taskFor(theta: WeightSet | undefined): ZsTask {
    const t = this.info.task;
    const shift = theta?.find((w) => w.name === SCALER_SHIFT)?.values;
    const scale = theta?.find((w) => w.name === SCALER_SCALE)?.values;
    const input =
      shift !== undefined && scale !== undefined
        ? { mean: Float32Array.from(shift), std: Float32Array.from(scale, (s) => (s > 0 ? 1 / s : 1)) }
        : unit(t);
    return makeZsTask(
      this.table,
      t.inputShape,
      seenOf(t.numClasses, this.unseen),
      input,
      this.init.cfg.initSeed,
      {
        ...this.zs.config,
        ...(this.zs.model !== undefined ? { method: this.zs.model } : {}),
        ...(this.zs.steps !== undefined
          ? { encoderSteps: this.zs.steps, generatorSteps: this.zs.steps, classifierSteps: this.zs.steps }
          : {}),
        ...(this.zs.seenPenalty !== undefined ? { seenPenalty: this.zs.seenPenalty } : {}),
      },
    );
  }

  private state(theta: WeightSet): ZsState {
    return { shared: theta.filter((t) => !isScalerTensor(t.name)), local: this.local };
  }

  private async evalOn(task: ZsTask, st: ZsState, data: Dataset): Promise<ZsEvalResult> {
    const base = evalOf(await zsLogits(task, st, data), data.y, task.numClasses);
    if (!data.y.some((c) => this.unseen.includes(c)) || this.unseen.length === 0) return base;
    return { ...base, zs: await zsEvaluate(task, st, data, this.unseen) };
  }

  /** Member update: the shared part's delta (scaler tensors: zero); the new classifier stays here. */
  async trainFrom(theta: WeightSet, seed: number): Promise<TrainResult> {
    const t0 = performance.now();
    const task = this.taskFor(theta);
    const before = evalOf(await zsLogits(task, this.state(theta), this.train), this.train.y, task.numClasses);
    const st = this.state(theta);
    const r = await zsMemberUpdate(task, st.shared, st.local, this.train, { seed });
    this.local = r.local;
    const byName = new Map(r.delta.map((t) => [t.name, t]));
    const delta = theta.map(
      (t) =>
        byName.get(t.name) ?? {
          name: t.name,
          shape: [...t.shape],
          values: new Float32Array(t.values.length),
        },
    );
    const next = theta.map((t, i) => ({
      ...t,
      values: t.values.map((v, j) => v + delta[i]!.values[j]!),
    }));
    const after = evalOf(await zsLogits(task, this.state(next), this.train), this.train.y, task.numClasses);
    const ms = performance.now() - t0;
    if (!Number.isFinite(after.loss))
      return {
        kind: 'diverged',
        reason: `loss ${after.loss}`,
        lossBefore: before.loss,
        lossAfter: after.loss,
        ms,
      };
    return {
      kind: 'update',
      delta,
      samples: this.train.y.length,
      lossBefore: before.loss,
      lossAfter: after.loss,
      ms,
    };
  }

  /** Loss-based clustering is off in zero-shot mode (one cluster per task); the model is returned as is. */
  warmup(from: WeightSet): Promise<WeightSet> {
    return Promise.resolve(from);
  }

  /** Loss and accuracy over every class with this peer's classifier; zsl/gzsl where the split has unseen classes. */
  evaluate(weights: WeightSet, split: 'train' | 'val'): Promise<ZsEvalResult> {
    return this.evalOn(this.taskFor(weights), this.state(weights), split === 'train' ? this.train : this.val);
  }

  /** The head's step over the shared part (meta's headStep: screening, aggregator; no global level), checked on its data. */
  async headRound(a: HeadRoundArgs): Promise<HeadRoundResult> {
    const r = headStep({ ...a, others: [], global: undefined, cfg: this.init.cfg });
    const task = this.taskFor(a.theta);
    const before = evalOf(
      await zsLogits(task, this.state(a.theta), this.train),
      this.train.y,
      task.numClasses,
    );
    const after = evalOf(
      await zsLogits(task, this.state(r.theta), this.train),
      this.train.y,
      task.numClasses,
    );
    const verdict = Number.isFinite(after.loss)
      ? ({ ok: true } as const)
      : ({ ok: false, reason: `candidate loss is ${after.loss}` } as const);
    return {
      theta: verdict.ok ? r.theta : a.theta,
      global: undefined,
      discarded: r.discarded,
      aggregator: r.aggregator,
      verdict,
      before,
      after,
    };
  }

  /** Zero-shot data augmentation needs a batch-norm classifier over seen labels: not this task's. */
  augment(_args: AugmentArgs): Promise<AugmentOutcome> {
    return Promise.reject(new Error('--augment is not available with --task zero-shot'));
  }

  /** No head sets either: augmentation is off in zero-shot mode. */
  share(_set: SharedSet): Promise<void> {
    return Promise.reject(new Error('--augment is not available with --task zero-shot'));
  }

  /** Refits the local classifier on `theta` (zsPersonalise), evaluates before/after on the held-out split. */
  async personalise(theta: WeightSet, seed: number): Promise<PersonalResult> {
    const task = this.taskFor(theta);
    const before = await this.evalOn(task, this.state(theta), this.val);
    const st = await zsPersonalise(task, this.state(theta), this.train, seed);
    this.local = st.local;
    const after = await this.evalOn(task, st, this.val);
    // The personal model kept on disk is the shared part only: the classifier is not written out.
    return { before, after, weights: theta };
  }
}

function seenOf(numClasses: number, unseen: readonly number[]): number[] {
  return Array.from({ length: numClasses }, (_, c) => c).filter((c) => !unseen.includes(c));
}

function unit(task: TaskModel): { mean: Float32Array; std: Float32Array } {
  const d = featureCount(task);
  return { mean: new Float32Array(d), std: new Float32Array(d).fill(1) };
}
