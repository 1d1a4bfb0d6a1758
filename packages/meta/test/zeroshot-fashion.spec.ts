import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DataError,
  FASHION_MNIST_CLASSES,
  fashionMnistAvailable,
  loadBuiltin,
  loadFashionMnist,
} from '../src/data/index.js';
import { skipBecause } from './skip.js';

describe('fashion-mnist built-in', function () {
  this.timeout(120_000);

  it('loads the 70,000 images of the Debian package', async function () {
    if (!(await fashionMnistAvailable())) {
      // CI installs the package (.ci/run sets PPFM_REQUIRE_FASHION_MNIST); elsewhere it is optional.
      if (process.env.CI || process.env.PPFM_REQUIRE_FASHION_MNIST)
        assert.fail("the Debian package 'dataset-fashion-mnist' is not installed (CI must install it)");
      skipBecause(this, "the Debian package 'dataset-fashion-mnist' is not installed");
    }
    const ds = await loadBuiltin('fashion-mnist');
    assert.equal(ds.name, 'fashion-mnist');
    assert.deepEqual(ds.inputShape, [28, 28, 1]);
    assert.equal(ds.numClasses, 10);
    assert.deepEqual(ds.classNames, FASHION_MNIST_CLASSES);
    assert.equal(ds.y.length, 70_000);
    assert.equal(ds.x.length, 70_000 * 784);
    const counts = new Array<number>(10).fill(0);
    for (const c of ds.y) counts[c]!++;
    assert.deepEqual(counts, new Array<number>(10).fill(7000));
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < ds.x.length; i += 97) {
      min = Math.min(min, ds.x[i]!);
      max = Math.max(max, ds.x[i]!);
    }
    assert.ok(min >= 0 && max <= 1 && max > 0.9, `pixel range [${min}, ${max}]`);
    // A fixed shuffled order: the first 1,000 hold every class; two loads agree.
    assert.equal(new Set(ds.y.subarray(0, 1000)).size, 10);
    const again = await loadBuiltin('fashion-mnist');
    assert.deepEqual(again.y.subarray(0, 500), ds.y.subarray(0, 500));
    again.x[0] = 42;
    assert.notEqual((await loadBuiltin('fashion-mnist')).x[0], 42, 'each call gets its own copy');
  });

  it('names the Debian package when the files are missing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ppfm-fashion-'));
    try {
      await assert.rejects(
        loadFashionMnist(dir),
        (e: unknown) =>
          e instanceof DataError &&
          e.message.startsWith(dir) &&
          e.message.includes("'dataset-fashion-mnist'") &&
          e.message.includes('apt-get install dataset-fashion-mnist'),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
