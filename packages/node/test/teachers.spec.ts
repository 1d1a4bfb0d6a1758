// FedZDA teachers on real libp2p nodes: a member whose cluster lacks classes 2 and 3 picks the
// cluster that holds them from the fingerprints' label histograms, fetches that cluster's model
// from its head over /ppfm/1/model/fetch and synthesises its top-up of 2 and 3 from it (real
// learner); hostile teachers (wrong shape, NaN, a negative running variance, an oversized reply,
// a headship claimed by a peer outside the cluster) are refused with the logged reason and the
// learner gets no teacher from them. Plus --augment-snap's parsing.
import assert from 'node:assert/strict';
import {
  add,
  clusterScaler,
  computeFingerprint,
  DEFAULT_PPFM_CONFIG,
  selectSamples,
  withScaler,
  ZDA_SIM_DEFAULTS,
  type Dataset,
  type ModelSpec,
  type WeightSet,
} from '@ppfm/meta';
import { encodeModelEnvelope, PROTOCOL_MODEL_FETCH, specHash } from '@ppfm/protocol';
import { InvalidArgumentError } from 'commander';
import { snapShare, START_OPTIONS } from '../src/commands/start-options.js';
import type { PeerComponents } from '../src/components.js';
import { EventBus } from '../src/events.js';
import { maxEnvelopeBytes } from '../src/handlers/model-limits.js';
import { startInlineLearner } from '../src/learner/inline-learner.js';
import {
  AUGMENT_SETTINGS_DEFAULTS,
  checkAugmentSettings,
  type AugmentArgs,
  type AugmentSettings,
  type AugmentOutcome,
  type Learner,
} from '../src/learner/learner.js';
import type { LogEvent } from '../src/log/events.js';
import { ModelClient } from '../src/net/model-client.js';
import { DEFAULT_TIMING } from '../src/options.js';
import { augmentRound } from '../src/services/augmentation.js';
import type { RoleClaim } from '../src/services/membership.js';
import { ModelStore } from '../src/services/model-store.js';
import { TeacherSource } from '../src/services/teachers.js';
import { systemClock } from '../src/clock.js';
import { groupData, MemoryLog, tempDir } from './helpers/peers.js';
import { startPeer } from '../src/peer.js';
import { poison, SENTINEL } from './helpers/evil.js';
import { startAttacker, type Attacker } from './helpers/attacker.js';
import { ppfm } from './helpers/cli-peer.js';

const BN_MODEL: ModelSpec = {
  layers: [
    { type: 'dense', units: 16 },
    { type: 'batchNorm', momentum: 0.9 },
    { type: 'activation', activation: 'relu' },
  ],
};

/** Peer data with only `classes` of the 4. */
function only(classes: number[], peer: number): Dataset {
  const ds = groupData(0, peer, 400);
  return selectSamples(
    ds,
    [...ds.y.keys()].filter((k) => classes.includes(ds.y[k]!)),
    `classes-${classes.join('')}`,
  );
}

const settings = { ...AUGMENT_SETTINGS_DEFAULTS, mode: 'member' as const, steps: 10 };

