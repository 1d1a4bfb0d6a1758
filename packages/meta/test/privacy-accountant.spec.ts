// The Rényi-DP accountant against published values, the exact Gaussian privacy curve, and
// calibrateSigma round trips.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  calibrateSigma,
  gaussianEpsilon,
  gaussianRdp,
  PrivacyAccountant,
  rdpToEpsilon,
  sampledGaussianRdp,
} from '../src/privacy/index.js';

/** erfc to ~1e-13: Taylor series of erf below 2, Lentz continued fraction above. */
function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  if (x < 2) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (-x * x) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    d = 1 / d;
    c = x + a / c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}
const Phi = (z: number) => erfc(-z / Math.SQRT2) / 2;

/** Exact delta(epsilon) of the Gaussian mechanism with mu = sqrt(T)/sigma (Balle & Wang 2018, Thm. 8). */
function exactDelta(eps: number, mu: number): number {
  return Phi(mu / 2 - eps / mu) - Math.exp(eps) * Phi(-mu / 2 - eps / mu);
}

describe('privacy accountant', () => {
  it('matches dp_accounting: sigma 4.530877117, one release, delta 1e-6 gives epsilon 1', () => {
    // google/differential-privacy python/dp_accounting/dp_accounting/rdp/rdp_privacy_accountant_test.py,
    // test_compute_epsilon_delta_gaussian ("noise multiplier is chosen to obtain exactly (1,1e-6)-DP",
    // orders 1.000..99.999 in steps of 0.001, assertAlmostEqual to 7 places).
    assert.ok(Math.abs(gaussianEpsilon(4.530877117, 1, 1e-6) - 1) < 5e-8);
  });

  it('matches dp_accounting: the conversion of constant RDP 1.1 over orders 2..32 at delta 1e-5', () => {
    // Same file, test_compute_epsilon_delta_pure_dp: epsilon 1.32783806176 at optimal order 32.
    const orders = Array.from({ length: 31 }, (_, i) => i + 2);
    const r = rdpToEpsilon(
      orders,
      orders.map(() => 1.1),
      1e-5,
    );
    assert.ok(Math.abs(r.epsilon - 1.32783806176) < 1e-9);
    assert.equal(r.order, 32);
  });

  it('matches dp_accounting: Poisson-subsampled Gaussian RDP (q 0.01, sigma 2.5, 50 steps)', () => {
    // Same file, test_compute_rdp_poisson_sampled_gaussian (rtol 1e-4); our orders are integers only.
    const expected: [number, number][] = [
      [5, 2.18075656e-3],
      [50, 2.38460375e-2],
      [100, 1.67416308e2],
    ];
    for (const [alpha, rdp] of expected) {
      const got = 50 * sampledGaussianRdp(0.01, 2.5, alpha);
      assert.ok(Math.abs(got / rdp - 1) < 1e-4, `order ${alpha}: ${got} vs ${rdp}`);
    }
    assert.equal(sampledGaussianRdp(1, 2.71828, 3), gaussianRdp(2.71828, 3));
    assert.equal(sampledGaussianRdp(0, 1, 3), 0);
  });

  it('is a sound upper bound close to Opacus: sigma 1.5, q 0.04, 2250 steps, delta 1e-5 -> 7.32911117143', () => {
    // pytorch/opacus opacus/tests/accountants_test.py, test_rdp_accountant. Opacus also scans
    // fractional orders 1.1..10.9; we use integer orders only, so we may only be (slightly) above.
    const eps = gaussianEpsilon(1.5, 2250, 1e-5, 0.04);
    assert.ok(eps >= 7.32911117143 - 1e-9, `${eps}`);
    assert.ok(eps < 7.32911117143 * 1.001, `${eps}`);
  });

  it('never claims less than the exact Gaussian curve, and is within 25% of it', () => {
    // The check of dp_accounting's test_delta_bounds_gaussian, over sigma, rounds and delta.
    for (const sigma of [0.5, 1, 2, 5, 20]) {
      for (const rounds of [1, 10, 100]) {
        for (const delta of [1e-3, 1e-5, 1e-8]) {
          const mu = Math.sqrt(rounds) / sigma;
          const eps = gaussianEpsilon(sigma, rounds, delta);
          assert.ok(exactDelta(eps, mu) <= delta * (1 + 1e-6), `sigma ${sigma} T ${rounds} delta ${delta}`);
          let lo = 0;
          let hi = eps;
          for (let i = 0; i < 100; i++) {
            const mid = (lo + hi) / 2;
            if (exactDelta(mid, mu) > delta) lo = mid;
            else hi = mid;
          }
          assert.ok(
            eps <= 1.25 * hi + 0.05,
            `sigma ${sigma} T ${rounds} delta ${delta}: ${eps} vs exact ${hi}`,
          );
        }
      }
    }
  });

  it('calibrateSigma round-trips: the smallest sigma within the budget (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 20, noNaN: true }),
        fc.constantFrom(1e-8, 1e-6, 1e-5, 1e-3),
        fc.integer({ min: 1, max: 1000 }),
        (epsilon, delta, rounds) => {
          const sigma = calibrateSigma(epsilon, delta, rounds);
          assert.ok(gaussianEpsilon(sigma, rounds, delta) <= epsilon + 1e-12);
          assert.ok(gaussianEpsilon(sigma * (1 - 1e-5), rounds, delta) > epsilon);
        },
      ),
      { numRuns: 200 },
    );
    const s = calibrateSigma(2, 1e-5, 100, 0.1);
    assert.ok(gaussianEpsilon(s, 100, 1e-5, 0.1) <= 2 && gaussianEpsilon(s * 0.999, 100, 1e-5, 0.1) > 2);
    assert.throws(() => calibrateSigma(0, 1e-5, 10), /epsilon/);
    assert.throws(() => calibrateSigma(1, 1, 10), /delta/);
  });

  it('composes rounds, enforces the budget and survives a checkpoint', () => {
    const sigma = calibrateSigma(4, 1e-5, 10);
    const acc = new PrivacyAccountant({ delta: 1e-5, maxEpsilon: 4 });
    let last = 0;
    for (let r = 1; r <= 10; r++) {
      assert.ok(acc.canContribute(sigma), `round ${r}`);
      acc.record(sigma);
      assert.ok(acc.epsilon() > last);
      last = acc.epsilon();
    }
    assert.equal(acc.rounds, 10);
    assert.ok(Math.abs(acc.epsilon() - gaussianEpsilon(sigma, 10, 1e-5)) < 1e-12);
    assert.equal(acc.canContribute(sigma), false, 'an 11th round would exceed epsilon 4');
    const back = PrivacyAccountant.fromJSON(JSON.parse(JSON.stringify(acc.toJSON())));
    assert.equal(back.epsilon(), acc.epsilon());
    assert.equal(back.canContribute(sigma), false);
    // Mixed noise levels compose by adding RDP.
    const mixed = new PrivacyAccountant({ delta: 1e-5 });
    mixed.record(1, 3);
    mixed.record(2, 4);
    const rho = 3 / 2 + 4 / 8;
    assert.ok(Math.abs(mixed.epsilon() - gaussianEpsilon(1 / Math.sqrt(2 * rho), 1, 1e-5)) < 1e-9);
    assert.equal(new PrivacyAccountant({ delta: 1e-5 }).epsilon(), 0);
    assert.throws(() => mixed.record(-1), /sigma/);
    assert.equal(gaussianEpsilon(0, 1, 1e-5), Infinity);
  });
});
