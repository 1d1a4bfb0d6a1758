// Under --secure-agg a member's update never leaves it in the clear: a round it cannot join
// securely (not in the head's member list, or a member list of one) is skipped before training,
// with a notice, and nothing is dialled; without --secure-agg the same round is pushed as usual.
import assert from 'node:assert/strict';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { specHash, type RoundOpenMsg } from '@ppfm/protocol';
import { STUB_WEIGHTS, stubMember } from './helpers/member-stub.js';
import type { LogEvent } from '../src/log/events.js';
import { libp2pIdentity } from '../src/privacy/identity.js';
import { SecureMember } from '../src/services/secagg-member.js';

const W = STUB_WEIGHTS;

async function ids(n: number): Promise<{ id: string; key: PrivateKey }[]> {
  const out = [];
  for (let i = 0; i < n; i++) {
    const key = (await generateKeyPair('Ed25519')) as unknown as PrivateKey;
    out.push({ id: peerIdFromPrivateKey(key).toString(), key });
  }
  return out;
}

/** A member driver on stubs: records dials and trainings, logs into `logged`. */
function member(self: { id: string; key: PrivateKey }, head: string, secure: boolean) {
  const logged: LogEvent[] = [];
  let trainings = 0;
  const m = stubMember({
    self: self.id,
    head,
    train: async () => {
      trainings++;
    },
    ...(secure
      ? {
          deps: (c) => ({
            secure: new SecureMember(c, { dp: undefined, identity: libp2pIdentity(self.key) }),
          }),
        }
      : {}),
  });
  m.bus.on('log', (e) => logged.push(e));
  const ended = (code: string): Promise<LogEvent> =>
    m.bus.once('log', (e) => e.event === 'notice' && e.code === code);
  return { rounds: m.rounds, session: m.session, logged, dials: m.dials, trainings: () => trainings, ended };
}

const roundOpen = (head: string, members: string[]): RoundOpenMsg => ({
  kind: 'round_open',
  cluster: 'c0',
  round: 2,
  term: 1,
  head,
  deadlineMs: 5000,
  specHash: specHash(W),
  members,
  sentAt: 0,
});

describe('a member under --secure-agg never sends its update in the clear', () => {
  it('skips a round whose member list leaves it out, or holds one member: no training, no dial, a notice', async () => {
    const [me, head] = await ids(2);
    for (const members of [[head!.id], [head!.id, 'someone-else']]) {
      const m = member(me!, head!.id, true);
      const done = m.ended('secagg_skipped');
      m.rounds.onRoundOpen(roundOpen(head!.id, members), m.session);
      const n = await done;
      assert.match(n.event === 'notice' ? n.message : '', /update not sent: /);
      assert.equal(m.trainings(), 0);
      assert.deepEqual(m.dials, []);
    }
  });

  it('goes through secure aggregation, not a plain push, when it is in the round', async () => {
    const [me, head] = await ids(2);
    const m = member(me!, head!.id, true);
    const done = m.ended('secagg_failed');
    m.rounds.onRoundOpen(roundOpen(head!.id, [head!.id, me!.id]), m.session);
    await done;
    assert.equal(m.trainings(), 1);
    assert.deepEqual(m.dials, ['/ppfm/1/secagg']);
  });

  it('without --secure-agg the same round is pushed as a plain update', async () => {
    const [me, head] = await ids(2);
    const m = member(me!, head!.id, false);
    const done = m.ended('push_failed');
    m.rounds.onRoundOpen(roundOpen(head!.id, [head!.id]), m.session);
    await done;
    assert.deepEqual(m.dials, ['/ppfm/1/update/push']);
  });
});
