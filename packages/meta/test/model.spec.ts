import assert from 'node:assert/strict';
import { selectBackend } from '../src/backend.js';
import { defaultModelSpec, parseModelSpec, weightSignature, type ModelSpec } from '../src/model-spec.js';
import { initWeights, ModelLock } from '../src/model.js';
import { trainLocal } from '../src/train.js';
import { evaluate } from '../src/evaluate.js';
import { blobs, useBackend } from './learning-fixtures.js';

describe('model', () => {
  useBackend('cpu');

  it('names tensors layer_<i>_<type>/kernel|bias and appends the output layer when missing', () => {
    const sig = weightSignature(
      { layers: [{ type: 'flatten' }, { type: 'dense', units: 8, activation: 'relu' }] },
      [4, 4, 1],
      3,
    );
    assert.deepEqual(sig, [
      { name: 'layer_1_dense/kernel', shape: [16, 8] },
      { name: 'layer_1_dense/bias', shape: [8] },
      { name: 'layer_2_dense/kernel', shape: [8, 3] },
      { name: 'layer_2_dense/bias', shape: [3] },
    ]);
    const def = weightSignature(defaultModelSpec([28, 28, 1], 10), [28, 28, 1], 10);
    assert.deepEqual(
      def.map((s) => s.shape),
      [[784, 128], [128], [128, 10], [10]],
    );
    const conv = weightSignature(
      {
        layers: [
          { type: 'conv2d', filters: 4, kernelSize: 3 },
          { type: 'maxPool2d', poolSize: 2 },
          { type: 'flatten' },
        ],
      },
      [8, 8, 1],
      2,
    );
    assert.deepEqual(
      conv.map((s) => `${s.name}[${s.shape}]`),
      [
        'layer_0_conv2d/kernel[3,3,1,4]',
        'layer_0_conv2d/bias[4]',
        'layer_3_dense/kernel[36,2]',
        'layer_3_dense/bias[2]',
      ],
    );
  });

  it('rejects specs that do not fit the input with a clear message', () => {
    assert.throws(() => weightSignature({ layers: [{ type: 'dense', units: 4 }] }, [4, 4], 2), /flatten/);
    assert.throws(
      () => parseModelSpec({ layers: [{ type: 'dense', units: -1 }] }),
      /layer 0 \(dense\): units/,
    );
    assert.throws(() => parseModelSpec({ layers: [{ type: 'lstm' }] }), /unknown layer type/);
    assert.throws(
      () => parseModelSpec({ layers: [{ type: 'dense', units: 3, activation: 'gelu' }] }),
      /activation/,
    );
    assert.throws(() => parseModelSpec({}), /layers/);
    assert.deepEqual(parseModelSpec([{ type: 'flatten' }]), { layers: [{ type: 'flatten' }] });
  });

  it('initWeights is reproducible from its seed, glorot-bounded kernels and zero biases', () => {
    const spec = defaultModelSpec([20], 3);
    const a = initWeights(spec, [20], 3, 5);
    const b = initWeights(spec, [20], 3, 5);
    const c = initWeights(spec, [20], 3, 6);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a[0]!.values, c[0]!.values);
    const limit = Math.sqrt(6 / (20 + 128));
    assert.ok(a[0]!.values.every((v) => Math.abs(v) <= limit));
    assert.ok(Math.max(...a[0]!.values) > 0.9 * limit);
    assert.ok(a[1]!.values.every((v) => v === 0));
  });

  it('round-trips weights through the tfjs model unchanged (0 training steps)', async () => {
    const spec = defaultModelSpec([20], 3);
    const w = initWeights(spec, [20], 3, 1);
    const out = await trainLocal(spec, [20], 3, w, blobs({ n: 30, seed: 1 }), {
      steps: 0,
      batchSize: 8,
      lr: 0.1,
      seed: 1,
    });
    assert.deepEqual(out, w);
    await assert.rejects(
      trainLocal(spec, [20], 3, w.slice(1), blobs({ n: 30, seed: 1 }), {
        steps: 1,
        batchSize: 8,
        lr: 0.1,
        seed: 1,
      }),
      /weights have 3 tensors, model expects 4/,
    );
  });

  it('ModelLock runs holders one at a time, in call order, and survives a failing holder', async () => {
    const lock = new ModelLock();
    const log: string[] = [];
    const holder =
      (id: string, fail = false) =>
      async (): Promise<string> => {
        log.push(`${id}+`);
        await new Promise((r) => setImmediate(r));
        log.push(`${id}-`);
        if (fail) throw new Error(`${id} failed`);
        return id;
      };
    const results = await Promise.allSettled([
      lock.run(holder('a')),
      lock.run(holder('b', true)),
      lock.run(holder('c')),
    ]);
    assert.deepEqual(log, ['a+', 'a-', 'b+', 'b-', 'c+', 'c-']);
    assert.deepEqual(
      results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
      ['a', 'b failed', 'c'],
    );
  });

  describe('backends', () => {
    it('auto picks an available backend and node fails clearly without tfjs-node', async () => {
      const chosen = await selectBackend('auto');
      assert.ok(['node', 'wasm', 'cpu'].includes(chosen));
      if (chosen !== 'node') await assert.rejects(selectBackend('node'), /tfjs-node is not installed/);
    });

    const conv: ModelSpec = {
      layers: [
        { type: 'conv2d', filters: 2, kernelSize: 3, activation: 'relu' },
        { type: 'maxPool2d', poolSize: 2 },
        { type: 'flatten' },
      ],
    };
    const images = (): ReturnType<typeof blobs> => ({
      ...blobs({ n: 40, dim: 36, numClasses: 2, seed: 1 }),
      inputShape: [6, 6, 1],
    });

    it('refuses to train a conv model on wasm with a message suggesting --backend cpu', async () => {
      await selectBackend('wasm');
      const w = initWeights(conv, [6, 6, 1], 2, 1);
      await assert.rejects(
        trainLocal(conv, [6, 6, 1], 2, w, images(), { epochs: 1, batchSize: 8, lr: 0.1, seed: 1 }),
        /'wasm' backend cannot train a conv2d layer.*--backend cpu/,
      );
      // Inference alone works.
      const r = await evaluate(conv, [6, 6, 1], 2, w, images());
      assert.ok(r.acc >= 0 && r.acc <= 1);
    });

    it('trains a conv model on cpu', async () => {
      await selectBackend('cpu');
      const data = images();
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
    });
  });
});
