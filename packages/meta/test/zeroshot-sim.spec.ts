import assert from 'node:assert/strict';
import { formatZeroShotTable, simulateZeroShot, ZS_SETTINGS } from '../src/sim/index.js';

describe('zero-shot simulator', function () {
  this.timeout(300_000);

  it('runs every setting for both semantic variants on one partition', async () => {
    const r = await simulateZeroShot({
      dataset: 'mnist',
      partition: 'zeroshot:3',
      peers: 4,
      rounds: 1,
      seed: 2,
      backend: 'wasm',
      maxSamples: 1200,
      config: {
        encoderHidden: 16,
        features: 8,
        encoderSteps: 3,
        generatorSteps: 3,
        classifierSteps: 3,
        personaliseSteps: 5,
      },
    });
    assert.equal(r.unseen.length, 3);
    assert.equal(r.classGroups.length, 3);
    // Label statistics split the peers along their label groups: clustering on them would keep the
    // generator of each group to its own classes (why the zero-shot federation is one cluster).
    assert.deepEqual(r.fingerprintClusters, { k: 3, ari: 1 });
    assert.deepEqual(
      r.rows.map((x) => `${x.variant}/${x.setting}`),
      ['name', 'name+wordnet'].flatMap((v) => ZS_SETTINGS.map((s) => `${v}/${s}`)),
    );
    for (const row of r.rows) {
      for (const s of [row.raw, row.calibrated])
        for (const v of Object.values(s)) assert.ok(v >= 0 && v <= 1, String(v));
      assert.equal(row.peerZsl.length, 4);
      assert.equal(row.calibrated.zsl, row.raw.zsl);
    }
    assert.ok(r.calibration.name!.penalty >= 0);
    assert.equal(r.calibration.name!.validationClasses.length, 2);
    assert.ok(r.calibration.name!.validationClasses.every((c) => !r.unseen.includes(c)));
    const text = formatZeroShotTable(r);
    assert.match(text, /name\+wordnet\s+federated\s+\d+\.\d/);
    assert.match(text, /fingerprint clustering on this partition: 3 clusters/);
  });
});
