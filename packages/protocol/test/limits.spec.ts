// The wire's new bounds: terms and rounds, lease length, member lists, peer lists, send times,
// typed error codes, and the exact uint32 range of varints.
import assert from 'node:assert/strict';
import {
  decodeDirect,
  decodeError,
  decodeGossip,
  decodePeerList,
  DIRECT_ERROR_CODES,
  encodeDirect,
  encodeGossip,
  encodePeerList,
  MAX_COUNTER,
  MAX_LEASE_MS,
  ProtocolEncodeError,
  type GossipMessage,
  type HeadLeaseMsg,
  type Result,
  type RoundOpenMsg,
} from '../src/index.js';
import * as pb from '../src/pb/messages.pb.js';
import { directFrame, expectError, gossipFrame, model, T0, update } from './fixtures.js';

const lease: HeadLeaseMsg = {
  kind: 'head_lease',
  cluster: 'c1',
  head: '12D3KooWHead',
  term: 3,
  round: 9,
  leaseMs: 3000,
  sentAt: T0,
};
const roundOpen: RoundOpenMsg = {
  kind: 'round_open',
  cluster: 'c1',
  round: 9,
  term: 3,
  head: '12D3KooWHead',
  deadlineMs: 10_000,
  specHash: model.specHash,
  members: ['12D3KooWA', '12D3KooWB', '12D3KooWHead'],
  sentAt: T0,
};

