// The privacy layer's pure and file-backed parts: settings and flags (one-line refusals), the DP
// guard of updates (clip, noise share, durable accountant, budget stop), the noised fingerprint
// kept across restarts, and the tagged secagg reply framing.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { calibrateSigma, computeFingerprint, createRng, gaussianEpsilon, type WeightSet } from '@ppfm/meta';
import { encodeSecAgg } from '@ppfm/protocol';
import { privacyFromFlags } from '../src/commands/privacy-flags.js';
import { EventBus } from '../src/events.js';
import type { LogEvent } from '../src/log/events.js';
import { decodeSecAggReply, encodeSecAggReply } from '../src/net/secagg-wire.js';
import { accountantPath } from '../src/privacy/accountant-file.js';
import { noisedFingerprint } from '../src/privacy/fingerprint-file.js';
import { noiseFactor, resolvePrivacy, secAggConfigFor, SECURE_MAX_WEIGHT } from '../src/privacy/settings.js';
import { flattenWeights, unflattenWeights } from '../src/privacy/vector.js';
import { UpdatePrivacy } from '../src/services/update-privacy.js';
import { groupData } from './helpers/peers.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli.js');

function ppfm(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args]);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

const delta = (values: number[]): WeightSet => [
  { name: 'a', shape: [values.length], values: Float32Array.from(values) },
];

