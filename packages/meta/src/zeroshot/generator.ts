/**
 * The generator of the seed method: G(s_c, z) -> mid-level features of class c, trained per class on the
 * peer's real features. Losses: `mmd` (conditional generative moment matching: multi-bandwidth RBF MMD
 * plus mean matching, as in Bucher et al. 2017, where it beat GAN variants for generated ZSL features) or
 * `gan` (non-saturating conditional GAN against a local discriminator D(f, s_c), plus mean matching as a
 * stabiliser). The discriminator holds class-specific knowledge and never leaves the peer.
 */
import * as tf from '@tensorflow/tfjs-core';
import { EventLoopPacer } from '../batches.js';
import { createRng, deriveSeed, type Rng } from '../rng.js';
import type { WeightSet } from '../types.js';
import { featureSize, semanticRows, semanticSpace } from './features.js';
import { constants, disposeAll, initMlp, mlp, readBack, variables } from './nets.js';
import type { ZsTask } from './task.js';

/** Initial generator weights `gen/*`: [semantic + noise] -> hidden -> features. */
export function initGenerator(task: ZsTask, seed: number): WeightSet {
  const c = task.config;
  const rng = createRng(deriveSeed(seed, 'zeroshot', 'generator'));
  const hidden = c.generatorHidden > 0 ? [c.generatorHidden] : [];
  return initMlp('gen', [task.semanticDims + c.noise, ...hidden, featureSize(task)], rng);
}

/** Initial discriminator weights `disc/*`: [features + semantic] -> hidden -> 1 (GAN loss only). */
export function initDiscriminator(task: ZsTask, seed: number): WeightSet {
  const c = task.config;
  const rng = createRng(deriveSeed(seed, 'zeroshot', 'discriminator'));
  return initMlp('disc', [featureSize(task) + task.semanticDims, c.discriminatorHidden, 1], rng);
}

/** Generated features for the class list `classes` (one row per entry), noise from `rng`. */
function generate(
  task: ZsTask,
  vars: ReadonlyMap<string, tf.Tensor>,
  classes: number[],
  rng: Rng,
): tf.Tensor2D {
  const Z = task.config.noise;
  const z = new Float32Array(classes.length * Z);
  for (let i = 0; i < z.length; i++) z[i] = rng.normal();
  const s = semanticRows(task, classes);
  // Encoder features are ReLU outputs; semantic-space features are signed.
  const last = semanticSpace(task) ? 'linear' : 'relu';
  return mlp(vars, 'gen', tf.concat([s, tf.tensor2d(z, [classes.length, Z])], 1), 'leaky', last);
}

/** Squared pairwise distances between the rows of a and b. */
function sqDist(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const aa = tf.sum(tf.square(a), 1, true);
  const bb = tf.sum(tf.square(b), 1, true);
  return tf.relu(
    tf.add(tf.sub(aa, tf.mul(2, tf.matMul(a, b, false, true))), tf.transpose(bb)),
  ) as tf.Tensor2D;
}

/** Multi-bandwidth RBF MMD^2 + mean matching between real and fake rows of one class, scale-free. */
function momentLoss(real: tf.Tensor2D, fake: tf.Tensor2D): tf.Scalar {
  const dxx = sqDist(real, real);
  const dyy = sqDist(fake, fake);
  const dxy = sqDist(real, fake);
  // Bandwidths relative to the real rows' mean squared distance (a constant: no gradient through it).
  const scale = tf.add(tf.mean(dxx), 1e-6).dataSync()[0]!;
  let mmd: tf.Tensor = tf.scalar(0);
  for (const f of [0.25, 1, 4]) {
    const k = (m: tf.Tensor2D): tf.Tensor => tf.mean(tf.exp(tf.div(m, -f * scale)));
    mmd = tf.add(mmd, tf.sub(tf.add(k(dxx), k(dyy)), tf.mul(2, k(dxy))));
  }
  const meanGap = tf.div(tf.sum(tf.square(tf.sub(tf.mean(real, 0), tf.mean(fake, 0)))), scale);
  return tf.add(mmd, meanGap) as tf.Scalar;
}

/** Class-balanced sample indices: `per` rows of each class in `classes` from `byClass`. */
function balancedBatch(byClass: Map<number, number[]>, classes: number[], per: number, rng: Rng): number[][] {
  return classes.map((c) => {
    const rows = byClass.get(c)!;
    return Array.from({ length: per }, () => rows[rng.int(rows.length)]!);
  });
}

