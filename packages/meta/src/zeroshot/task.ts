/** What a zero-shot learner knows about its task: classes, their semantic vectors, input units, settings. */
import { sampleLength, type Dataset } from '../data/dataset.js';
import type { SemanticTable } from './semantic.js';

/** The two zero-shot models. */
export type ZsMethod = 'generator' | 'compat';
export const ZS_METHODS: readonly ZsMethod[] = ['generator', 'compat'];

/**
 * Where the generator method's features come from: `fixed` (seeded random ReLU features every peer
 * derives from the task seed; nothing to train or send) or `federated` (an encoder trained with the
 * compatibility loss and aggregated with the generator).
 */
export type ZsEncoder = 'fixed' | 'federated';
/**
 * The space the generator works in: the encoder's features, or their projection into the semantic space
 * (normalised, times scoreScale), where features are aligned with the class vectors by training.
 */
export type ZsGeneratorSpace = 'features' | 'semantic';
/** The generator's loss: conditional moment matching (MMD) or a conditional GAN with a local discriminator. */
export type ZsGeneratorLoss = 'mmd' | 'gan';

/** Hyper-parameters of the zero-shot models (the same on every peer of a federation). */
export interface ZsConfig {
  method: ZsMethod;
  encoder: ZsEncoder;
  generatorLoss: ZsGeneratorLoss;
  /** Where generated features live (`semantic` needs a trained encoder). */
  generatorSpace: ZsGeneratorSpace;
  /** Hidden units of the trained encoder, and its feature size (the generator's output). */
  encoderHidden: number;
  features: number;
  /** Feature size of the fixed random encoder. */
  fixedFeatures: number;
  /** Noise dims and hidden units of the generator; hidden units of the GAN discriminator. */
  noise: number;
  generatorHidden: number;
  discriminatorHidden: number;
  /** Mini-batch steps per member update: encoder (compat loss), generator, local classifier. */
  encoderSteps: number;
  generatorSteps: number;
  classifierSteps: number;
  /** Steps of the classifier refit on the final shared model (zsPersonalise). */
  personaliseSteps: number;
  batchSize: number;
  /** Adam learning rates. */
  lr: number;
  generatorLr: number;
  /** Scale of the cosine compatibility scores (an inverse temperature). */
  scoreScale: number;
  /** Generated features per class in each classifier batch, relative to the real batch. */
  syntheticRatio: number;
  /** Whether the classifier also trains on the peer's real features (else on generated ones only). */
  classifierReal: boolean;
  /** GZSL calibrated stacking: subtracted from the seen classes' logits at evaluation (0: none). */
  seenPenalty: number;
}

/** Defaults (measured on Fashion-MNIST zeroshot:3, see docs/zeroshot.md). */
export const DEFAULT_ZS_CONFIG: ZsConfig = {
  method: 'generator',
  encoder: 'federated',
  generatorLoss: 'mmd',
  generatorSpace: 'semantic',
  encoderHidden: 128,
  features: 64,
  fixedFeatures: 512,
  noise: 16,
  generatorHidden: 0,
  discriminatorHidden: 128,
  encoderSteps: 12,
  generatorSteps: 12,
  classifierSteps: 12,
  personaliseSteps: 200,
  batchSize: 64,
  lr: 1e-3,
  generatorLr: 1e-3,
  scoreScale: 10,
  syntheticRatio: 1,
  classifierReal: true,
  seenPenalty: 0,
};

/** Per-feature standardisation: x' = (x - mean) / std. */
export interface InputScale {
  mean: Float32Array;
  std: Float32Array;
}

/** A zero-shot learner's task. */
export interface ZsTask {
  inputShape: number[];
  /** Number of classes (every class has a semantic vector). */
  numClasses: number;
  /** classes x dims, row-major, rows L2-normalised. */
  semantic: Float32Array;
  semanticDims: number;
  /** Classes this learner (or its federation) has training data of; the rest are generated or scored only. */
  seen: number[];
  input: InputScale;
  /** Seed of everything every peer must agree on (initial weights, the fixed encoder). */
  seed: number;
  config: ZsConfig;
}

/** The task for a table and a federation: `seen` are the classes some member trains on. */
export function makeZsTask(
  table: SemanticTable,
  inputShape: number[],
  seen: number[],
  input: InputScale,
  seed: number,
  config: Partial<ZsConfig> = {},
): ZsTask {
  const C = table.classNames.length;
  if (seen.length === 0 || seen.some((c) => !Number.isInteger(c) || c < 0 || c >= C))
    throw new Error(`zero-shot task: seen classes [${seen.join(', ')}] must be non-empty and in 0..${C - 1}`);
  const semantic = new Float32Array(C * table.dims);
  table.vectors.forEach((v, c) => semantic.set(v, c * table.dims));
  if (input.mean.length !== sampleLength(inputShape) || input.std.length !== input.mean.length)
    throw new Error(
      `zero-shot task: input scale has ${input.mean.length} features, input shape [${inputShape}]`,
    );
  return {
    inputShape: [...inputShape],
    numClasses: C,
    semantic,
    semanticDims: table.dims,
    seen: [...new Set(seen)].sort((a, b) => a - b),
    input,
    seed,
    config: { ...DEFAULT_ZS_CONFIG, ...config },
  };
}

/**
 * Per-feature mean and std pooled over datasets (what a federation computes from its members' moments).
 * A constant feature gets std 1; the models clip standardised values to +-INPUT_CLIP, so rare values of
 * near-constant features (image borders) cannot dominate, whatever the raw units.
 */
export function inputScale(datasets: Dataset[]): InputScale {
  const d = sampleLength(datasets[0]!.inputShape);
  const sum = new Float64Array(d);
  const sq = new Float64Array(d);
  let n = 0;
  for (const ds of datasets) {
    const rows = ds.y.length;
    n += rows;
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < d; j++) {
        const v = ds.x[i * d + j]!;
        sum[j]! += v;
        sq[j]! += v * v;
      }
    }
  }
  const mean = Float64Array.from(sum, (s) => s / Math.max(1, n));
  const std = Float32Array.from(sq, (s, j) => {
    const m = mean[j]!;
    const sd = Math.sqrt(Math.max(0, s / Math.max(1, n) - m * m));
    return sd > 1e-9 * (1 + Math.abs(m)) ? sd : 1;
  });
  return { mean: Float32Array.from(mean), std };
}

/** Standardised inputs are clipped to this many standard deviations. */
export const INPUT_CLIP = 5;
