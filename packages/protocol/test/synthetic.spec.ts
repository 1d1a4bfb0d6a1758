// The FedZDA head's synthetic set on /ppfm/1/zda/set: round trip, bounds and refusals.
import assert from 'node:assert/strict';
import {
  decodeSyntheticSet,
  directFrameBounds,
  encodeSyntheticSet,
  MAX_SYNTHETIC_SAMPLES,
  parseProtocol,
  PROTOCOL_ZDA_SET,
  syntheticSetBytes,
} from '../src/index.js';
import * as pb from '../src/pb/messages.pb.js';

const set = (count = 3, dims = 4) => ({
  cluster: 'c1',
  round: 2,
  term: 5,
  dims,
  x: Float32Array.from({ length: count * dims }, (_, i) => i / 7 - 1),
  labels: Uint16Array.from({ length: count }, (_, i) => i % 10),
});

/** A raw frame (bypassing the encoder's own checks), as a hostile peer could send it. */
function raw(body: pb.SyntheticSet): Uint8Array {
  return pb.DirectFrame.encode({ version: 1, syntheticSet: body });
}

function rawOf(s: ReturnType<typeof set>, over: Partial<pb.SyntheticSet> = {}): Uint8Array {
  const x = new Uint8Array(new Float32Array(s.x).buffer);
  const labels = new Uint8Array(new Uint16Array(s.labels).buffer);
  return raw({
    cluster: s.cluster,
    round: s.round,
    term: s.term,
    dims: s.dims,
    count: s.labels.length,
    x,
    labels,
    ...over,
  });
}

describe('SyntheticSet (/ppfm/1/zda/set)', () => {
  it('round-trips samples and labels exactly, within its frame bound', () => {
    const s = set();
    const bytes = encodeSyntheticSet(s);
    assert.ok(bytes.length <= syntheticSetBytes(3, 4));
    assert.ok(bytes.length <= directFrameBounds('zda_set').request);
    const r = decodeSyntheticSet(bytes);
    assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
    assert.deepEqual([...r.value.x], [...s.x]);
    assert.deepEqual([...r.value.labels], [...s.labels]);
    assert.equal(r.value.term, 5);
    assert.equal(parseProtocol(PROTOCOL_ZDA_SET).ok, true);
  });

  it('refuses NaN and infinite values with non_finite', () => {
    const s = set();
    s.x[5] = NaN;
    const r = decodeSyntheticSet(rawOf(s));
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'non_finite');
    assert.throws(() => encodeSyntheticSet(s), /non_finite|x\[5\]/);
    s.x[5] = Infinity;
    const r2 = decodeSyntheticSet(rawOf(s));
    assert.ok(!r2.ok && r2.error.code === 'non_finite');
  });

  it('refuses more samples than the bound and sizes that do not agree', () => {
    const big = decodeSyntheticSet(rawOf(set(), { count: MAX_SYNTHETIC_SAMPLES + 1 }));
    assert.ok(!big.ok && big.error.code === 'too_large' && big.error.field === 'count');
    const short = decodeSyntheticSet(rawOf(set(), { dims: 5 }));
    assert.ok(!short.ok && short.error.code === 'shape_mismatch' && short.error.field === 'x');
    const labels = decodeSyntheticSet(rawOf(set(), { labels: new Uint8Array(4) }));
    assert.ok(!labels.ok && labels.error.code === 'shape_mismatch' && labels.error.field === 'labels');
    const none = decodeSyntheticSet(
      rawOf(set(), { count: 0, x: new Uint8Array(0), labels: new Uint8Array(0) }),
    );
    assert.ok(!none.ok && none.error.field === 'count');
  });
});