describe('FedZDA teachers on the network (real libp2p nodes)', function () {
  this.timeout(240_000);
  let member: Attacker;
  let head: Attacker;
  let outsider: Attacker;
  let learner: Learner;
  let template: WeightSet;
  let theta: WeightSet;
  let taught: WeightSet;
  /** What the head serves on /ppfm/1/model/fetch, and how many requests it got. */
  let body: () => Uint8Array = () => new Uint8Array(0);
  let served = 0;
  const memberData = only([0, 1], 1);
  const headData = only([2, 3], 2);
  const cfg = DEFAULT_PPFM_CONFIG;

  before(async () => {
    learner = await startInlineLearner({
      data: memberData,
      backend: 'wasm',
      model: BN_MODEL,
      cfg,
      seed: 1,
      augment: settings,
    });
    const teacher = await startInlineLearner({
      data: headData,
      backend: 'wasm',
      model: BN_MODEL,
      cfg,
      seed: 2,
    });
    const task = learner.info.task;
    theta = withScaler(learner.info.netInit, clusterScaler(task, [learner.info.fingerprint], cfg));
    // The teaching cluster's model: trained on classes 2 and 3 behind its own scaler.
    taught = withScaler(teacher.info.netInit, clusterScaler(task, [teacher.info.fingerprint], cfg));
    for (let r = 1; r <= 2; r++) {
      const u = await teacher.train(taught, r);
      assert.equal(u.kind, 'update');
      if (u.kind === 'update') taught = add(taught, u.delta);
    }
    await teacher.close();
    template = theta;
    member = await startAttacker([]);
    const addr = member.host.libp2p.getMultiaddrs().map((a) => a.toString());
    head = await startAttacker(addr);
    outsider = await startAttacker(addr);
    await head.serve(PROTOCOL_MODEL_FETCH, () => {
      served++;
      return body();
    });
  });

  after(async () => {
    await Promise.all([member, head, outsider].map((p) => p?.stop()));
    await learner?.close();
  });

  /** A model reply of cluster c1 as a head serves it. */
  const reply = (weights: WeightSet, round = 3): Uint8Array =>
    encodeModelEnvelope({
      modelId: `c1/round-${round}`,
      scope: { kind: 'cluster', cluster: 'c1' },
      round,
      term: 1,
      specHash: specHash(weights),
      codec: 'float32',
      weights,
    });

  /** The member's teacher source: c0 = {member} holds 0 and 1, c1 = {head, outsider} holds 2 and 3. */
  function source(claims: Map<string, RoleClaim>, spy: AugmentArgs[], events: LogEvent[]) {
    const bus = new EventBus();
    bus.on('log', (e) => void events.push(e as LogEvent));
    const store = new ModelStore(template);
    const c = {
      bus,
      clock: systemClock,
      timing: DEFAULT_TIMING,
      libp2p: member.host.libp2p,
      spec: specHash(template),
      store,
      settings: { codec: 'float32', streamMaxBytes: maxEnvelopeBytes(template), seed: 1 },
      learner: {
        info: learner.info,
        augment: (a: AugmentArgs): Promise<AugmentOutcome> => {
          spy.push(a);
          return learner.augment(a);
        },
      },
    } as unknown as PeerComponents;
    const client = new ModelClient(c);
    const fps = new Map([
      [member.id, computeFingerprint(memberData)],
      [head.id, computeFingerprint(headData)],
    ]);
    const teachers = new TeacherSource(c, {
      map: () => ({
        clusters: [
          { id: 'c0', members: [member.id] },
          { id: 'c1', members: [head.id].sort() },
        ],
        byPeer: new Map(),
        separated: true,
      }),
      fingerprint: (id) => fps.get(id),
      claims: () => claims,
      fetch: (peer, cluster, minRound, signal) => client.fetchOrWhy(peer, cluster, minRound, signal),
      threshold: settings.threshold,
      budgetMs: settings.timeBudgetMs,
    });
    return { c, teachers };
  }

  const headClaim = (round = 3): RoleClaim => ({ cluster: 'c1', role: 'head', round, at: Date.now() });

  it("synthesises the classes its cluster lacks from the head's model of the cluster that holds them", async () => {
    served = 0;
    body = () => reply(taught);
    const spy: AugmentArgs[] = [];
    const events: LogEvent[] = [];
    const { c, teachers } = source(new Map([[head.id, headClaim()]]), spy, events);
    assert.deepEqual([...teachers.plan('c0')], [['c1', [2, 3]]]);
    const r = await augmentRound(c, 'member', 'c0', 4, theta, teachers);
    assert.ok(r !== undefined, 'augmentation ran');
    assert.equal(served, 1);
    // The learner got exactly the served model as the teacher of classes 2 and 3 ...
    const t = spy[0]!.teachers!;
    assert.equal(t.length, 1);
    assert.deepEqual(t[0]!.classes, [2, 3]);
    assert.deepEqual(
      t[0]!.weights.map((w) => [...w.values]),
      taught.map((w) => [...w.values]),
    );
    // ... and its top-up holds classes 2 and 3, made by it (5 % of ~100 samples each: >= 5 each).
    assert.deepEqual(r.classes, [2, 3]);
    assert.ok(r.made >= 10, `made ${r.made}`);
    const ev = events.find((e) => e.event === 'augmentation') as Extract<LogEvent, { event: 'augmentation' }>;
    assert.deepEqual(ev.teachers, ['2:c1@3', '3:c1@3']);
    assert.ok(typeof ev.teacherMs === 'number' && ev.teacherMs >= 0);
    assert.deepEqual(
      events.filter((e) => e.event === 'teacher_refused'),
      [],
    );
    // The head's round did not move: the next synthesis reuses the model, no second fetch.
    await augmentRound(c, 'member', 'c0', 5, theta, teachers);
    assert.equal(served, 1);
    assert.equal(spy[1]!.teachers!.length, 1);
  });

  it("a head's class-balanced set takes the classes its cluster lacks from the teacher too", async () => {
    served = 0;
    body = () => reply(taught);
    const spy: AugmentArgs[] = [];
    const events: LogEvent[] = [];
    const { c, teachers } = source(new Map([[head.id, headClaim(4)]]), spy, events);
    const r = await augmentRound(c, 'head', 'c0', 5, theta, teachers);
    assert.ok(r?.samples !== undefined && r.weights !== undefined);
    assert.equal(served, 1);
    assert.deepEqual(
      spy[0]!.teachers!.map((t) => t.classes),
      [[2, 3]],
    );
    // 20 per class of all four, classes 2 and 3 made by the teacher.
    assert.deepEqual([...new Set(r.samples.y)].sort(), [0, 1, 2, 3]);
    const ev = events.find((e) => e.event === 'augmentation') as Extract<LogEvent, { event: 'augmentation' }>;
    assert.deepEqual(ev.teachers, ['2:c1@3', '3:c1@3']);
  });

  /** Runs one augmentation against a head serving `body` (or none); returns refusals and the learner's teachers. */
  async function hostile(
    claims: Map<string, RoleClaim>,
    serves: () => Uint8Array = () => reply(taught),
  ): Promise<{ reasons: string[]; teachers: number; served: number; warned: boolean }> {
    served = 0;
    body = serves;
    const spy: AugmentArgs[] = [];
    const events: LogEvent[] = [];
    const { c, teachers } = source(claims, spy, events);
    const r = await augmentRound(c, 'member', 'c0', 4, theta, teachers);
    assert.ok(r !== undefined, 'the round goes on without the teacher');
    const refused = events.filter((e) => e.event === 'teacher_refused') as { reason: string }[];
    const warned = events.some((e) => e.event === 'notice' && e.code === 'teacher_refused');
    return { reasons: refused.map((e) => e.reason), teachers: spy[0]!.teachers!.length, served, warned };
  }

  it('refuses a model of another shape, NaN values and a negative running variance', async () => {
    const claims = new Map([[head.id, headClaim()]]);
    const wide = taught.map((w) =>
      w.shape.length === 2
        ? {
            ...w,
            shape: [w.shape[0]! + 1, w.shape[1]!],
            values: new Float32Array((w.shape[0]! + 1) * w.shape[1]!),
          }
        : w,
    );
    const shape = await hostile(claims, () => reply(wide));
    assert.deepEqual(shape.reasons, ['shape_mismatch']);
    assert.equal(shape.teachers, 0);
    assert.ok(shape.warned);

    const marked = taught.map((w, i) =>
      i === 3 ? { ...w, values: w.values.map((v, j) => (j === 0 ? SENTINEL : v)) } : w,
    );
    const nan = await hostile(claims, () => poison(reply(marked)));
    assert.deepEqual(nan.reasons, ['non_finite']);
    assert.equal(nan.teachers, 0);

    const negative = taught.map((w) =>
      w.name.endsWith('/moving_variance') ? { ...w, values: w.values.map(() => -1) } : w,
    );
    const neg = await hostile(claims, () => reply(negative));
    assert.deepEqual(neg.reasons, ['negative_variance']);
    assert.equal(neg.teachers, 0);
  });

  it('refuses an oversized reply and a headship claimed from outside the cluster', async () => {
    const claims = new Map([[head.id, headClaim()]]);
    const big = await hostile(claims, () => new Uint8Array(maxEnvelopeBytes(template) + 1024));
    assert.deepEqual(big.reasons, ['too_large']);
    assert.equal(big.teachers, 0);

    // The outsider is not a member of c1 in the member's view: never asked, refused, logged.
    const forged = await hostile(new Map([[outsider.id, headClaim(9)]]));
    assert.deepEqual(forged.reasons, ['not_member']);
    assert.equal(forged.served, 0, 'the outsider was not asked');
    assert.equal(forged.teachers, 0);
    assert.ok(forged.warned);
  });
});

