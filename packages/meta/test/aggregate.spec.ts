import assert from 'node:assert/strict';
import { aggregate, normaliseAggregator, resolveAggregator } from '../src/aggregate.js';
import { vals, ws } from './learning-fixtures.js';

const d = (values: number[], weight = 1): { delta: ReturnType<typeof ws>; weight: number } => ({
  delta: ws(['t', [values.length], values]),
  weight,
});

describe('aggregate', () => {
  it('mean is weighted by sample count', () => {
    // (1*[0, 4] + 3*[4, 0]) / 4 = [3, 1]
    assert.deepEqual(vals(aggregate([d([0, 4], 1), d([4, 0], 3)], 'mean')), [[3, 1]]);
  });

  it('coordinate-wise median of 3 vectors ignores an outlier and the weights', () => {
    const out = aggregate([d([1, 10, -1], 1), d([2, 20, 100], 1), d([1000, 30, 0], 50)], 'median');
    assert.deepEqual(vals(out), [[2, 20, 0]]);
  });

  it('median of an even count averages the two middle values', () => {
    assert.deepEqual(vals(aggregate([d([1]), d([2]), d([4]), d([100])], 'median')), [[3]]);
  });

  it('trimmed mean with trim 0.2 of 5 values drops one value from each end', () => {
    // sorted [-50, 1, 2, 3, 99] -> mean(1, 2, 3) = 2
    const out = aggregate([d([3]), d([99]), d([1]), d([-50]), d([2])], 'trimmed', 0.2);
    assert.deepEqual(vals(out), [[2]]);
    // trim 0 is the unweighted mean
    assert.deepEqual(vals(aggregate([d([3]), d([99]), d([1]), d([-50]), d([2])], 'trimmed', 0)), [[11]]);
  });

  it("'trimmed-mean' is the new name of 'trimmed'", () => {
    const xs = [d([3]), d([99]), d([1]), d([-50]), d([2])];
    assert.deepEqual(vals(aggregate(xs, 'trimmed-mean', { trim: 0.2 })), vals(aggregate(xs, 'trimmed', 0.2)));
  });

  it('clip-mean scales every delta down to the median norm, then takes the weighted mean', () => {
    // norms 1, 2, 100: median 2; the outlier is scaled to norm 2 ([0, 2]), the others kept.
    const out = aggregate([d([1, 0], 1), d([0, 2], 1), d([0, 100], 2)], 'clip-mean');
    assert.deepEqual(vals(out), [[0.25, 1.5]]);
    // multiple 100: nothing is clipped, the weighted mean.
    assert.deepEqual(
      vals(aggregate([d([1, 0], 1), d([0, 2], 1), d([0, 100], 2)], 'clip-mean', { clipMultiple: 100 })),
      [[0.25, 50.5]],
    );
  });

  it('auto is the mean below 3 updates, clip-mean for 3-4, the median from 5', () => {
    assert.equal(resolveAggregator('auto', 2), 'mean');
    assert.equal(resolveAggregator('auto', 3), 'clip-mean');
    assert.equal(resolveAggregator('auto', 4), 'clip-mean');
    assert.equal(resolveAggregator('auto', 5), 'median');
    assert.equal(resolveAggregator('trimmed', 3), 'trimmed-mean');
    assert.throws(() => normaliseAggregator('mode'), /unknown 'mode'/);
  });

  it('accumulates in float64 (a mean of many float32 deltas loses nothing to summation order)', () => {
    const many = Array.from({ length: 1000 }, (_, i) => d([i % 2 === 0 ? 1e7 : -1e7 + 1]));
    assert.deepEqual(vals(aggregate(many, 'mean')), [[0.5]]);
  });

  it('rejects empty input, mismatched shapes, bad weights and bad trim', () => {
    assert.throws(() => aggregate([], 'mean'), /no deltas/);
    assert.throws(() => aggregate([d([1]), d([1, 2])], 'mean'), /different tensor/);
    assert.throws(() => aggregate([d([1], -1)], 'mean'), /bad weight/);
    assert.throws(() => aggregate([d([1], 0)], 'mean'), /sum to zero/);
    assert.throws(() => aggregate([d([1])], 'trimmed', 0.5), /trim/);
  });
});