describe('privacy settings and flags', () => {
  it('resolves DP from a noise multiplier or a target epsilon, with defaults', () => {
    assert.deepEqual(resolvePrivacy({ dp: { clip: 1, noise: 2 } }, {}), {
      secureAgg: false,
      fingerprintNoise: 0,
      dp: { clip: 1, sigma: 2, delta: 1e-5, maxEpsilon: Infinity },
    });
    const e = resolvePrivacy({ dp: { clip: 0.5, epsilon: 4 } }, { rounds: 10 }).dp!;
    assert.equal(e.sigma, calibrateSigma(4, 1e-5, 10));
    assert.equal(e.maxEpsilon, 4, 'the target is also the budget');
    assert.ok(gaussianEpsilon(e.sigma, 10, 1e-5) <= 4);
  });

  it('refuses impossible combinations with one line naming the flag', () => {
    const bad: [Parameters<typeof resolvePrivacy>[0], Parameters<typeof resolvePrivacy>[1], RegExp][] = [
      [
        { secureAgg: true },
        { aggregator: 'median' },
        /--secure-agg cannot be combined with --aggregator median/,
      ],
      [{ secureAgg: true }, { aggregator: 'trimmed' }, /robust aggregators need every member's update/],
      [{ dp: { clip: 1 } }, {}, /exactly one of --dp-noise SIGMA or --dp-epsilon E/],
      [{ dp: { clip: 1, noise: 1, epsilon: 1 } }, { rounds: 3 }, /exactly one of/],
      [{ dp: { clip: 1, epsilon: 1 } }, {}, /--dp-epsilon needs --rounds/],
      [{ dp: { clip: 0, noise: 1 } }, {}, /--dp-clip must be a finite number > 0/],
      [{ dp: { clip: 1, noise: 1, delta: 1 } }, {}, /--dp-delta must be in \(0, 1\)/],
      [{ dp: { clip: 1, noise: 0, maxEpsilon: 3 } }, {}, /--dp-noise 0 gives no privacy/],
      [{ fingerprintNoise: -1 }, {}, /--fingerprint-noise must be a finite number >= 0/],
    ];
    for (const [o, ctx, re] of bad) assert.throws(() => resolvePrivacy(o, ctx), re);
    assert.doesNotThrow(() => resolvePrivacy({ secureAgg: true }, { aggregator: 'mean' }));
    assert.throws(() => privacyFromFlags({ dpNoise: 1 }, {}), /--dp-noise needs --dp-clip C/);
    assert.throws(
      () => privacyFromFlags({ secureAgg: true }, { aggregator: 'median' }),
      /--aggregator median/,
    );
    assert.equal(privacyFromFlags({}, {}), undefined);
  });

  it('ppfm start refuses bad privacy flags with exit code 2 before it starts', async function () {
    this.timeout(60_000); // four CLI start-ups on a shared machine
    const dir = await mkdtemp(join(tmpdir(), 'ppfm-privacy-cli-'));
    try {
      await writeFile(join(dir, 'd.csv'), 'x,label\n1,0\n2,1\n');
      for (const [args, re] of [
        [['--dp-epsilon', '2', '--dp-clip', '1'], /--dp-epsilon needs --rounds/],
        [['--dp-noise', '1'], /--dp-noise needs --dp-clip C/],
        [['--dp-clip', '-1', '--dp-noise', '1'], /--dp-clip.*must be a finite number > 0/],
        [
          ['--secure-agg', '--aggregator', 'median'],
          /--secure-agg cannot be combined with --aggregator median/,
        ],
      ] as const) {
        const r = await ppfm(['start', '--data', join(dir, 'd.csv'), '--data-dir', join(dir, 'dd'), ...args]);
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, re);
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('derives one secure-aggregation config per cluster: room for the noise shares under DP', () => {
    assert.deepEqual(secAggConfigFor(10, 4, undefined), {
      length: 10,
      clip: 4,
      maxWeight: SECURE_MAX_WEIGHT,
    });
    const dp = { clip: 0.5, sigma: 3, delta: 1e-5, maxEpsilon: Infinity };
    const c = secAggConfigFor(10, 4, dp);
    // t = 3 of 4: each member adds noise sigma C / sqrt(3); B leaves 6 of its standard deviations.
    assert.ok(Math.abs(c.clip! - 0.5 * (1 + (6 * 3) / Math.sqrt(3))) < 1e-12);
    assert.equal(c.maxWeight, 1);
    assert.equal(noiseFactor(false, 4), 1);
    assert.ok(Math.abs(noiseFactor(true, 4) - 1 / Math.sqrt(3)) < 1e-12);
  });

  it("flattens and restores an update in the model spec's order", () => {
    const like: WeightSet = [
      { name: 'w', shape: [2, 2], values: new Float32Array(4) },
      { name: 'b', shape: [2], values: new Float32Array(2) },
    ];
    const ws: WeightSet = [
      { name: 'w', shape: [2, 2], values: Float32Array.of(1, 2, 3, 4) },
      { name: 'b', shape: [2], values: Float32Array.of(5, 6) },
    ];
    const v = flattenWeights(ws, like);
    assert.deepEqual([...v], [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(unflattenWeights(v, like), ws);
    assert.throws(() => flattenWeights([ws[1]!, ws[0]!], like), /differ from the model spec/);
  });
});

describe('differential privacy of updates (UpdatePrivacy)', () => {
  let dir: string;
  const bus = new EventBus();
  const logged: LogEvent[] = [];
  bus.on('log', (e) => logged.push(e));
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ppfm-dp-'));
    logged.length = 0;
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));
  const c = { self: 'peerA', bus };
  const round = { cluster: 'c0', round: 1, members: ['peerA', 'peerB', 'peerC', 'peerD'] };

  it('clips to C and adds noise sigma C (its share 1/sqrt(t) under secure aggregation); weight 1', async () => {
    const dp = { clip: 2, sigma: 0.5, delta: 1e-5, maxEpsilon: Infinity };
    const big = Array.from({ length: 20_000 }, (_, i) => (i % 2 === 0 ? 3 : -3)); // norm 424
    for (const [secure, factor] of [
      [false, 1],
      [true, 1 / Math.sqrt(3)],
    ] as const) {
      const g = await UpdatePrivacy.open(c, dp, secure, dir, createRng(7));
      const out = await g.prepare(round, delta(big));
      assert.equal(out.samples, 1);
      const v = out.delta[0]!.values;
      // clipped signal: +-2/sqrt(20000); what remains is the noise
      const s = 2 / Math.sqrt(20_000);
      let sq = 0;
      for (let i = 0; i < v.length; i++) sq += (v[i]! - (i % 2 === 0 ? s : -s)) ** 2;
      const std = Math.sqrt(sq / v.length);
      const want = 0.5 * 2 * factor;
      assert.ok(Math.abs(std / want - 1) < 0.03, `noise std ${std}, expected ${want}`);
    }
    const rel = logged.filter((e) => e.event === 'dp_release');
    assert.equal(rel.length, 2);
    assert.ok(rel[0]?.event === 'dp_release' && Math.abs(rel[0].norm - Math.sqrt(20_000) * 3) < 1e-6);
  });

  it('a re-opened round (same cluster, round, term, members) re-sends the same noised update: one release', async () => {
    const dp = { clip: 1, sigma: 1, delta: 1e-5, maxEpsilon: Infinity };
    const g = await UpdatePrivacy.open(c, dp, true, dir, createRng(3));
    const r1 = { ...round, term: 2 };
    const a = await g.prepare(r1, delta([0.5, 0.5, 0.5]));
    const b = await g.prepare({ ...r1, members: [...r1.members].reverse() }, delta([9, 9, 9]));
    assert.deepEqual([...b.delta[0]!.values], [...a.delta[0]!.values], 'the same release again');
    assert.equal(g.releases, 1);
    assert.ok(g.admit(1, r1), 'a re-attempt is admitted whatever the budget');
    assert.equal(logged.filter((e) => e.event === 'dp_release').length, 1);
    assert.ok(logged.some((e) => e.event === 'notice' && e.code === 'dp_reused'));
    // Another member list, another term or the next round is a new release.
    await g.prepare({ ...r1, members: ['peerA', 'peerB'] }, delta([0.5, 0.5, 0.5]));
    await g.prepare({ ...r1, members: ['peerA', 'peerB'], term: 3 }, delta([0.5, 0.5, 0.5]));
    await g.prepare({ ...r1, members: ['peerA', 'peerB'], term: 3, round: 2 }, delta([0.5, 0.5, 0.5]));
    assert.equal(g.releases, 4);
  });

  it('keeps the spent budget on disk across restarts and stops at --dp-max-epsilon, saying so once', async () => {
    const sigma = 1.5;
    const max = (gaussianEpsilon(sigma, 2, 1e-5) + gaussianEpsilon(sigma, 3, 1e-5)) / 2; // room for 2
    const dp = { clip: 1, sigma, delta: 1e-5, maxEpsilon: max };
    const g1 = await UpdatePrivacy.open(c, dp, false, dir, createRng(1));
    assert.equal(g1.admit(1), true);
    await g1.prepare(round, delta([1, 2]));
    // A restart: the accountant comes back from the file.
    const g2 = await UpdatePrivacy.open(c, dp, false, dir, createRng(2));
    assert.equal(g2.releases, 1);
    assert.ok(Math.abs(g2.epsilon()! - gaussianEpsilon(sigma, 1, 1e-5)) < 1e-9);
    assert.equal(g2.admit(2), true);
    await g2.prepare({ ...round, round: 2 }, delta([1, 2]));
    assert.equal(g2.admit(3), false);
    assert.equal(g2.admit(4), false);
    const notices = logged.filter((e) => e.event === 'notice' && e.code === 'dp_budget_exhausted');
    assert.equal(notices.length, 1);
    assert.match(
      notices[0]?.event === 'notice' ? notices[0].message : '',
      /privacy budget reached at round 3/,
    );
    assert.ok(g2.epsilon()! <= max);
  });

  it('refuses a damaged or foreign accountant file, naming it (it is never silently reset)', async () => {
    const dp = { clip: 1, sigma: 1, delta: 1e-5, maxEpsilon: Infinity };
    await writeFile(accountantPath(dir), '{"version":1,"peerId":"peerA","releases":[{"sigma":-1}]}');
    await assert.rejects(UpdatePrivacy.open(c, dp, false, dir), (e: Error) =>
      e.message.startsWith(`${accountantPath(dir)}: releases[0]`),
    );
    await writeFile(accountantPath(dir), '{"version":1,"peerId":"peerB","releases":[]}');
    await assert.rejects(UpdatePrivacy.open(c, dp, false, dir), /written by peer peerB/);
    await writeFile(accountantPath(dir), '{not json');
    await assert.rejects(UpdatePrivacy.open(c, dp, false, dir), /not valid JSON/);
  });
});

describe('fingerprint noise and the secagg reply framing', () => {
  it('noises a fingerprint once and republishes the same copy after a restart; new data, new noise', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ppfm-fpn-'));
    try {
      const fp = computeFingerprint(groupData(0, 1));
      const a = await noisedFingerprint(dir, fp, 2, createRng(1));
      const b = await noisedFingerprint(dir, fp, 2, createRng(2));
      assert.equal(a.reused, false);
      assert.equal(b.reused, true);
      assert.deepEqual(b.fingerprint, a.fingerprint);
      assert.ok(a.fingerprint.sampleCount < fp.sampleCount, 'the effective sample count is published');
      assert.notDeepEqual(a.fingerprint.projMean, fp.projMean);
      const other = await noisedFingerprint(dir, computeFingerprint(groupData(1, 1)), 2, createRng(3));
      assert.equal(other.reused, false);
      const onDisk = JSON.parse(await readFile(join(dir, 'fingerprint-noised.json'), 'utf8')) as {
        scale: number;
      };
      assert.equal(onDisk.scale, 2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('tags replies so that secagg frames and direct errors never decode as each other', () => {
    const m = {
      kind: 'unmask_request' as const,
      cluster: 'c1',
      round: 2,
      term: 1,
      survivors: ['12D3KooWA', '12D3KooWB'],
    };
    assert.deepEqual(decodeSecAggReply(encodeSecAggReply({ kind: 'frame', message: m })), {
      kind: 'frame',
      message: m,
    });
    assert.deepEqual(decodeSecAggReply(encodeSecAggReply({ kind: 'ack', cluster: 'c1', round: 2 })), {
      kind: 'ack',
      cluster: 'c1',
      round: 2,
    });
    const e = decodeSecAggReply(encodeSecAggReply({ kind: 'error', code: 'not_member', message: 'no' }));
    assert.deepEqual(e, { kind: 'error', code: 'not_member', message: 'no' });
    // An untagged frame (or garbage) is an error reply naming the problem, never a throw.
    const untagged = decodeSecAggReply(encodeSecAgg(m));
    assert.ok(untagged.kind === 'error' && /bad reply/.test(untagged.message));
    assert.equal(decodeSecAggReply(new Uint8Array(0)).kind, 'error');
  });
});
