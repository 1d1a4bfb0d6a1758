// Secure-aggregation rounds end to end, in memory through encoded frames: the head's view of a
// masked input is independent of the update, the decoded aggregate is the plain weighted sum within
// the fixed-point bound, dropouts before and after masking, the threshold abort, forged and
// substituted keys, and a head that asks for more than it is owed.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  advertSigningBytes,
  ed25519Identities,
  encodeFixedPoint,
  meanErrorBound,
  ringAddInto,
  SecAggHead,
  SecAggMember,
  secAggParams,
  simulateSecAgg,
  sumErrorBound,
  type SecAggMessage,
  type SimulateOptions,
} from '../src/index.js';
import { mulberry32 } from './arbitraries.js';

const ROUND = { cluster: 'c1', round: 7, term: 3 };
const HEAD = 'head0';

function peers(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `peer${String.fromCharCode(65 + i)}${i}`);
}

/** Updates of `length` from a seeded generator; `pattern` makes them structured (worst case for masking). */
function inputs(
  members: string[],
  length: number,
  seed: number,
  pattern: 'gauss' | 'ramp' | 'const' = 'gauss',
) {
  const rnd = mulberry32(seed);
  return new Map(
    members.map((m, k) => {
      const update = new Float32Array(length);
      for (let i = 0; i < length; i++) {
        update[i] =
          pattern === 'ramp'
            ? (i / length) * 3 - 1.5
            : pattern === 'const'
              ? 2.5
              : (rnd() - 0.5) * 0.2 * (k + 1);
      }
      return [m, { update, weight: 1 + Math.floor(rnd() * 100) }];
    }),
  );
}

function run(members: string[], length: number, extra: Partial<SimulateOptions> = {}, seed = 1) {
  return simulateSecAgg({
    round: ROUND,
    head: HEAD,
    members,
    config: { length, maxWeight: 100 },
    inputs: inputs(members, length, seed),
    ...extra,
  });
}

function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

