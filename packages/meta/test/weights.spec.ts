import assert from 'node:assert/strict';
import {
  add,
  addScaled,
  allFinite,
  cloneWeights,
  norm,
  parameterCount,
  scale,
  sharedTensorNames,
  subtract,
  weightSetsCompatible,
  zerosLike,
} from '../src/weights.js';
import { vals, ws } from './learning-fixtures.js';

describe('weights', () => {
  const a = ws(['w', [2], [1, 2]], ['b', [1], [3]]);
  const b = ws(['w', [2], [0.5, -1]], ['b', [1], [1]]);

  it('subtracts, adds and scales element-wise', () => {
    assert.deepEqual(vals(subtract(a, b)), [[0.5, 3], [2]]);
    assert.deepEqual(vals(add(a, b)), [[1.5, 1], [4]]);
    assert.deepEqual(vals(scale(a, -2)), [[-2, -4], [-6]]);
    assert.deepEqual(vals(addScaled(a, b, 2)), [[2, 0], [5]]);
  });

  it('computes the L2 norm and parameter count', () => {
    assert.equal(norm(ws(['t', [2], [3, 4]])), 5);
    assert.equal(parameterCount(a), 3);
  });

  it('clones deeply and never mutates its inputs', () => {
    const c = cloneWeights(a);
    c[0]!.values[0] = 42;
    c[0]!.shape[0] = 7;
    assert.equal(a[0]!.values[0], 1);
    assert.equal(a[0]!.shape[0], 2);
    subtract(a, b);
    assert.deepEqual(vals(a), [[1, 2], [3]]);
    assert.deepEqual(vals(zerosLike(a)), [[0, 0], [0]]);
  });

  it('rejects incompatible weight sets with a message naming the tensor', () => {
    assert.throws(() => subtract(a, ws(['w', [2], [1, 2]])), /2 and 1 tensors/);
    assert.throws(() => add(a, ws(['w', [2], [1, 2]], ['c', [1], [0]])), /b\[1\] vs c\[1\]/);
    assert.throws(() => add(a, ws(['w', [1, 2], [1, 2]], ['b', [1], [0]])), /mismatch/);
    assert.equal(weightSetsCompatible(a, b), true);
    assert.equal(weightSetsCompatible(a, ws(['w', [2], [1, 2]], ['b', [2], [0, 0]])), false);
  });

  it('finds tensors shared with equal shape by all sets', () => {
    const c = ws(['w', [2], [0, 0]], ['b', [2], [0, 0]], ['x', [1], [0]]);
    assert.deepEqual(sharedTensorNames([a, b, c]), ['w']);
    assert.deepEqual(sharedTensorNames([a, b]), ['w', 'b']);
    assert.deepEqual(sharedTensorNames([]), []);
  });

  it('detects non-finite values', () => {
    assert.equal(allFinite(a), true);
    assert.equal(allFinite(ws(['w', [2], [1, NaN]])), false);
    assert.equal(allFinite(ws(['w', [1], [Infinity]])), false);
  });
});