/**
 * Trains the generator (and, for the GAN loss, the local discriminator) for `steps` steps on real
 * features `feats` (rows of featureSize) with labels `y`. Returns the new weights of both.
 */
export async function trainGenerator(
  task: ZsTask,
  gen: WeightSet,
  disc: WeightSet,
  feats: Float32Array,
  y: Int32Array,
  steps: number,
  seed: number,
): Promise<{ gen: WeightSet; disc: WeightSet }> {
  const F = featureSize(task);
  const byClass = new Map<number, number[]>();
  y.forEach((c, i) => (byClass.get(c) ?? byClass.set(c, []).get(c)!).push(i));
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  if (classes.length === 0 || steps <= 0) return { gen, disc };
  const per = Math.max(8, Math.ceil(task.config.batchSize / classes.length));
  const gan = task.config.generatorLoss === 'gan';
  const rng = createRng(seed);
  const gv = variables(gen);
  const dv = variables(disc);
  const gOpt = tf.train.adam(task.config.generatorLr, 0.5, 0.999);
  const dOpt = tf.train.adam(task.config.generatorLr, 0.5, 0.999);
  const pacer = new EventLoopPacer();
  const realOf = (idx: number[]): tf.Tensor2D => {
    const out = new Float32Array(idx.length * F);
    idx.forEach((j, i) => out.set(feats.subarray(j * F, (j + 1) * F), i * F));
    return tf.tensor2d(out, [idx.length, F]);
  };
  const critic = (f: tf.Tensor2D, cls: number[]): tf.Tensor =>
    mlp(dv, 'disc', tf.concat([f, semanticRows(task, cls)], 1), 'leaky', 'linear');
  try {
    for (let step = 0; step < steps; step++) {
      await pacer.pace();
      const batch = balancedBatch(byClass, classes, per, rng);
      const labels = classes.flatMap((c) => new Array<number>(per).fill(c));
      tf.tidy(() => {
        const real = realOf(batch.flat());
        if (gan) {
          // Only dv is in the variable list, so no gradient reaches the generator here.
          const fake = generate(task, gv, labels, rng);
          dOpt.minimize(
            () =>
              tf.add(
                tf.mean(tf.softplus(tf.neg(critic(real, labels)))),
                tf.mean(tf.softplus(critic(fake, labels))),
              ) as tf.Scalar,
            false,
            [...dv.values()],
          );
        }
        gOpt.minimize(
          () => {
            const fake = generate(task, gv, labels, rng);
            let loss: tf.Tensor = tf.scalar(0);
            classes.forEach((_, k) => {
              const r = tf.slice(real, [k * per, 0], [per, F]);
              const f = tf.slice(fake, [k * per, 0], [per, F]);
              loss = tf.add(loss, gan ? meanMatch(r, f) : momentLoss(r, f));
            });
            loss = tf.div(loss, classes.length);
            if (gan) loss = tf.add(loss, tf.mean(tf.softplus(tf.neg(critic(fake, labels)))));
            return loss as tf.Scalar;
          },
          false,
          [...gv.values()],
        );
      });
    }
    return { gen: readBack(gv, gen), disc: readBack(dv, disc) };
  } finally {
    gOpt.dispose();
    dOpt.dispose();
    disposeAll(gv, dv);
  }
}

function meanMatch(real: tf.Tensor2D, fake: tf.Tensor2D): tf.Scalar {
  const scale = tf.add(tf.mean(sqDist(real, real)), 1e-6).dataSync()[0]!;
  return tf.div(tf.sum(tf.square(tf.sub(tf.mean(real, 0), tf.mean(fake, 0)))), scale) as tf.Scalar;
}

/** `perClass` generated feature rows for each class in `classes` (labels alongside), seeded. */
export function sampleFeatures(
  task: ZsTask,
  gen: WeightSet,
  classes: number[],
  perClass: number,
  seed: number,
): { x: Float32Array; y: Int32Array } {
  const labels = classes.flatMap((c) => new Array<number>(perClass).fill(c));
  const vars = constants(gen);
  try {
    const out = tf.tidy(() => generate(task, vars, labels, createRng(seed)));
    const x = out.dataSync() as Float32Array;
    out.dispose();
    return { x: new Float32Array(x), y: Int32Array.from(labels) };
  } finally {
    disposeAll(vars);
  }
}