describe('secagg rounds', function () {
  this.timeout(60_000);

  it("the head's view of a masked input is independent of the update (property)", async () => {
    // Over L coordinates an independent pair has |r| ~ N(0, 1/L): 5/sqrt(L) fails by chance with p < 1e-6.
    const L = 20_000;
    const bound = 5 / Math.sqrt(L);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 3, max: 5 }),
        fc.constantFrom('gauss', 'ramp', 'const') as fc.Arbitrary<'gauss' | 'ramp' | 'const'>,
        fc.nat(1000),
        async (n, pattern, seed) => {
          const members = peers(n);
          const ins = inputs(members, L, seed, pattern);
          const seen: SecAggMessage[] = [];
          const r = await simulateSecAgg({
            round: ROUND,
            head: HEAD,
            members,
            config: { length: L, maxWeight: 100 },
            inputs: ins,
            observe: (_from, to, m) => void (to === HEAD && seen.push(m)),
          });
          assert.equal(r.outcome.kind, 'done');
          const target = members[0]!;
          const masked = seen.find((m) => m.kind === 'masked_input' && m.sender === target);
          assert.ok(masked && masked.kind === 'masked_input');
          const y = Int32Array.from(masked.masked.subarray(0, L));
          const x = ins.get(target)!.update;
          const enc = Int32Array.from(
            encodeFixedPoint(
              x,
              ins.get(target)!.weight,
              secAggParams(n, { length: L, maxWeight: 100 }),
            ).subarray(0, L),
          );
          if (pattern !== 'const') {
            // The control: without masks the head's view is the update itself.
            assert.ok(pearson(enc, x) > 0.99);
            assert.ok(Math.abs(pearson(y, x)) < bound, `corr(masked, update) = ${pearson(y, x)}`);
          }
          // Whatever the update, the masked values are uniform over the ring (top 4 bits, chi2 df 15, p 1e-4: 42.3).
          const bins = new Array<number>(16).fill(0);
          for (const v of masked.masked.subarray(0, L)) bins[v >>> 28]!++;
          const chi = bins.reduce((s, o) => s + (o - L / 16) ** 2 / (L / 16), 0);
          assert.ok(chi < 42.3, `chi2 ${chi}`);
        },
      ),
      { numRuns: 8 },
    );
  });

  it('the aggregate equals the plain weighted sum within the fixed-point bound (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 3, max: 7 }),
        fc.nat(10_000),
        fc.constantFrom(1, 4, 255),
        async (n, seed, clip) => {
          const members = peers(n);
          const L = 50;
          const ins = inputs(members, L, seed);
          // Raw-unit coordinates too: 0.001 .. 10,000 and integer pixels, clipped to the configured range.
          ins.get(members[0]!)!.update.set([0.001, 255, 10_000, -3, 128]);
          const config = { length: L, clip, maxWeight: 100 };
          const r = await simulateSecAgg({ round: ROUND, head: HEAD, members, config, inputs: ins });
          assert.ok(r.outcome.kind === 'done');
          const res = r.outcome.result;
          const p = secAggParams(n, config);
          // Exact in the ring: the head's sum is the sum of the members' encodings.
          const enc = new Uint32Array(L + 1);
          for (const m of members)
            ringAddInto(enc, encodeFixedPoint(ins.get(m)!.update, ins.get(m)!.weight, p));
          assert.deepEqual(res.ringSum, enc);
          let wsum = 0;
          for (const m of members) wsum += ins.get(m)!.weight;
          assert.ok(Math.abs(res.weightSum - wsum) <= sumErrorBound(p, n) + wsum * 2 ** -24);
          const bound = meanErrorBound(p, n, wsum) + 2 ** -24 * clip;
          for (let i = 0; i < L; i++) {
            let s = 0;
            for (const m of members) {
              const v = ins.get(m)!.update[i]!;
              s += ins.get(m)!.weight * Math.max(-clip, Math.min(clip, v));
            }
            assert.ok(
              Math.abs(res.mean![i]! - s / wsum) <= bound,
              `coord ${i}: ${res.mean![i]} vs ${s / wsum}`,
            );
          }
        },
      ),
      { numRuns: 20 },
    );
  });

  it('1 of 4 dropped before masking: the survivors are summed exactly', async () => {
    const members = peers(4);
    const r = await run(members, 200, { dropBefore: { mask: [members[2]!] } });
    assert.ok(r.outcome.kind === 'done');
    const res = r.outcome.result;
    assert.deepEqual(res.contributors, [members[0], members[1], members[3]]);
    assert.deepEqual(res.dropped, [members[2]]);
    const p = secAggParams(4, { length: 200, maxWeight: 100 });
    const ins = inputs(members, 200, 1);
    const enc = new Uint32Array(201);
    for (const m of res.contributors)
      ringAddInto(enc, encodeFixedPoint(ins.get(m)!.update, ins.get(m)!.weight, p));
    assert.deepEqual(res.ringSum, enc);
  });

  it('1 of 4 dropped after masking: its input is recovered and the round completes', async () => {
    const members = peers(4);
    const r = await run(members, 200, { dropBefore: { unmask: [members[1]!] } });
    assert.ok(r.outcome.kind === 'done');
    assert.deepEqual(r.outcome.result.contributors, members);
    const p = secAggParams(4, { length: 200, maxWeight: 100 });
    const ins = inputs(members, 200, 1);
    const enc = new Uint32Array(201);
    for (const m of members) ringAddInto(enc, encodeFixedPoint(ins.get(m)!.update, ins.get(m)!.weight, p));
    assert.deepEqual(r.outcome.result.ringSum, enc);
  });

  it('below the threshold the round aborts with a typed reason at every stage', async () => {
    const members = peers(4); // t = 3
    for (const stage of ['advertise', 'share', 'mask', 'unmask'] as const) {
      const r = await run(members, 20, { dropBefore: { [stage]: members.slice(0, 2) } });
      assert.equal(r.outcome.kind, 'aborted', stage);
      if (r.outcome.kind === 'aborted') {
        assert.equal(r.outcome.abort.reason, 'below_threshold');
        assert.equal(r.outcome.abort.stage, stage);
      }
    }
  });

  it('the head rejects a key advert whose signature does not verify (forged)', async () => {
    const members = peers(3);
    const ids = ed25519Identities(members);
    const head = new SecAggHead({ round: ROUND, members, config: { length: 4 }, verify: ids.verify });
    const init = {
      self: members[0]!,
      head: HEAD,
      round: ROUND,
      members,
      config: { length: 4 },
      sign: ids.signerFor(members[0]!),
      verify: ids.verify,
    };
    const honest = new SecAggMember(init);
    const a = await honest.advertise();
    assert.ok(a.kind === 'send');
    // Another member signs an advert claiming to be members[0]; and the real advert with a swapped key.
    const forger = ed25519Identities(members);
    const forged = new SecAggMember({ ...init, sign: forger.signerFor(members[0]!) });
    const f = await forged.advertise();
    assert.ok(f.kind === 'send');
    assert.deepEqual(await head.onKeyAdvert(members[0]!, f.message), {
      kind: 'rejected',
      reason: 'bad_signature',
      detail: `key advert of ${members[0]} does not verify`,
    });
    const swapped = { ...a.message, maskKey: new Uint8Array(32).fill(9) };
    assert.equal((await head.onKeyAdvert(members[0]!, swapped)).kind, 'rejected');
    assert.equal(
      (await head.onKeyAdvert(members[1]!, a.message)).kind,
      'rejected',
      'relayed by someone else',
    );
    // A correctly signed advert with a low-order key (all-zero shared secrets) is kept out too.
    const weak = new SecAggMember({ ...init, self: members[2]!, sign: ids.signerFor(members[2]!) });
    const w = await weak.advertise();
    assert.ok(w.kind === 'send');
    const zero = { ...w.message, maskKey: new Uint8Array(32) };
    zero.signature = await ids.signerFor(members[2]!)(advertSigningBytes(zero));
    const rz = await head.onKeyAdvert(members[2]!, zero);
    assert.ok(rz.kind === 'rejected' && rz.reason === 'bad_key', JSON.stringify(rz));
    assert.deepEqual(await head.onKeyAdvert(members[0]!, a.message), { kind: 'accepted', complete: false });
  });

  it('members abort when the head substitutes a key in the roster, and reject an altered own advert', async () => {
    const members = peers(4);
    for (const target of ['other', 'own'] as const) {
      const victim = members[1]!;
      const r = await run(members, 20, {
        relay: (to, m) => {
          if (m.kind !== 'roster' || to !== members[0]) return m;
          const who = target === 'other' ? victim : members[0]!;
          // A man-in-the-middle head swaps in a mask key whose secret it knows.
          return {
            ...m,
            adverts: m.adverts.map((a) =>
              a.sender === who ? { ...a, maskKey: new Uint8Array(32).fill(5) } : a,
            ),
          };
        },
      });
      const abort = r.memberAborts.get(members[0]!);
      assert.ok(abort, target);
      assert.equal(abort.reason, target === 'other' ? 'bad_signature' : 'bad_roster');
      assert.equal(abort.peer, target === 'other' ? victim : members[0]);
      // The deceived member leaves; the other three still complete (t = 3).
      assert.equal(r.outcome.kind, 'done');
    }
  });

  it('a member reveals one kind of share per peer, once: a head cannot unmask an individual input', async () => {
    const members = peers(4);
    const ids = ed25519Identities(members);
    const config = { length: 8 };
    const ms = members.map(
      (self) =>
        new SecAggMember({
          self,
          head: HEAD,
          round: ROUND,
          members,
          config,
          sign: ids.signerFor(self),
          verify: ids.verify,
        }),
    );
    const head = new SecAggHead({ round: ROUND, members, config, verify: ids.verify });
    for (const [i, m] of ms.entries()) {
      const s = await m.advertise();
      assert.ok(s.kind === 'send');
      await head.onKeyAdvert(members[i]!, s.message);
    }
    const roster = head.closeAdverts();
    assert.ok(roster.kind === 'send');
    for (const [i, m] of ms.entries()) {
      const s = await m.onRoster(HEAD, roster.message.message);
      assert.ok(s.kind === 'send');
      head.onShareKeys(members[i]!, s.message);
    }
    const d = head.closeShares();
    assert.ok(d.kind === 'send');
    for (const [i, m] of ms.entries()) assert.equal(m.onShareDelivery(HEAD, d.message[i]!).kind, 'ready');
    const first = ms[0]!.onUnmaskRequest(HEAD, {
      kind: 'unmask_request',
      ...ROUND,
      survivors: members.slice(1),
    });
    assert.ok(first.kind === 'send');
    const about0 = (x: typeof first.message) => [
      x.selfMaskShares.some((s) => s.peer === members[0]),
      x.maskKeyShares.some((s) => s.peer === members[0]),
    ];
    assert.deepEqual(about0(first.message), [false, true]);
    // Asked again with a list that now includes members[0]: nothing more comes out.
    const again = ms[0]!.onUnmaskRequest(HEAD, { kind: 'unmask_request', ...ROUND, survivors: members });
    assert.equal(again.kind, 'ignored');
    // A survivor list outside U2 is refused.
    const bad = ms[1]!.onUnmaskRequest(HEAD, {
      kind: 'unmask_request',
      ...ROUND,
      survivors: [...members.slice(0, 2), 'stranger9'],
    });
    assert.ok(bad.kind === 'aborted' && bad.abort.reason === 'bad_request');
  });

  it('ignores messages from other peers or rounds and refuses a roster with other parameters', async () => {
    const members = peers(3);
    const ids = ed25519Identities(members);
    const init = {
      self: members[0]!,
      head: HEAD,
      round: ROUND,
      members,
      config: { length: 4 },
      sign: ids.signerFor(members[0]!),
      verify: ids.verify,
    };
    const m = new SecAggMember(init);
    const a = await m.advertise();
    assert.ok(a.kind === 'send');
    const { kind: _k, ...advert } = a.message;
    const roster = {
      kind: 'roster' as const,
      ...ROUND,
      length: 4,
      threshold: 3,
      fracBits: m.params.fracBits,
      clip: 4,
      maxWeight: 1,
      adverts: [advert],
    };
    assert.equal((await m.onRoster('someoneElse', roster)).kind, 'ignored');
    assert.equal((await m.onRoster(HEAD, { ...roster, round: 8 })).kind, 'ignored');
    const r = await m.onRoster(HEAD, { ...roster, length: 5 });
    assert.ok(r.kind === 'aborted' && r.abort.reason === 'params_mismatch');
    assert.throws(() => new SecAggMember({ ...init, self: 'notMember1' }), /not in the round/);
    // A validly signed advert from an earlier round, replayed into this roster.
    const old = new SecAggMember({
      ...init,
      self: members[1]!,
      round: { ...ROUND, round: 6 },
      sign: ids.signerFor(members[1]!),
    });
    const o = await old.advertise();
    assert.ok(o.kind === 'send');
    const { kind: _o, ...replayed } = o.message;
    const fresh = new SecAggMember(init);
    const f = await fresh.advertise();
    assert.ok(f.kind === 'send');
    const { kind: _f, ...own } = f.message;
    const rr = await fresh.onRoster(HEAD, { ...roster, adverts: [own, replayed] });
    assert.ok(
      rr.kind === 'aborted' && rr.abort.reason === 'bad_roster' && rr.abort.peer === members[1],
      JSON.stringify(rr),
    );
  });
});
