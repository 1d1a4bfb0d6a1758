// A member that finishes training after gossip told it the round is over (the head announced the
// round's model, or opened a newer round) keeps its update: the head would refuse it, so it is
// not sent at all (notice push_skipped). A round still open is pushed as usual.
import assert from 'node:assert/strict';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { specHash, type RoundOpenMsg } from '@ppfm/protocol';
import { STUB_WEIGHTS, stubMember } from './helpers/member-stub.js';
import type { LogEvent } from '../src/log/events.js';
import type { ClusterSession } from '../src/services/cluster-session.js';

const W = STUB_WEIGHTS;
/** The head's peer id (a real one: the push dials it). */
let HEAD = '';

/** A member driver on stubs whose training ends when the test says; records dials and notices. */
function member() {
  const notices: { code: string; message: string }[] = [];
  const gates: (() => void)[] = [];
  const m = stubMember({
    self: 'member-peer',
    head: HEAD,
    train: () => new Promise<void>((r) => gates.push(r)),
    settings: { augment: 'none' },
    session: { headRound: 1 },
  });
  m.bus.on('log', (e: LogEvent) => {
    if (e.event === 'notice') notices.push({ code: e.code, message: e.message });
  });
  const session = m.session as ClusterSession & { headRound: number };
  /** Resolves once `n` trainings wait at their gate. */
  const training = async (n: number): Promise<void> => {
    while (gates.length < n) await new Promise((r) => setImmediate(r));
  };
  const noticed = (code: string): Promise<unknown> =>
    m.bus.once('log', (e) => e.event === 'notice' && e.code === code);
  return { rounds: m.rounds, session, store: m.store, notices, dials: m.dials, gates, training, noticed };
}

const roundOpen = (round: number): RoundOpenMsg => ({
  kind: 'round_open',
  cluster: 'c0',
  round,
  term: 1,
  head: HEAD,
  deadlineMs: 5000,
  specHash: specHash(W),
  members: [HEAD, 'member-peer'],
  sentAt: 0,
});

describe('a member does not push an update for a round it knows is over', () => {
  before(async () => {
    const key = (await generateKeyPair('Ed25519')) as unknown as PrivateKey; // two copies of the interface types
    HEAD = peerIdFromPrivateKey(key).toString();
  });

  it('the head announced the round model while the member trained: no dial, push_skipped', async () => {
    const m = member();
    m.rounds.onRoundOpen(roundOpen(2), m.session);
    await m.training(1);
    m.session.headRound = 2; // a model_announce / lease of round 2 arrived meanwhile
    const skipped = m.noticed('push_skipped');
    m.gates[0]?.();
    await skipped;
    assert.deepEqual(m.dials, []);
    assert.match(
      m.notices.at(-1)?.message ?? '',
      /round 2: update not sent: the head already published round 2/,
    );
  });

  it('the head opened a newer round while the member trained: that one is trained and pushed instead', async () => {
    const m = member();
    m.rounds.onRoundOpen(roundOpen(2), m.session);
    await m.training(1);
    m.rounds.onRoundOpen(roundOpen(3), m.session);
    // Round 3's base (the head's round 2) is held already, as a catch-up fetch would have made it.
    m.store.set({ cluster: 'c0', round: 2, term: 1, weights: W, source: HEAD });
    const skipped = m.noticed('push_skipped');
    m.gates[0]?.();
    await skipped;
    assert.deepEqual(m.dials, []);
    assert.match(m.notices.at(-1)?.message ?? '', /already opened round 3/);
    const failed = m.noticed('push_failed');
    await m.training(2);
    m.gates[1]?.();
    await failed;
    assert.deepEqual(m.dials, ['/ppfm/1/update/push']);
  });

  it('a round still open is pushed', async () => {
    const m = member();
    m.rounds.onRoundOpen(roundOpen(2), m.session);
    await m.training(1);
    const failed = m.noticed('push_failed');
    m.gates[0]?.();
    await failed;
    assert.deepEqual(m.dials, ['/ppfm/1/update/push']);
    assert.ok(!m.notices.some((n) => n.code === 'push_skipped'));
  });
});
