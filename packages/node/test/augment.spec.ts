import { strict as assert } from 'node:assert';
import { selectSamples, type Dataset, type ModelSpec } from '@ppfm/meta';
import type { AugmentationEvent } from '../src/log/events.js';
import { formatHuman } from '../src/log/human.js';
import { parseLogLine } from '../src/log/schema.js';
import { AUGMENT_SETTINGS_DEFAULTS, type AugmentSettings } from '../src/learner/learner.js';
import { CLASSES, groupData, launch, loopback, stopAll, type TestPeer } from './helpers/peers.js';
import { until } from './helpers/wait.js';

/** A small MLP with batch norm (synthesis matches its running statistics). */
const BN_MODEL: ModelSpec = {
  layers: [
    { type: 'dense', units: 16 },
    { type: 'batchNorm', momentum: 0.9 },
    { type: 'activation', activation: 'relu' },
  ],
};

/** Peer i's group-0 data with only classes i % CLASSES and (i + 1) % CLASSES: label skew. */
function twoClasses(i: number): Dataset {
  const ds = groupData(0, i, 240);
  const keep = new Set([i % CLASSES, (i + 1) % CLASSES]);
  return selectSamples(
    ds,
    [...ds.y.keys()].filter((k) => keep.has(ds.y[k]!)),
    `two-classes-${i}`,
  );
}

function settings(mode: AugmentSettings['mode'], extra: Partial<AugmentSettings> = {}): AugmentSettings {
  return { ...AUGMENT_SETTINGS_DEFAULTS, mode, steps: 20, perClass: 8, ...extra };
}

/** Two label-skewed peers (one cluster, 2 of 4 classes each) with augmentation, for `rounds` rounds. */
async function start(augment: AugmentSettings, rounds = 2): Promise<TestPeer[]> {
  const out: TestPeer[] = [];
  for (let i = 0; i < 2; i++)
    out.push(
      await launch(0, i, out.slice(0, 1).flatMap(loopback), {
        minPeers: 2,
        rounds,
        model: BN_MODEL,
        augment,
        data: twoClasses(i),
      }),
    );
  return out;
}

const done = (peers: TestPeer[]): boolean => peers.every((p) => p.log.of('rounds_completed').length > 0);

/** A logged augmentation event read back as `ppfm inspect` would. */
function roundTrip(e: AugmentationEvent): void {
  const line = JSON.stringify({ level: 30, time: 1, peer: 'p', ...e });
  const parsed = parseLogLine(line, 'peer.log', 1);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  assert.match(formatHuman(e) ?? '', /round \d+: (synthesised \d+ samples|no class)/);
}

describe('zero-shot augmentation in the peer (--augment)', function () {
  this.timeout(240_000);
  let peers: TestPeer[] = [];
  afterEach(() => stopAll(peers));

  it('member: tops up the classes it lacks before training and logs it every round', async () => {
    // Peers 0 and 1 hold {0,1} and {1,2}: each lacks two of the four classes.
    peers = await start(settings('member'));
    await until(peers, () => done(peers), 'both peers complete 2 rounds', 200_000);
    for (const [i, p] of peers.entries()) {
      const ev = p.log.of('augmentation');
      assert.ok(ev.length >= 2, `peer ${i}: ${ev.length} augmentation events`);
      const held = new Set([i % CLASSES, (i + 1) % CLASSES]);
      const missing = [...Array(CLASSES).keys()].filter((c) => !held.has(c));
      for (const e of ev) {
        assert.equal(e.role, 'member');
        assert.deepEqual(e.classes, missing);
        // 5 % of ~100 train samples per missing class: at least one sample each.
        assert.ok(e.made >= missing.length, `made ${e.made}`);
        assert.equal(e.stopped, 'steps');
        roundTrip(e);
      }
    }
  });

  it('head: fine-tunes the aggregate on a class-balanced synthetic set before publishing', async () => {
    peers = await start(settings('head'));
    await until(peers, () => done(peers), 'both peers complete 2 rounds', 200_000);
    const ev = peers.flatMap((p) => p.log.of('augmentation'));
    // Only heads synthesise in head mode; whoever led, every round's aggregate was fine-tuned.
    const rounds = new Set(ev.map((e) => e.round));
    assert.deepEqual([...rounds].sort(), [1, 2]);
    for (const e of ev) {
      assert.equal(e.role, 'head');
      assert.equal(e.made, 8 * CLASSES);
      assert.deepEqual(e.classes, [...Array(CLASSES).keys()]);
      roundTrip(e);
    }
    // Members never synthesise in head mode.
    assert.ok(peers.every((p) => p.log.of('augmentation').every((e) => e.role === 'head')));
  });

  it('holds the synthesis time bound in the peer', async () => {
    // 100,000 steps would take minutes: the 300 ms bound must end every synthesis.
    peers = await start(settings('member', { steps: 100_000, timeBudgetMs: 300 }), 1);
    await until(peers, () => done(peers), 'both peers complete 1 round', 200_000);
    const ev = peers.flatMap((p) => p.log.of('augmentation'));
    assert.ok(ev.length >= 2);
    for (const e of ev) {
      assert.equal(e.stopped, 'time');
      assert.ok(e.made > 0);
      // The bound, plus at most one step and the closing scoring pass on a loaded 2-core box.
      assert.ok(e.ms < 300 + 3000, `synthesis took ${e.ms} ms`);
    }
    assert.ok(peers.some((p) => p.log.of('notice').some((n) => n.code === 'augment_time_bound')));
  });
});
