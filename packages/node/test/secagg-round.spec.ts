// The head's SecureRound and the member's SecAgg driver together, in process (no network): real
// libp2p Ed25519 identities, a ManualClock. A full round yields the weighted mean; a key advert
// signed by another key is refused and logged; a head that substitutes a member's key in the
// roster makes the other members abort instead of masking with the substituted key.
import assert from 'node:assert/strict';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { advertSigningBytes, type KeyAdvertMsg, type SecAggMessage } from '@ppfm/protocol';
import { ManualClock } from '../src/clock.js';
import { EventBus } from '../src/events.js';
import type { LogEvent } from '../src/log/events.js';
import { libp2pIdentity, type SecAggIdentity } from '../src/privacy/identity.js';
import { secAggConfigFor } from '../src/privacy/settings.js';
import { SecureRound } from '../src/services/secagg-head.js';
import {
  contributeSecurely,
  type ContributionOutcome,
  type SecAggTransport,
} from '../src/services/secagg-member.js';

const L = 64;
const ROUND = { cluster: 'c0', round: 3, term: 2 };

interface Party {
  id: string;
  key: PrivateKey;
  identity: SecAggIdentity;
}

async function parties(n: number): Promise<Party[]> {
  const out: Party[] = [];
  for (let i = 0; i < n; i++) {
    const key = (await generateKeyPair('Ed25519')) as unknown as PrivateKey;
    out.push({ id: peerIdFromPrivateKey(key).toString(), key, identity: libp2pIdentity(key) });
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** Event-loop turns until `cond` holds (the round's verifications are asynchronous). */
async function turns(cond: () => boolean, max = 2000): Promise<void> {
  for (let i = 0; i < max && !cond(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(cond(), 'condition not reached');
}

function setup(members: Party[]): { sr: SecureRound; clock: ManualClock; logged: LogEvent[] } {
  const clock = new ManualClock(1000);
  const bus = new EventBus();
  const logged: LogEvent[] = [];
  bus.on('log', (e) => logged.push(e));
  const sr = new SecureRound(
    { clock, bus },
    {
      round: ROUND,
      members: members.map((p) => p.id),
      config: secAggConfigFor(L, members.length, undefined),
      openedAt: clock.now(),
      deadlineMs: 5000,
      quorumFraction: 0.6,
      quorumGraceMs: 800,
      stageMs: 2000,
      verify: members[0]!.identity.verify,
    },
  );
  return { sr, clock, logged };
}

function contribute(
  p: Party,
  members: Party[],
  transport: SecAggTransport,
  update: Float32Array,
  weight: number,
): Promise<ContributionOutcome> {
  return contributeSecurely(
    {
      self: p.id,
      head: members[0]!.id,
      round: ROUND,
      members: members.map((m) => m.id),
      config: secAggConfigFor(L, members.length, undefined),
      identity: p.identity,
      transport,
      rosterTimeoutMs: 5000,
      stageTimeoutMs: 5000,
      signal: new AbortController().signal,
    },
    update,
    weight,
  );
}

const vector = (seed: number): Float32Array =>
  Float32Array.from({ length: L }, (_, i) => Math.sin(seed * 7 + i) * 0.1);

describe('SecureRound with the member driver (in process)', function () {
  this.timeout(20_000);

  it('a full round of 4 yields the weighted mean of the updates', async () => {
    const ps = await parties(4);
    const { sr, clock } = setup(ps);
    const outcomes = ps.map((p, i) => contribute(p, ps, (m) => sr.receive(p.id, m), vector(i), 100 + 50 * i));
    await turns(() => sr.shouldClose(clock.now()));
    const out = await sr.finish();
    assert.equal(out.kind, 'done');
    if (out.kind !== 'done') return;
    for (const o of await Promise.all(outcomes)) assert.deepEqual(o, { kind: 'contributed', survivors: 4 });
    const w = ps.map((_, i) => 100 + 50 * i);
    const total = w.reduce((a, b) => a + b, 0);
    for (let j = 0; j < L; j++) {
      const exact = ps.reduce((s, _, i) => s + w[i]! * vector(i)[j]!, 0) / total;
      assert.ok(Math.abs(out.result.mean![j]! - exact) < 1e-5, `coordinate ${j}`);
    }
    assert.equal(out.result.weightSum, total);
  });

  it("refuses a key advert signed by another key than its sender's, and logs it; the genuine one still counts", async () => {
    const ps = await parties(3);
    const [, victim] = ps as [Party, Party, Party];
    const { sr, clock, logged } = setup(ps);
    let forged: KeyAdvertMsg | undefined;
    const stranger = (await generateKeyPair('Ed25519')) as unknown as PrivateKey;
    // The victim's own advert, re-signed by a stranger, as if someone could send in its name.
    const tamper: SecAggTransport = async (m) => {
      if (m.kind === 'key_advert' && forged === undefined) {
        forged = {
          ...m,
          maskKey: m.cipherKey,
          signature: await stranger.sign(advertSigningBytes({ ...m, maskKey: m.cipherKey })),
        };
        const r = await sr.receive(victim.id, forged);
        assert.equal(r.kind, 'error');
        assert.match(r.kind === 'error' ? r.message : '', /bad_signature/);
      }
      return sr.receive(victim.id, m);
    };
    const outcomes = ps.map((p, i) =>
      contribute(p, ps, p === victim ? tamper : (m: SecAggMessage) => sr.receive(p.id, m), vector(i), 1),
    );
    await turns(() => sr.shouldClose(clock.now()));
    const out = await sr.finish();
    assert.equal(out.kind, 'done');
    for (const o of await Promise.all(outcomes)) assert.equal(o.kind, 'contributed');
    const rejected = logged.filter((e) => e.event === 'message_rejected');
    assert.deepEqual(
      rejected.map((e) => e.event === 'message_rejected' && [e.from, e.reason]),
      [[victim.id, 'bad_signature']],
    );
  });

  it("members abort when the head substitutes another member's key in the roster", async () => {
    const ps = await parties(3);
    const [a, b] = ps as [Party, Party, Party];
    const { sr, clock } = setup(ps);
    const evilKey = new Uint8Array(32).fill(7);
    // A dishonest relay: in the roster A receives, B's mask key is replaced (the head's own key, say).
    const towardA: SecAggTransport = async (m) => {
      const r = await sr.receive(a.id, m);
      if (r.kind === 'frame' && r.message.kind === 'roster') {
        const adverts = r.message.adverts.map((x) => (x.sender === b.id ? { ...x, maskKey: evilKey } : x));
        return { kind: 'frame', message: { ...r.message, adverts } };
      }
      return r;
    };
    const outcomes = ps.map((p, i) =>
      contribute(p, ps, p === a ? towardA : (m: SecAggMessage) => sr.receive(p.id, m), vector(i), 1),
    );
    await turns(() => sr.shouldClose(clock.now()));
    const finished = sr.finish();
    const outA = await outcomes[0];
    assert.equal(outA?.kind, 'aborted');
    if (outA?.kind === 'aborted') {
      assert.equal(outA.abort.reason, 'bad_signature');
      assert.equal(outA.abort.peer, b.id);
    }
    // A never shared keys, let alone masked with the substituted key. The share stage times out
    // with 2 of 3: below the threshold (3 of 3 here), so no sum at all, and the others are told.
    clock.advance(2000);
    const out = await finished;
    assert.ok(out.kind === 'aborted' && out.abort.reason === 'below_threshold', JSON.stringify(out));
    const [, outB, outC] = await Promise.all(outcomes);
    assert.equal(outB?.kind, 'failed');
    assert.equal(outC?.kind, 'failed');
  });

  it('refuses a non-member and answers a message of another round as stale', async () => {
    const ps = await parties(3);
    const outsider = (await parties(1))[0]!;
    const { sr, logged } = setup(ps);
    const a = await sr.receive(outsider.id, {
      kind: 'unmask_response',
      ...ROUND,
      sender: outsider.id,
      selfMaskShares: [],
      maskKeyShares: [],
    });
    assert.equal(a.kind, 'error');
    const stale = await sr.receive(ps[1]!.id, {
      kind: 'unmask_response',
      ...ROUND,
      round: 2,
      sender: ps[1]!.id,
      selfMaskShares: [],
      maskKeyShares: [],
    });
    assert.ok(stale.kind === 'error' && stale.code === 'stale_round', JSON.stringify(stale));
    assert.ok(logged.some((e) => e.event === 'message_rejected' && e.from === outsider.id));
  });
});
