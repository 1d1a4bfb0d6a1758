import assert from 'node:assert/strict';
import { selectBackend } from '../src/backend.js';
import {
  defaultAugmentSpec,
  isRunningStat,
  parseModelSpec,
  weightSignature,
  type ModelSpec,
} from '../src/model-spec.js';
import { getModel, getModelWeights, initWeights, setModelWeights } from '../src/model.js';
import { trainLocal } from '../src/train.js';
import { evaluate, predictLogits } from '../src/evaluate.js';
import type { Dataset } from '../src/data/index.js';
import type { WeightSet } from '../src/types.js';
import { blobs, useBackend } from './learning-fixtures.js';

const spec = defaultAugmentSpec([20], 3);

/** Blobs whose features span 0.001 to 10,000 (feature k scaled by 10^(k mod 8 - 3)), shifted positive. */
function rawUnits(ds: Dataset): Dataset {
  const d = ds.inputShape[0]!;
  const x = ds.x.map((v, i) => (v + 8) * 10 ** ((i % d) % 8) * 1e-3);
  return { ...ds, x };
}

function tensor(ws: WeightSet, name: string): Float32Array {
  const t = ws.find((w) => w.name === name);
  assert.ok(t, `no tensor ${name}`);
  return t.values;
}

describe('batch norm', () => {
  useBackend('wasm');

  it('names gamma, beta and running statistics per layer, leaving the other layers their names', () => {
    assert.deepEqual(
      weightSignature(spec, [20], 3).map((s) => `${s.name}[${s.shape}]`),
      [
        'layer_1_dense/kernel[20,128]',
        'layer_1_dense/bias[128]',
        'layer_2_batchNorm/gamma[128]',
        'layer_2_batchNorm/beta[128]',
        'layer_2_batchNorm/moving_mean[128]',
        'layer_2_batchNorm/moving_variance[128]',
        'layer_4_dense/kernel[128,3]',
        'layer_4_dense/bias[3]',
      ],
    );
    // After a conv the statistics are per channel.
    const conv: ModelSpec = {
      layers: [{ type: 'conv2d', filters: 4, kernelSize: 3 }, { type: 'batchNorm' }, { type: 'flatten' }],
    };
    assert.deepEqual(
      weightSignature(conv, [6, 6, 1], 2)
        .filter((s) => s.name.startsWith('layer_1'))
        .map((s) => s.shape),
      [[4], [4], [4], [4]],
    );
    assert.deepEqual(
      weightSignature(spec, [20], 3).map((s) => isRunningStat(s.name)),
      [false, false, false, false, true, true, false, false],
    );
  });

  it('parses batchNorm and activation layers and names a bad field', () => {
    assert.deepEqual(parseModelSpec([{ type: 'batchNorm', momentum: 0.9, epsilon: 1e-5 }]), {
      layers: [{ type: 'batchNorm', momentum: 0.9, epsilon: 1e-5 }],
    });
    assert.deepEqual(parseModelSpec([{ type: 'activation', activation: 'relu' }]), {
      layers: [{ type: 'activation', activation: 'relu' }],
    });
    assert.throws(
      () => parseModelSpec([{ type: 'batchNorm', momentum: 1 }]),
      /layer 0 \(batchNorm\): momentum/,
    );
    assert.throws(
      () => parseModelSpec([{ type: 'batchNorm', epsilon: 0 }]),
      /layer 0 \(batchNorm\): epsilon/,
    );
    assert.throws(
      () => parseModelSpec([{ type: 'activation' }]),
      /layer 0 \(activation\): activation is required/,
    );
  });

  it('starts as the identity: gamma 1, beta 0, running mean 0, running variance 1', () => {
    const w = initWeights(spec, [20], 3, 1);
    assert.ok(tensor(w, 'layer_2_batchNorm/gamma').every((v) => v === 1));
    assert.ok(tensor(w, 'layer_2_batchNorm/beta').every((v) => v === 0));
    assert.ok(tensor(w, 'layer_2_batchNorm/moving_mean').every((v) => v === 0));
    assert.ok(tensor(w, 'layer_2_batchNorm/moving_variance').every((v) => v === 1));
  });

  it('round-trips every tensor, running statistics included, through the model', async () => {
    const w = initWeights(spec, [20], 3, 1).map((t, i) => ({
      ...t,
      values: t.values.map((_, j) => 0.5 + ((i * 31 + j * 7) % 13) / 10),
    }));
    const built = getModel(spec, [20], 3);
    setModelWeights(built, w);
    assert.deepEqual(getModelWeights(built), w);
    // Inference reads the running statistics: moving the running mean moves the logits.
    const data = blobs({ n: 6, seed: 1 });
    const a = await predictLogits(spec, [20], 3, w, data);
    const shifted = w.map((t) =>
      t.name === 'layer_2_batchNorm/moving_mean' ? { ...t, values: t.values.map((v) => v + 1) } : t,
    );
    const b = await predictLogits(spec, [20], 3, shifted, data);
    assert.ok(a.some((v, i) => Math.abs(v - b[i]!) > 1e-3));
  });

  it('trains on wasm, and training moves the running statistics to the activations', async () => {
    const train = blobs({ n: 300, seed: 1 });
    const w0 = initWeights(spec, [20], 3, 1);
    const w1 = await trainLocal(spec, [20], 3, w0, train, { epochs: 3, batchSize: 32, lr: 0.1, seed: 1 });
    const r = await evaluate(spec, [20], 3, w1, blobs({ n: 150, seed: 2 }));
    assert.ok(r.acc >= 0.9, `accuracy ${r.acc}`);
    // The running statistics track the pre-normalisation activations x.K + b over the training data.
    const k = tensor(w1, 'layer_1_dense/kernel');
    const bias = tensor(w1, 'layer_1_dense/bias');
    const mean = tensor(w1, 'layer_2_batchNorm/moving_mean');
    const variance = tensor(w1, 'layer_2_batchNorm/moving_variance');
    const n = train.y.length;
    for (let u = 0; u < 128; u += 16) {
      let m = 0;
      let sq = 0;
      for (let i = 0; i < n; i++) {
        let h = bias[u]!;
        for (let f = 0; f < 20; f++) h += train.x[i * 20 + f]! * k[f * 128 + u]!;
        m += h / n;
        sq += (h * h) / n;
      }
      const sd = Math.sqrt(sq - m * m);
      // Momentum 0.9 over the last batches of the last epoch: within a quarter std and 30 % of the variance.
      assert.ok(Math.abs(mean[u]! - m) < 0.25 * sd, `unit ${u}: running mean ${mean[u]} vs ${m} (std ${sd})`);
      assert.ok(
        Math.abs(variance[u]! / (sd * sd) - 1) < 0.3,
        `unit ${u}: running var ${variance[u]} vs ${sd * sd}`,
      );
    }
  });

  it('with a leading batchNorm, trains on raw-unit features (0.001 to 10,000) on wasm', async () => {
    // The leading layer standardises each feature with its batch (training) or running (inference)
    // statistics; its running mean starts at 0, so it needs a short memory to reach means of ~10^4.
    const raw: ModelSpec = {
      layers: [
        { type: 'batchNorm', epsilon: 1e-9, momentum: 0.9 },
        ...defaultAugmentSpec([20], 3).layers.slice(1),
      ],
    };
    const w0 = initWeights(raw, [20], 3, 1);
    const w1 = await trainLocal(raw, [20], 3, w0, rawUnits(blobs({ n: 300, seed: 1 })), {
      epochs: 5,
      batchSize: 32,
      lr: 0.1,
      seed: 1,
    });
    const r = await evaluate(raw, [20], 3, w1, rawUnits(blobs({ n: 150, seed: 2 })));
    assert.ok(r.acc >= 0.9, `accuracy ${r.acc}`);
  });

  it('a conv + batch-norm model trains on cpu', async () => {
    await selectBackend('cpu');
    try {
      const conv: ModelSpec = {
        layers: [
          { type: 'conv2d', filters: 2, kernelSize: 3 },
          { type: 'batchNorm' },
          { type: 'activation', activation: 'relu' },
          { type: 'flatten' },
        ],
      };
      const data = { ...blobs({ n: 40, dim: 36, numClasses: 2, seed: 1 }), inputShape: [6, 6, 1] };
      const w0 = initWeights(conv, [6, 6, 1], 2, 1);
      const w1 = await trainLocal(conv, [6, 6, 1], 2, w0, data, {
        epochs: 5,
        batchSize: 8,
        lr: 0.1,
        seed: 1,
      });
      const before = await evaluate(conv, [6, 6, 1], 2, w0, data);
      const after = await evaluate(conv, [6, 6, 1], 2, w1, data);
      assert.ok(after.loss < before.loss, `${after.loss} < ${before.loss}`);
    } finally {
      await selectBackend('wasm');
    }
  });
});
