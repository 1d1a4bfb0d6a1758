import assert from 'node:assert/strict';
import { adjustedRandIndex } from '../src/ari.js';

describe('adjustedRandIndex', () => {
  it('is 1 for identical partitions, whatever the label names', () => {
    assert.equal(adjustedRandIndex([0, 0, 1, 1, 2, 2], [5, 5, 3, 3, 9, 9]), 1);
    assert.equal(adjustedRandIndex([0, 0, 0], [1, 1, 1]), 1);
  });

  it('matches a hand-computed value', () => {
    // pairs: index 2, row sum 6, col sum 3, total 15 -> (2 - 1.2) / (4.5 - 1.2)
    assert.ok(Math.abs(adjustedRandIndex([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]) - 0.8 / 3.3) < 1e-12);
  });

  it('is below 1 for a merged partition and negative for an anti-correlated one', () => {
    assert.ok(adjustedRandIndex([0, 0, 1, 1], [0, 0, 0, 0]) < 1e-12);
    assert.ok(adjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1]) < 0);
  });

  it('rejects labellings of different lengths', () => {
    assert.throws(() => adjustedRandIndex([0], [0, 1]), /lengths differ/);
  });
});
