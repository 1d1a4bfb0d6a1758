import assert from 'node:assert/strict';
import { blendBack, clusterStep, globalStep, initGlobal, reptileStep } from '../src/reptile.js';
import { vals, ws } from './learning-fixtures.js';

describe('reptile', () => {
  it('reptileStep is theta + eps * agg', () => {
    const theta = ws(['w', [2], [1, 2]]);
    const agg = ws(['w', [2], [4, -2]]);
    assert.deepEqual(vals(reptileStep(theta, agg, 0.5)), [[3, 1]]);
    assert.deepEqual(vals(reptileStep(theta, agg, 0)), [[1, 2]]);
  });

  it('clusterStep with eps 1 and the mean is FedAvg (sample-weighted average of members)', () => {
    const theta = ws(['w', [1], [0]]);
    const updates = [
      { weights: ws(['w', [1], [2]]), samples: 1 },
      { weights: ws(['w', [1], [6]]), samples: 3 },
    ];
    assert.deepEqual(vals(clusterStep(theta, updates, 1)), [[5]]);
    // eps 0.5: halfway from theta toward the average.
    assert.deepEqual(vals(clusterStep(theta, updates, 0.5)), [[2.5]]);
    // median ignores sample counts: median(2 - 0, 6 - 0) = 4
    assert.deepEqual(vals(clusterStep(theta, updates, 1, 'median')), [[4]]);
  });

  it('globalStep moves only tensors shared (name and shape) by global and every cluster', () => {
    const global = ws(['body', [2], [0, 0]], ['head', [1], [7]]);
    const c1 = ws(['body', [2], [2, 4]], ['head', [1], [1]]);
    const c2 = ws(['body', [2], [4, 0]], ['head', [2], [1, 1]]); // different head shape
    const g = globalStep(global, [c1, c2], 0.5);
    // mean body = [3, 2]; 0 + 0.5 * (mean - 0) = [1.5, 1]; head not shared -> unchanged
    assert.deepEqual(vals(g), [[1.5, 1], [7]]);
    // weighted: (1*[2,4] + 3*[4,0]) / 4 = [3.5, 1]
    assert.deepEqual(vals(globalStep(global, [c1, c2], 1, [1, 3])), [[3.5, 1], [7]]);
    assert.deepEqual(vals(global), [[0, 0], [7]], 'input untouched');
  });

  it('restricts the global step and blend-back to the listed tensors', () => {
    const global = ws(['body', [1], [0]], ['head', [1], [0]]);
    const c1 = ws(['body', [1], [2]], ['head', [1], [4]]);
    assert.deepEqual(vals(globalStep(global, [c1], 1, undefined, ['head'])), [[0], [4]]);
    assert.deepEqual(vals(blendBack(c1, global, 0.5, ['body'])), [[1], [4]]);
  });

  it('initGlobal averages the tensors shared by all clusters', () => {
    const c1 = ws(['body', [2], [2, 4]], ['head', [1], [1]]);
    const c2 = ws(['body', [2], [4, 0]], ['head', [2], [1, 1]]);
    const g = initGlobal([c1, c2]);
    assert.deepEqual(
      g.map((t) => t.name),
      ['body'],
    );
    assert.deepEqual(vals(g), [[3, 2]]);
  });

  it('blendBack mixes the global model into shared cluster tensors only', () => {
    const cluster = ws(['body', [2], [10, 0]], ['head', [2], [5, 5]]);
    const global = ws(['body', [2], [0, 10]], ['head', [1], [0]]);
    assert.deepEqual(vals(blendBack(cluster, global, 0.25)), [
      [7.5, 2.5],
      [5, 5],
    ]);
    assert.deepEqual(vals(blendBack(cluster, global, 0)), [
      [10, 0],
      [5, 5],
    ]);
  });
});
