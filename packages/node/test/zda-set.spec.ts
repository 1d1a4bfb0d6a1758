// FedZDA head's synthetic set on real libp2p nodes (/ppfm/1/zda/set): the head's shareHeadSet
// delivers it and the member's learner gets exactly those samples; a set from a peer that is not
// the member's head, an oversized one, NaN values and out-of-range labels are refused, each with
// a logged `zda_set_refused` reason, and the learner gets nothing from them.
import assert from 'node:assert/strict';
import { encodeSyntheticSet, PROTOCOL_ZDA_SET, syntheticSetBytes } from '@ppfm/protocol';
import { EventBus } from '../src/events.js';
import { handleSyntheticSet, type SyntheticSetDeps } from '../src/handlers/zda-set.js';
import type { Learner, SharedSet } from '../src/learner/learner.js';
import type { LogEvent } from '../src/log/events.js';
import { DEFAULT_TIMING } from '../src/options.js';
import { shareHeadSet } from '../src/services/augmentation.js';
import { serve } from '../src/streams.js';
import { startAttacker, type Attacker } from './helpers/attacker.js';

const DIMS = 6;
const CLASSES = 3;

function sampleSet(count: number): SharedSet {
  return {
    x: Float32Array.from({ length: count * DIMS }, (_, i) => Math.sin(i)),
    y: Int32Array.from({ length: count }, (_, i) => i % CLASSES),
  };
}

describe('FedZDA head set on /ppfm/1/zda/set (real libp2p nodes)', function () {
  this.timeout(60_000);
  let member: Attacker;
  let head: Attacker;
  let forger: Attacker;
  const taken: SharedSet[] = [];
  const events: LogEvent[] = [];
  const bus = new EventBus();
  bus.on('log', (e) => void events.push(e as LogEvent));

  before(async () => {
    member = await startAttacker([]);
    const addr = member.host.libp2p.getMultiaddrs().map((a) => a.toString());
    head = await startAttacker(addr);
    forger = await startAttacker(addr);
    const deps: SyntheticSetDeps = {
      cluster: () => ({ id: 'c0', head: head.id, term: 4, headRound: 2 }),
      inputSize: DIMS,
      numClasses: CLASSES,
      maxCount: 30,
      take: (set) => {
        taken.push(set);
        return Promise.resolve();
      },
    };
    await serve(
      member.host.libp2p,
      PROTOCOL_ZDA_SET,
      (b, from) => handleSyntheticSet({ bus }, deps, b, from),
      {
        // The stream takes a little more than maxCount, so that the handler's own bound is what refuses.
        limits: { maxBytes: syntheticSetBytes(2 * deps.maxCount, DIMS), timeoutMs: 10_000 },
        encodeError: (code, message) => new TextEncoder().encode(`${code}: ${message}`),
      },
    );
  });

  after(async () => {
    await Promise.all([member, head, forger].map((p) => p?.stop()));
  });

  const refusals = (): string[] =>
    events.filter((e) => e.event === 'zda_set_refused').map((e) => (e as { reason: string }).reason);

  it('the member takes its head set, exactly as sent', async () => {
    const set = sampleSet(12);
    const learner = { share: () => Promise.resolve() } as unknown as Learner;
    const headBus = new EventBus();
    const sent: LogEvent[] = [];
    headBus.on('log', (e) => void sent.push(e as LogEvent));
    await shareHeadSet(
      { bus: headBus, learner, libp2p: head.host.libp2p, self: head.id, timing: DEFAULT_TIMING },
      { cluster: 'c0', round: 3, term: 4 },
      set,
      [head.id, member.id],
    );
    assert.equal(taken.length, 1);
    assert.deepEqual([...taken[0]!.x], [...set.x]);
    assert.deepEqual([...taken[0]!.y], [...set.y]);
    const s = sent.find((e) => e.event === 'zda_set_sent') as
      { delivered: number; members: number } | undefined;
    assert.deepEqual(s && { delivered: s.delivered, members: s.members }, { delivered: 1, members: 1 });
    assert.ok(events.some((e) => e.event === 'zda_set_taken'));
  });

  const send = (from: Attacker, set: SharedSet, over: { round?: number; term?: number } = {}) => {
    const body = encodeSyntheticSet({
      cluster: 'c0',
      round: over.round ?? 3,
      term: over.term ?? 4,
      dims: DIMS,
      x: set.x,
      labels: Uint16Array.from(set.y),
    });
    return from.ask(member.id, PROTOCOL_ZDA_SET, body);
  };

  it('refuses a set from a peer that is not its head, and one of a stale term', async () => {
    await send(forger, sampleSet(4));
    await send(head, sampleSet(4), { term: 3 });
    await send(head, sampleSet(4), { round: 7 });
    assert.deepEqual(refusals(), ['not_head', 'wrong_term', 'wrong_round']);
    assert.equal(taken.length, 1);
  });

  it('refuses an oversized set, NaN values and out-of-range labels, with the reason logged', async () => {
    events.length = 0;
    await send(head, sampleSet(31));
    // NaN written into the frame by hand (the encoder refuses it); x is the frame's last field.
    const nan = sampleSet(4);
    const evil = encodeSyntheticSet({
      cluster: 'c0',
      round: 3,
      term: 4,
      dims: DIMS,
      x: nan.x,
      labels: Uint16Array.from(nan.y),
    });
    new DataView(evil.buffer, evil.byteOffset, evil.byteLength).setFloat32(
      evil.length - 4 * (nan.x.length - 5),
      NaN,
      true,
    );
    await head.ask(member.id, PROTOCOL_ZDA_SET, evil);
    const labels = sampleSet(4);
    labels.y[2] = CLASSES;
    await send(head, labels);
    const r = events.filter((e) => e.event === 'zda_set_refused') as { reason: string; detail: string }[];
    assert.deepEqual(
      r.map((e) => e.reason),
      ['too_many', 'invalid', 'bad_label'],
    );
    assert.match(r[1]!.detail, /non_finite/);
    assert.equal(taken.length, 1, 'nothing refused reached the learner');
  });
});
