import assert from 'node:assert/strict';
import { DEFAULT_PPFM_CONFIG, type PpfmConfig } from '../src/config.js';
import { splitDataset } from '../src/data/index.js';
import { loadBuiltin } from '../src/data/index.js';
import { evaluate } from '../src/evaluate.js';
import { computeFingerprint } from '../src/fingerprint.js';
import { defaultModelSpec } from '../src/model-spec.js';
import {
  evaluateModel,
  identityScaler,
  initModel,
  memberUpdate,
  momentsOf,
  personaliseModel,
  poolScaler,
  scaleDataset,
  splitModel,
  warmupModel,
  type TaskModel,
} from '../src/ppfm/index.js';
import type { Dataset, WeightSet } from '../src/types.js';
import { subsetDataset } from '../src/sim/index.js';
import { rawTabular, useBackend } from './learning-fixtures.js';

/** `rounds` of memberUpdate with the delta applied (a peer alone), then its accuracy on `val`. */
async function trainAlone(
  task: TaskModel,
  theta: WeightSet,
  train: Dataset,
  val: Dataset,
  cfg: PpfmConfig,
  rounds: number,
): Promise<number> {
  let w = theta;
  for (let r = 1; r <= rounds; r++) {
    const u = await memberUpdate(task, w, train, cfg, r);
    if (u.kind === 'diverged') break;
    w = w.map((t, i) => ({ ...t, values: t.values.map((v, j) => v + u.delta[i]!.values[j]!) }));
  }
  return (await evaluateModel(task, w, val)).acc;
}

function scalerOf(ds: Dataset): ReturnType<typeof poolScaler> {
  return poolScaler(
    [momentsOf(computeFingerprint(ds))],
    ds.inputShape.reduce((a, b) => a * b, 1),
  );
}

describe('ppfm task level on raw units', function () {
  this.timeout(60_000);
  useBackend('wasm');
  const cfg = DEFAULT_PPFM_CONFIG;
  const tab: TaskModel = { spec: defaultModelSpec([13], 3), inputShape: [13], numClasses: 3 };
  const train = rawTabular({ n: 300, seed: 1 });
  const val = rawTabular({ n: 150, seed: 2 });

  it('trains a tabular task with features from 0.1 to 1600 to good accuracy in a few rounds', async () => {
    const t0 = performance.now();
    const acc = await trainAlone(tab, initModel(tab, scalerOf(train), 1), train, val, cfg, 5);
    assert.ok(acc > 0.85, `accuracy ${acc}`);
    // The old rule (plain SGD at 0.3, raw inputs) on the same data: at chance, or diverged.
    const old = { ...cfg, optimizer: 'sgd' as const, lr: 0.3, clipNorm: 0 };
    const accOld = await trainAlone(tab, initModel(tab, identityScaler(13), 1), train, val, old, 5);
    assert.ok(accOld < 0.5, `old rule ${accOld}`);
    assert.ok(performance.now() - t0 < 30_000);
  });

  it('trains mnist pixels given as integers 0-255', async () => {
    const mnist = subsetDataset(await loadBuiltin('mnist'), 700, 5);
    const raw: Dataset = { ...mnist, x: mnist.x.map((v) => Math.round(v * 255)) };
    const { train: tr, val: va } = splitDataset(raw, { valFraction: 0.3, seed: 1 });
    const task: TaskModel = {
      spec: defaultModelSpec(raw.inputShape, 10),
      inputShape: raw.inputShape,
      numClasses: 10,
    };
    const acc = await trainAlone(task, initModel(task, scalerOf(tr), 1), tr, va, cfg, 3);
    assert.ok(acc > 0.75, `accuracy ${acc}`);
  });

  it('reports a diverged member instead of an update', async () => {
    const wild = { ...cfg, optimizer: 'sgd' as const, lr: 50, clipNorm: 0 };
    const r = await memberUpdate(tab, initModel(tab, identityScaler(13), 1), train, wild, 1);
    assert.equal(r.kind, 'diverged');
    assert.match((r as { reason: string }).reason, /loss|weights/);
    // The warm-up of such a member says nothing rather than noise: the initial model comes back.
    const init = initModel(tab, identityScaler(13), 1);
    assert.equal(await warmupModel(tab, init, train, wild, 1), init);
    // The same member with the default rule sends an update, scaler deltas zero.
    const ok = await memberUpdate(tab, initModel(tab, scalerOf(train), 1), train, cfg, 1);
    assert.equal(ok.kind, 'update');
    if (ok.kind === 'update') {
      assert.equal(ok.samples, 300);
      assert.ok(ok.lossAfter < ok.lossBefore);
      assert.deepEqual(splitModel(ok.delta).scaler, {
        shift: new Float32Array(13),
        scale: new Float32Array(13),
      });
    }
  });

  it('evaluateModel applies the model scaler to raw data', async () => {
    const s = scalerOf(train);
    const model = initModel(tab, s, 3);
    const direct = await evaluate(tab.spec, tab.inputShape, 3, splitModel(model).net, scaleDataset(val, s));
    assert.deepEqual(await evaluateModel(tab, model, val), direct);
  });

  it('personaliseModel adapts on raw data and keeps the scaler; 0 steps evaluates only', async () => {
    const other = rawTabular({ n: 300, seed: 3, shift: 1 });
    const theta = initModel(tab, scalerOf(train), 1);
    const r = await personaliseModel(
      tab,
      theta,
      other,
      rawTabular({ n: 150, seed: 4, shift: 1 }),
      { ...cfg, adaptSteps: 40, adaptLr: 0.003 },
      1,
    );
    assert.ok(r.after.loss < r.before.loss, `${r.after.loss} vs ${r.before.loss}`);
    assert.deepEqual(splitModel(r.weights).scaler, splitModel(theta).scaler);
    const none = await personaliseModel(tab, theta, other, val, { ...cfg, adaptSteps: 0 }, 1);
    assert.deepEqual(none.after, none.before);
    assert.equal(none.weights, theta);
  });
});
