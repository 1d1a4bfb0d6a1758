import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CHECKPOINT_FILE,
  decodeCheckpoint,
  encodeCheckpoint,
  loadCheckpoint,
  saveCheckpoint,
  type Checkpoint,
} from '../src/checkpoint.js';

function cp(round: number, fill = round): Checkpoint {
  return {
    version: 1,
    peerId: '12D3KooWtest',
    cluster: 'c-ab12',
    round,
    term: 2,
    specHash: 'deadbeef',
    clusterModel: [
      { name: 'dense_0/kernel', shape: [3, 2], values: Float32Array.from([1, 2, 3, 4, 5, fill]) },
      { name: 'dense_0/bias', shape: [2], values: Float32Array.from([-0.5, 1e-30]) },
    ],
    globalModel: [{ name: 'dense_0/bias', shape: [2], values: Float32Array.from([0.25, fill]) }],
    personalModel: [{ name: 'scalar', shape: [], values: Float32Array.from([7]) }],
    savedAt: 1700000000000 + round,
  };
}

describe('checkpoint', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ppfm-ckpt-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips every field and tensor exactly', () => {
    const r = decodeCheckpoint(encodeCheckpoint(cp(3)));
    assert.ok(r.ok, r.ok ? '' : r.error);
    assert.deepEqual(r.checkpoint, cp(3));
    const bare: Checkpoint = { version: 1, peerId: 'p', round: 0, term: 0, specHash: '', savedAt: 1 };
    const r2 = decodeCheckpoint(encodeCheckpoint(bare));
    assert.ok(r2.ok);
    assert.deepEqual(r2.checkpoint, bare);
  });

  it('returns ok without a checkpoint for an empty data dir', async () => {
    assert.deepEqual(await loadCheckpoint(join(dir, 'none')), { ok: true });
  });

  it('saves atomically, keeps the previous as .bak, leaves no tmp file', async () => {
    const path = await saveCheckpoint(join(dir, 'd'), cp(1));
    assert.equal(path, join(dir, 'd', CHECKPOINT_FILE));
    await saveCheckpoint(join(dir, 'd'), cp(2));
    assert.deepEqual((await readdir(join(dir, 'd'))).sort(), [CHECKPOINT_FILE, `${CHECKPOINT_FILE}.bak`]);
    const r = await loadCheckpoint(join(dir, 'd'));
    assert.ok(r.ok && r.checkpoint);
    assert.equal(r.checkpoint.round, 2);
    assert.equal(r.source, 'current');
    const bak = decodeCheckpoint(await readFile(`${path}.bak`));
    assert.ok(bak.ok && bak.checkpoint.round === 1);
  });

  it('serialises concurrent saves: the last one wins and the one before it is the .bak', async () => {
    const d = join(dir, 'd');
    await Promise.all([1, 2, 3, 4, 5].map((round) => saveCheckpoint(d, cp(round))));
    assert.deepEqual((await readdir(d)).sort(), [CHECKPOINT_FILE, `${CHECKPOINT_FILE}.bak`]);
    const r = await loadCheckpoint(d);
    assert.ok(r.ok && r.checkpoint);
    assert.equal(r.checkpoint.round, 5);
    const bak = decodeCheckpoint(await readFile(join(d, `${CHECKPOINT_FILE}.bak`)));
    assert.ok(bak.ok && bak.checkpoint.round === 4);
  });

  it('falls back to .bak when the newest is corrupt, and reports it', async () => {
    const d = join(dir, 'd');
    const path = await saveCheckpoint(d, cp(1));
    await saveCheckpoint(d, cp(2));
    const bytes = await readFile(path);
    bytes.writeUInt8((bytes.at(-3) ?? 0) ^ 0xff, bytes.length - 3); // flip a payload byte: checksum must catch it
    await writeFile(path, bytes);
    const r = await loadCheckpoint(d);
    assert.ok(r.ok && r.checkpoint, JSON.stringify(r));
    assert.equal(r.checkpoint.round, 1);
    assert.equal(r.source, 'backup');
    assert.match(r.warning ?? '', /checksum mismatch.*using .*checkpoint\.bin\.bak/);
  });

  it('reports both files when both are corrupt, without throwing', async () => {
    const d = join(dir, 'd');
    const path = await saveCheckpoint(d, cp(1));
    await saveCheckpoint(d, cp(2));
    await writeFile(path, 'garbage, not a checkpoint');
    await writeFile(`${path}.bak`, Buffer.alloc(0));
    const r = await loadCheckpoint(d);
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.error : '', /bad magic.*\.bak: file too short/);
  });

  it('gives a typed error for a truncated file at any length', () => {
    const full = encodeCheckpoint(cp(4));
    for (const len of [0, 5, 12, 40, full.length - 1]) {
      const r = decodeCheckpoint(full.subarray(0, len));
      assert.ok(!r.ok, `length ${len}`);
      assert.equal(r.code, 'truncated', `length ${len}: ${r.error}`);
    }
  });

  it('rejects unknown versions and non-finite values', () => {
    assert.throws(() => {
      const bad = cp(1);
      (bad.clusterModel?.[0] as { values: Float32Array }).values[2] = NaN;
      encodeCheckpoint(bad);
    }, /non-finite value at index 2/);
    // Forge a file with NaN and Infinity (valid checksum) to check the loader refuses it too.
    for (const v of [NaN, Infinity]) {
      const good = encodeCheckpoint(cp(1, 42));
      const pos = good.lastIndexOf(Buffer.from(Float32Array.from([42]).buffer));
      const forged = Buffer.from(good);
      forged.writeFloatLE(v, pos);
      const hlen = forged.readUInt32LE(8);
      const header = JSON.parse(forged.subarray(12, 12 + hlen).toString()) as {
        sha256: string;
        payloadBytes: number;
      };
      const payload = forged.subarray(forged.length - header.payloadBytes);
      const sha = createHash('sha256').update(payload).digest('hex');
      forged.write(sha, forged.indexOf(header.sha256), 'latin1');
      const r = decodeCheckpoint(forged);
      assert.ok(!r.ok);
      assert.equal(r.code, 'non_finite', r.error);
    }
    const v2 = encodeCheckpoint(cp(1));
    const text = v2.toString('latin1').replace('"version":1', '"version":9');
    const r = decodeCheckpoint(Buffer.from(text, 'latin1'));
    assert.ok(!r.ok);
    assert.equal(r.code, 'unknown_version');
  });

  it('rejects a shape that does not match the value count', () => {
    const bad = cp(1);
    bad.clusterModel = [{ name: 'w', shape: [2, 2], values: new Float32Array(3) }];
    assert.throws(() => encodeCheckpoint(bad), /3 values for shape \[2,2\]/);
  });
});
