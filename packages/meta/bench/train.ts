import * as tf from '@tensorflow/tfjs-core';
import { selectBackend, type BackendName } from '../src/backend.js';
import { defaultModelSpec } from '../src/model-spec.js';
import { initWeights } from '../src/model.js';
import { trainLocal } from '../src/train.js';
import { createRng } from '../src/rng.js';
import type { Dataset } from '../src/data/index.js';

/** One measurement: training throughput of the default MLP on a backend at a batch size. */
export interface TrainBenchResult {
  backend: BackendName;
  batchSize: number;
  samplesPerSec: number;
  /** Set when the backend could not be initialised (then samplesPerSec is 0). */
  error?: string;
}

/** Options of benchTraining. */
export interface TrainBenchOptions {
  backends?: BackendName[];
  batchSizes?: number[];
  /** Samples per timed epoch (random MNIST-shaped data). */
  samples?: number;
  /** Timed epochs (after one warm-up epoch). */
  epochs?: number;
}

function randomMnistLike(n: number): Dataset {
  const rng = createRng(1);
  const x = new Float32Array(n * 784);
  for (let i = 0; i < x.length; i++) x[i] = rng.next();
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) y[i] = rng.int(10);
  return { name: 'bench', inputShape: [28, 28, 1], numClasses: 10, x, y };
}

/**
 * Measures trainLocal throughput (samples/s) of the MLP 784-128-10 on each backend and batch size.
 * Leaves tfjs on the backend that was active before (or the last measured one if none was).
 */
export async function benchTraining(opts: TrainBenchOptions = {}): Promise<TrainBenchResult[]> {
  const backends = opts.backends ?? ['cpu', 'wasm'];
  const batchSizes = opts.batchSizes ?? [32, 128];
  const data = randomMnistLike(opts.samples ?? 4096);
  const epochs = opts.epochs ?? 2;
  const spec = defaultModelSpec(data.inputShape, 10);
  const w0 = initWeights(spec, data.inputShape, 10, 1);
  const previous = tf.getBackend() ?? undefined;
  const results: TrainBenchResult[] = [];
  for (const backend of backends) {
    try {
      await selectBackend(backend);
    } catch (e) {
      for (const batchSize of batchSizes)
        results.push({ backend, batchSize, samplesPerSec: 0, error: (e as Error).message });
      continue;
    }
    for (const batchSize of batchSizes) {
      const train = { batchSize, lr: 0.05, seed: 1 };
      await trainLocal(spec, data.inputShape, 10, w0, data, { ...train, epochs: 1 }); // warm-up (model build, kernels)
      const t0 = performance.now();
      await trainLocal(spec, data.inputShape, 10, w0, data, { ...train, epochs });
      const seconds = (performance.now() - t0) / 1000;
      results.push({ backend, batchSize, samplesPerSec: (epochs * data.y.length) / seconds });
    }
  }
  if (previous) await tf.setBackend(previous);
  return results;
}
