import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  clusterTopic,
  parseProtocol,
  parseTopic,
  PROTOCOL_MODEL_FETCH,
  PROTOCOL_PEERS,
  PROTOCOL_SECAGG,
  PROTOCOL_UPDATE_PUSH,
  stringifyProtocol,
  stringifyTopic,
  TOPIC_FINGERPRINTS,
  TOPIC_HEADS,
  type Topic,
} from '../src/index.js';
import { clusterIdArb } from './arbitraries.js';

describe('topics and protocol ids', () => {
  it('has the fixed names', () => {
    assert.equal(TOPIC_FINGERPRINTS, '/ppfm/1/fingerprints');
    assert.equal(TOPIC_HEADS, '/ppfm/1/heads');
    assert.equal(clusterTopic('c7'), '/ppfm/1/cluster/c7');
    assert.equal(PROTOCOL_MODEL_FETCH, '/ppfm/1/model/fetch');
    assert.equal(PROTOCOL_UPDATE_PUSH, '/ppfm/1/update/push');
    assert.equal(PROTOCOL_PEERS, '/ppfm/1/peers');
    assert.equal(PROTOCOL_SECAGG, '/ppfm/1/secagg');
  });

  it('parses the well-known topics', () => {
    assert.deepStrictEqual(parseTopic(TOPIC_FINGERPRINTS), { ok: true, value: { kind: 'fingerprints' } });
    assert.deepStrictEqual(parseTopic(TOPIC_HEADS), { ok: true, value: { kind: 'heads' } });
    assert.deepStrictEqual(parseTopic('/ppfm/1/cluster/a-b_9'), {
      ok: true,
      value: { kind: 'cluster', cluster: 'a-b_9' },
    });
  });

  it('stringify/parse round-trip for every topic (property)', () => {
    const topicArb: fc.Arbitrary<Topic> = fc.oneof(
      fc.constant<Topic>({ kind: 'fingerprints' }),
      fc.constant<Topic>({ kind: 'heads' }),
      clusterIdArb.map((cluster): Topic => ({ kind: 'cluster', cluster })),
    );
    fc.assert(
      fc.property(topicArb, (t) => {
        assert.deepStrictEqual(parseTopic(stringifyTopic(t)), { ok: true, value: t });
      }),
    );
  });

  it('rejects foreign and malformed topics with typed errors', () => {
    const cases: [string, string][] = [
      ['/meshsub/1.1.0', 'unknown_kind'],
      ['', 'unknown_kind'],
      ['ppfm/1/heads', 'unknown_kind'],
      ['/ppfm/1/heads/', 'unknown_kind'],
      ['/ppfm/1/other', 'unknown_kind'],
      ['/ppfm/2/heads', 'unknown_version'],
      ['/ppfm/1/cluster/', 'bad_name'],
      ['/ppfm/1/cluster/a/b', 'bad_name'],
      ['/ppfm/1/cluster/a b', 'bad_name'],
      ['/ppfm/1/cluster/' + 'x'.repeat(200), 'bad_name'],
    ];
    for (const [topic, code] of cases) {
      const r = parseTopic(topic);
      assert.equal(r.ok, false, topic);
      if (!r.ok) assert.equal(r.error.code, code, topic);
    }
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.fullUnicodeString(),
          fc.string().map((s) => '/ppfm/1/cluster/' + s),
        ),
        (s) => {
          const r = parseTopic(s);
          assert.equal(typeof r.ok, 'boolean');
          if (r.ok) assert.equal(stringifyTopic(r.value), s);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('clusterTopic refuses ids that would break the topic', () => {
    assert.throws(() => clusterTopic('a/b'), RangeError);
    assert.throws(() => clusterTopic(''), RangeError);
  });

  it('protocol ids round-trip and foreign ids fail', () => {
    for (const p of ['model_fetch', 'update_push', 'peers', 'secagg'] as const) {
      assert.deepStrictEqual(parseProtocol(stringifyProtocol(p)), { ok: true, value: p });
    }
    const foreign = parseProtocol('/ipfs/id/1.0.0');
    assert.ok(!foreign.ok && foreign.error.code === 'unknown_kind');
    const future = parseProtocol('/ppfm/2/model/fetch');
    assert.ok(!future.ok && future.error.code === 'unknown_version');
  });
});
