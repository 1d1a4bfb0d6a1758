import assert from 'node:assert/strict';
import { ifcaAssign } from '../src/ifca.js';
import { defaultModelSpec } from '../src/model-spec.js';
import { initWeights } from '../src/model.js';
import { trainLocal } from '../src/train.js';
import { blobs, useBackend } from './learning-fixtures.js';

describe('ifcaAssign', () => {
  useBackend('wasm');

  it('assigns data to the candidate model with the lowest loss (label-permuted tasks)', async () => {
    const spec = defaultModelSpec([20], 3);
    const w0 = initWeights(spec, [20], 3, 1);
    const opts = { epochs: 3, batchSize: 16, lr: 0.05, seed: 1 };
    const plain = await trainLocal(spec, [20], 3, w0, blobs({ n: 240, seed: 1 }), opts);
    const swapped = await trainLocal(spec, [20], 3, w0, blobs({ n: 240, seed: 2, perm: [1, 2, 0] }), opts);
    const candidates = [
      { id: 'plain', weights: plain },
      { id: 'swapped', weights: swapped },
    ];
    const a = await ifcaAssign(spec, [20], 3, candidates, blobs({ n: 60, seed: 3, perm: [1, 2, 0] }));
    assert.equal(a.best, 'swapped');
    assert.deepEqual(
      a.losses.map((l) => l.id),
      ['plain', 'swapped'],
    );
    assert.ok(a.losses[1]!.loss < a.losses[0]!.loss);
    const b = await ifcaAssign(spec, [20], 3, candidates, blobs({ n: 60, seed: 4 }));
    assert.equal(b.best, 'plain');
    await assert.rejects(ifcaAssign(spec, [20], 3, [], blobs({ n: 6, seed: 4 })), /no candidates/);
  });
});