describe('--augment-snap', () => {
  it("defaults to the simulator's snapLow and takes a share in [0, 0.5]", () => {
    const row = START_OPTIONS.find((o) => o.flags.startsWith('--augment-snap'));
    assert.equal(row?.default, ZDA_SIM_DEFAULTS.snapLow);
    assert.equal(snapShare('0'), 0);
    assert.equal(snapShare('0.5'), 0.5);
    assert.equal(snapShare('0.25'), 0.25);
  });

  it('refuses anything else with one clear line', () => {
    for (const bad of ['', ' ', '-0.1', '0.51', '1', 'abc', 'NaN', 'Infinity'])
      assert.throws(
        () => snapShare(bad),
        (err: unknown) => err instanceof InvalidArgumentError && /\[0, 0\.5\]/.test((err as Error).message),
        `accepted ${JSON.stringify(bad)}`,
      );
  });

  it('ppfm start exits 2 with the flag and the allowed range named', async function () {
    this.timeout(60_000);
    const r = await ppfm(['start', '--data', '/nonexistent', '--augment', 'member', '--augment-snap', '0.7']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--augment-snap <share>.*'0\.7' is invalid\. expected a number in \[0, 0\.5\]/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });

  it('startPeer refuses out-of-range augmentation settings given in code, naming the field', async () => {
    const ok = { mode: 'member' as const, ...AUGMENT_SETTINGS_DEFAULTS };
    assert.doesNotThrow(() => checkAugmentSettings(ok));
    const cases: [Partial<AugmentSettings>, RegExp][] = [
      [{ snapLow: 0.7 }, /augment\.snapLow: expected a share in \[0, 0\.5\], got 0\.7/],
      [{ threshold: 1 }, /augment\.threshold/],
      [{ perClass: 2.5 }, /augment\.perClass/],
      [{ steps: 0 }, /augment\.steps/],
      [{ timeBudgetMs: NaN }, /augment\.timeBudgetMs/],
    ];
    for (const [bad, msg] of cases) assert.throws(() => checkAugmentSettings({ ...ok, ...bad }), msg);
    const dir = tempDir();
    await assert.rejects(
      startPeer(
        { data: groupData(0, 0), dataDir: dir, listen: [], bootstrap: [], augment: { ...ok, snapLow: -1 } },
        new MemoryLog(),
      ),
      /augment\.snapLow/,
    );
  });
});
