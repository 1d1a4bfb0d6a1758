// Differential privacy in the simulator, as the peers apply it: clip, noise (a 1/sqrt(t) share
// under secure aggregation, where the head gets only the mean and nothing below t contributors),
// weight 1, epsilon reported; fingerprint noise before clustering.
import { strict as assert } from 'node:assert';
import { gaussianEpsilon } from '../src/privacy/index.js';
import type { HeadUpdate } from '../src/ppfm/index.js';
import type { SimContext } from '../src/sim/context.js';
import { privateUpdates } from '../src/sim/privacy.js';
import { simulate } from '../src/sim/index.js';

const D = 20_000;
const update = (from: string): HeadUpdate => ({
  from,
  delta: [{ name: 'w', shape: [D], values: new Float32Array(D) }],
  samples: 500,
});
const ctx = (secureAgg: boolean): SimContext =>
  ({ seed: 3, privacy: { clip: 2, sigma: 1.5, delta: 1e-5, secureAgg } }) as unknown as SimContext;
const std = (v: Float32Array): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);

describe('simulate with differential privacy', function () {
  this.timeout(120_000);

  it('noises each update with sigma C, weight 1, without secure aggregation', () => {
    const out = privateUpdates(ctx(false), ['a', 'b', 'c', 'd'].map(update), 4, 1);
    assert.equal(out.length, 4);
    for (const u of out) {
      assert.equal(u.samples, 1);
      assert.ok(Math.abs(std(u.delta[0]!.values) / 3 - 1) < 0.03, `std ${std(u.delta[0]!.values)}`);
    }
  });

  it('under secure aggregation: the mean of shares sigma C / sqrt(t); nothing below t contributors', () => {
    const out = privateUpdates(ctx(true), ['a', 'b', 'c', 'd'].map(update), 4, 1);
    assert.equal(out.length, 1);
    assert.equal(out[0]!.samples, 4);
    // t = 3 of 4: four shares of std 3/sqrt(3), averaged: 3 / (sqrt(3) * 2).
    const want = 3 / (Math.sqrt(3) * 2);
    assert.ok(
      Math.abs(std(out[0]!.delta[0]!.values) / want - 1) < 0.03,
      `std ${std(out[0]!.delta[0]!.values)}`,
    );
    assert.deepEqual(privateUpdates(ctx(true), ['a', 'b'].map(update), 4, 1), []);
  });

  it('reports the epsilon each member spent, and runs end to end', async () => {
    const r = await simulate({
      dataset: 'mnist',
      partition: 'rotate:2',
      peers: 4,
      rounds: 2,
      seed: 1,
      maxSamples: 800,
      backend: 'wasm',
      methods: ['ppfm'],
      privacy: { clip: 1, sigma: 2, delta: 1e-5, secureAgg: true },
      fingerprintNoise: 1,
    });
    const p = r.methods.ppfm!;
    assert.ok(Math.abs(p.epsilon! - gaussianEpsilon(2, 2, 1e-5)) < 1e-12);
    assert.ok(p.meanAcc > 0.1 && p.meanAcc <= 1);
  });
});