describe('wire limits', () => {
  it('terms and rounds above 2^31 - 1 are bad_value in every message, 2^31 - 1 itself is fine', () => {
    const cases: [string, (v: number) => Uint8Array, string][] = [
      ['lease term', (v) => gossipFrame({ headLease: { ...lease, term: v } }), 'term'],
      ['lease round', (v) => gossipFrame({ headLease: { ...lease, round: v } }), 'round'],
      ['round_open term', (v) => gossipFrame({ roundOpen: { ...roundOpen, term: v } }), 'term'],
      ['round_open round', (v) => gossipFrame({ roundOpen: { ...roundOpen, round: v } }), 'round'],
      [
        'announce term',
        (v) =>
          gossipFrame({
            modelAnnounce: {
              cluster: 'c',
              round: 1,
              term: v,
              head: 'h',
              specHash: model.specHash,
              sentAt: T0,
            },
          }),
        'term',
      ],
      [
        'heartbeat round',
        (v) =>
          gossipFrame({
            heartbeat: {
              peerId: 'p',
              seq: 1,
              role: pb.Role.ROLE_HEAD,
              round: v,
              fingerprintSeq: 1,
              viewSize: 1,
              viewDigest: '0123456789abcdef',
              sentAt: T0,
            },
          }),
        'round',
      ],
      ['ack round', (v) => directFrame({ ack: { cluster: 'c', round: v } }), 'round'],
      ['fetch minRound', (v) => directFrame({ fetchRequest: { cluster: 'c', minRound: v } }), 'minRound'],
    ];
    for (const [what, frame, field] of cases) {
      const decode = (b: Uint8Array): Result<unknown> =>
        what.startsWith('ack') || what.startsWith('fetch') ? decodeDirect(b) : decodeGossip(b);
      assert.ok(decode(frame(MAX_COUNTER)).ok, `${what} at 2^31 - 1`);
      for (const v of [2 ** 31, 2 ** 32 - 1]) expectError(decode(frame(v)), 'bad_value', field);
    }
    // Envelopes too (term, round, baseRound), and the encoders refuse them.
    for (const bad of [
      { ...model, term: 2 ** 31 },
      { ...model, round: 2 ** 32 - 1 },
      { ...update, baseRound: 2 ** 31 },
    ]) {
      assert.throws(
        () => encodeDirect(bad),
        (e: unknown) => e instanceof ProtocolEncodeError && e.code === 'bad_value',
      );
    }
    assert.throws(() => encodeGossip({ ...lease, term: 2 ** 31 }), ProtocolEncodeError);
  });

  it('varints beyond uint32 are bad_value, not silently truncated to their low 32 bits', () => {
    // HeadLease{cluster:'c', head:'h', term: 2^32 + 5}: protons would read term 5.
    const body = [0x0a, 0x01, 0x63, 0x12, 0x01, 0x68, 0x18, 0x85, 0x80, 0x80, 0x80, 0x10];
    expectError(decodeGossip(new Uint8Array([0x08, 0x01, 0x22, body.length, ...body])), 'bad_value', 'term');
    // A send time beyond 2^53 - 1 is refused the same way (it cannot be a JS number exactly).
    const late = [0x0a, 0x01, 0x63, 0x12, 0x01, 0x68, 0x30, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10];
    expectError(
      decodeGossip(new Uint8Array([0x08, 0x01, 0x22, late.length, ...late])),
      'bad_value',
      'sentAt',
    );
  });

  it('lease length is bounded by MAX_LEASE_MS', () => {
    assert.ok(decodeGossip(encodeGossip({ ...lease, leaseMs: MAX_LEASE_MS })).ok);
    expectError(
      decodeGossip(gossipFrame({ headLease: { ...lease, leaseMs: MAX_LEASE_MS + 1 } })),
      'bad_value',
      'leaseMs',
    );
    expectError(
      decodeGossip(gossipFrame({ headLease: { ...lease, leaseMs: 0xffffffff } })),
      'bad_value',
      'leaseMs',
    );
    assert.throws(() => encodeGossip({ ...lease, leaseMs: 60_001 }), ProtocolEncodeError);
  });

  it('round-open member lists: at most maxMembers, distinct, sorted', () => {
    const ids = Array.from({ length: 1025 }, (_, i) => `p${String(i).padStart(4, '0')}`);
    const max = ids.slice(0, 1024);
    const r = decodeGossip(encodeGossip({ ...roundOpen, members: max }));
    assert.ok(r.ok && r.value.kind === 'round_open' && r.value.members.length === 1024);
    expectError(
      decodeGossip(gossipFrame({ roundOpen: { ...roundOpen, members: ids } })),
      'too_large',
      'members',
    );
    expectError(
      decodeGossip(encodeGossip({ ...roundOpen, members: max.slice(0, 11) }), { maxMembers: 10 }),
      'too_large',
    );
    assert.throws(() => encodeGossip({ ...roundOpen, members: ids }), ProtocolEncodeError);
    assert.throws(() => encodeGossip({ ...roundOpen, members: ['b', 'a'] }), ProtocolEncodeError);
    assert.throws(() => encodeGossip({ ...roundOpen, members: ['a', 'a'] }), ProtocolEncodeError);
  });

  it('every gossip message carries sentAt, up to 2^53 - 1', () => {
    const msgs: GossipMessage[] = [lease, roundOpen];
    for (const m of msgs) {
      for (const sentAt of [0, T0, Number.MAX_SAFE_INTEGER]) {
        const r = decodeGossip(encodeGossip({ ...m, sentAt }));
        assert.ok(r.ok && r.value.sentAt === sentAt);
      }
      for (const sentAt of [-1, 0.5, Number.MAX_SAFE_INTEGER + 1, NaN]) {
        assert.throws(() => encodeGossip({ ...m, sentAt }), ProtocolEncodeError);
      }
    }
  });

  it('error codes: every code round-trips; an unknown wire value decodes as unknown, never fails', () => {
    DIRECT_ERROR_CODES.forEach((code, value) => {
      const r = decodeError(directFrame({ error: { code: value, message: 'x' } }));
      assert.deepStrictEqual(r, { ok: true, value: { kind: 'error', code, message: 'x' } });
    });
    for (const value of [12, 99, 2 ** 31, 0xffffffff]) {
      const r = decodeError(directFrame({ error: { code: value, message: 'from the future' } }));
      assert.deepStrictEqual(r, {
        ok: true,
        value: { kind: 'error', code: 'unknown', message: 'from the future' },
      });
    }
    // A message with no code at all is 'unknown' too (proto3 default 0).
    assert.deepStrictEqual(decodeError(directFrame({ error: { code: 0, message: '' } })), {
      ok: true,
      value: { kind: 'error', code: 'unknown', message: '' },
    });
  });

  it('peer lists: at most maxPeers peers, maxPeerAddrs addresses of maxAddrBytes, distinct ids', () => {
    const addr = new Uint8Array([4, 127, 0, 0, 1, 6, 0x0f, 0xa1]); // /ip4/127.0.0.1/tcp/4001
    const peers = Array.from({ length: 257 }, (_, i) => ({ id: `Qm${i}`, addrs: [addr] }));
    assert.ok(decodePeerList(encodePeerList({ peers: peers.slice(0, 256) })).ok);
    expectError(decodeDirect(directFrame({ peerList: { peers } })), 'too_large', 'peers');
    const nine = Array.from({ length: 9 }, () => addr);
    expectError(
      decodeDirect(directFrame({ peerList: { peers: [{ id: 'Qm1', addrs: nine }] } })),
      'too_large',
      'peers.addrs',
    );
    const long = new Uint8Array(257).fill(1);
    expectError(
      decodeDirect(directFrame({ peerList: { peers: [{ id: 'Qm1', addrs: [long] }] } })),
      'too_large',
      'peers.addrs',
    );
    expectError(
      decodeDirect(directFrame({ peerList: { peers: [{ id: 'Qm1', addrs: [new Uint8Array(0)] }] } })),
      'bad_value',
      'peers.addrs',
    );
    expectError(
      decodeDirect(
        directFrame({
          peerList: {
            peers: [
              { id: 'Qm1', addrs: [] },
              { id: 'Qm1', addrs: [] },
            ],
          },
        }),
      ),
      'bad_name',
      'peers.id',
    );
    expectError(
      decodeDirect(directFrame({ peerList: { peers: [{ id: 'a b', addrs: [] }] } })),
      'bad_name',
      'peers.id',
    );
    assert.throws(() => encodePeerList({ peers }), ProtocolEncodeError);
  });

  it('decoded peer addresses do not alias the frame', () => {
    const frame = encodePeerList({ peers: [{ id: 'Qm1', addrs: [new Uint8Array([1, 2, 3])] }] });
    const r = decodePeerList(frame);
    assert.ok(r.ok);
    frame.fill(0);
    assert.deepStrictEqual([...r.value.peers[0]!.addrs[0]!], [1, 2, 3]);
  });
});
