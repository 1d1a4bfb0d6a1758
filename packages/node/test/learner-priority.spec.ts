// The worker learner runs round work before personalisation: a member's update or a head's round
// step must not wait behind 200 fine-tuning steps queued earlier (issue 9: wall time).
import assert from 'node:assert/strict';
import { loadBuiltin, subsetDataset } from '@ppfm/meta';
import { clusterScaler, DEFAULT_PPFM_CONFIG, withScaler, type WeightSet } from '@ppfm/meta/light';
import type { Learner } from '../src/learner/learner.js';
import { startWorkerLearner } from '../src/learner/worker-learner.js';
import { personalisesAt } from '../src/services/evaluator.js';

describe('learner scheduling', function () {
  this.timeout(120_000);
  let learner: Learner;
  let theta: WeightSet;

  before(async () => {
    const data = subsetDataset(await loadBuiltin('mnist'), 300, 3);
    learner = await startWorkerLearner({ data, backend: 'wasm', cfg: DEFAULT_PPFM_CONFIG, seed: 1 });
    const { info } = learner;
    theta = withScaler(info.netInit, clusterScaler(info.task, [info.fingerprint], DEFAULT_PPFM_CONFIG));
  });
  after(async () => {
    await learner?.close();
  });

  it('runs a training call queued after two personalisations before the second one', async () => {
    const done: string[] = [];
    const track = <T>(name: string, p: Promise<T>): Promise<T> => p.then((v) => (done.push(name), v));
    // The first personalisation is posted at once (the worker is idle); the rest wait in the queue.
    await Promise.all([
      track('personalise-1', learner.personalise(theta, 1)),
      track('personalise-2', learner.personalise(theta, 2)),
      track('train', learner.train(theta, 3)),
      track('evaluate', learner.evaluate(theta, 'val')),
    ]);
    assert.deepEqual(done, ['personalise-1', 'train', 'evaluate', 'personalise-2']);
  });

  it('rejects queued calls when closed', async () => {
    const other = await startWorkerLearner({
      data: subsetDataset(await loadBuiltin('mnist'), 100, 4),
      backend: 'wasm',
      cfg: DEFAULT_PPFM_CONFIG,
      seed: 1,
    });
    const running = assert.rejects(other.personalise(theta, 1), /learner closed/);
    const queued = assert.rejects(other.train(theta, 2), /learner closed/);
    await other.close();
    await Promise.all([running, queued]);
  });
});

describe('personalisation schedule', () => {
  it('personalises every N rounds and at the final one; 0 means the final round only', () => {
    const at = (every: number, target: number | undefined): number[] =>
      [0, 1, 2, 3, 4, 5, 6, 7].filter((r) => personalisesAt(r, target, every));
    assert.deepEqual(at(1, 7), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(at(5, 7), [0, 5, 7]);
    assert.deepEqual(at(0, 7), [7]);
    assert.deepEqual(at(3, undefined), [0, 3, 6]);
    assert.deepEqual(at(0, undefined), []);
  });
});
