// Peer checkpoints: cluster/global/personalised models plus round and term, written
// atomically to the data dir after each round so a restarted peer resumes where it stopped.
//
// File format of `<dataDir>/checkpoint.bin` (little-endian), chosen to be binary-safe and
// compact (a 100k-parameter model is 400 kB, not megabytes of JSON numbers):
//   bytes 0..7   magic "PPFMCKPT"
//   bytes 8..11  uint32 header length H
//   next H bytes UTF-8 JSON header: { version: 1, peerId, cluster?, round, term, specHash,
//                savedAt, payloadBytes, sha256 (hex of payload), models: { clusterModel?,
//                globalModel?, personalModel?: [{ name, shape, offset (bytes into payload)}] } }
//   zero padding to a multiple of 4
//   payload      the tensors' float32 values, concatenated
// Saving writes `checkpoint.bin.<pid>.<n>.tmp`, fsyncs it, moves the previous file to
// `checkpoint.bin.bak`, renames the tmp file into place and fsyncs the directory.
import type { NamedTensor, WeightSet } from '@ppfm/meta';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { endianness } from 'node:os';
import { join, resolve } from 'node:path';
import { makeDir } from './make-dir.js';

export interface Checkpoint {
  version: 1;
  peerId: string;
  cluster?: string;
  round: number;
  term: number;
  specHash: string;
  clusterModel?: WeightSet;
  globalModel?: WeightSet;
  personalModel?: WeightSet;
  savedAt: number;
}

export const CHECKPOINT_FILE = 'checkpoint.bin';
const MAGIC = Buffer.from('PPFMCKPT', 'ascii');
const MODEL_KEYS = ['clusterModel', 'globalModel', 'personalModel'] as const;
type ModelKey = (typeof MODEL_KEYS)[number];
/** Refuse headers larger than this (a corrupt length field must not allocate gigabytes). */
const MAX_HEADER_BYTES = 16 * 1024 * 1024;

export type CheckpointErrorCode =
  'truncated' | 'bad_magic' | 'unknown_version' | 'bad_header' | 'checksum' | 'non_finite';

/** Result of decoding one checkpoint file: never throws on bad content. */
export type DecodeResult =
  { ok: true; checkpoint: Checkpoint } | { ok: false; code: CheckpointErrorCode; error: string };

/** Result of loading the newest valid checkpoint of a data dir. */
export type LoadResult =
  | { ok: true; checkpoint?: Checkpoint; source?: 'current' | 'backup'; warning?: string }
  | { ok: false; error: string };

const LE = endianness() === 'LE';

function tensorProblem(t: NamedTensor, where: string): string | undefined {
  if (typeof t.name !== 'string' || t.name.length === 0) return `${where}: tensor without a name`;
  if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isInteger(d) && d >= 0)) {
    return `${where}/${t.name}: shape must be non-negative integers`;
  }
  const n = t.shape.reduce((a, b) => a * b, 1);
  if (!(t.values instanceof Float32Array) || t.values.length !== n) {
    return `${where}/${t.name}: ${t.values?.length} values for shape [${t.shape.join(',')}]`;
  }
  for (let i = 0; i < t.values.length; i++) {
    if (!Number.isFinite(t.values[i])) return `${where}/${t.name}: non-finite value at index ${i}`;
  }
  return undefined;
}

/** Validates a checkpoint's fields and models; returns a problem description or undefined. */
export function checkpointProblem(cp: Checkpoint): string | undefined {
  if (cp.version !== 1) return `unsupported checkpoint version ${String(cp.version)}`;
  if (typeof cp.peerId !== 'string') return 'peerId must be a string';
  if (cp.cluster !== undefined && typeof cp.cluster !== 'string') return 'cluster must be a string';
  if (!Number.isInteger(cp.round) || cp.round < 0) return 'round must be a non-negative integer';
  if (!Number.isInteger(cp.term) || cp.term < 0) return 'term must be a non-negative integer';
  if (typeof cp.specHash !== 'string') return 'specHash must be a string';
  if (typeof cp.savedAt !== 'number' || !Number.isFinite(cp.savedAt)) return 'savedAt must be a number';
  for (const key of MODEL_KEYS) {
    const ws = cp[key];
    if (ws === undefined) continue;
    if (!Array.isArray(ws)) return `${key} must be an array of tensors`;
    for (const t of ws) {
      const p = tensorProblem(t, key);
      if (p !== undefined) return p;
    }
  }
  return undefined;
}

interface TensorEntry {
  name: string;
  shape: number[];
  offset: number;
}

/** Serialises a checkpoint to the binary format above (throws on an invalid checkpoint). */
export function encodeCheckpoint(cp: Checkpoint): Buffer {
  const problem = checkpointProblem(cp);
  if (problem !== undefined) throw new Error(`refusing to save an invalid checkpoint: ${problem}`);
  const models: Partial<Record<ModelKey, TensorEntry[]>> = {};
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const key of MODEL_KEYS) {
    const ws = cp[key];
    if (ws === undefined) continue;
    models[key] = ws.map((t) => {
      const entry = { name: t.name, shape: [...t.shape], offset };
      const bytes = Buffer.alloc(t.values.length * 4);
      if (LE) Buffer.from(t.values.buffer, t.values.byteOffset, t.values.byteLength).copy(bytes);
      else for (let i = 0; i < t.values.length; i++) bytes.writeFloatLE(t.values[i] as number, i * 4);
      chunks.push(bytes);
      offset += bytes.length;
      return entry;
    });
  }
  const payload = Buffer.concat(chunks);
  const header = Buffer.from(
    JSON.stringify({
      version: 1,
      peerId: cp.peerId,
      ...(cp.cluster !== undefined ? { cluster: cp.cluster } : {}),
      round: cp.round,
      term: cp.term,
      specHash: cp.specHash,
      savedAt: cp.savedAt,
      payloadBytes: payload.length,
      sha256: createHash('sha256').update(payload).digest('hex'),
      models,
    }),
    'utf8',
  );
  const len = Buffer.alloc(4);
  len.writeUInt32LE(header.length, 0);
  const pad = Buffer.alloc((4 - ((MAGIC.length + 4 + header.length) % 4)) % 4);
  return Buffer.concat([MAGIC, len, header, pad, payload]);
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Parses and validates a checkpoint file's bytes; never throws. */
export function decodeCheckpoint(buf: Uint8Array): DecodeResult {
  const fail = (code: CheckpointErrorCode, error: string): DecodeResult => ({ ok: false, code, error });
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < MAGIC.length + 4) return fail('truncated', `file too short (${b.length} bytes)`);
  if (!b.subarray(0, MAGIC.length).equals(MAGIC))
    return fail('bad_magic', 'not a PPFM checkpoint (bad magic)');
  const hlen = b.readUInt32LE(MAGIC.length);
  if (hlen > MAX_HEADER_BYTES) return fail('bad_header', `header length ${hlen} too large`);
  const hstart = MAGIC.length + 4;
  if (b.length < hstart + hlen) return fail('truncated', 'file ends inside the header');
  let h: unknown;
  try {
    h = JSON.parse(b.subarray(hstart, hstart + hlen).toString('utf8'));
  } catch {
    return fail('bad_header', 'header is not valid JSON');
  }
  if (!isRecord(h)) return fail('bad_header', 'header is not an object');
  if (h.version !== 1)
    return fail('unknown_version', `unsupported checkpoint version ${JSON.stringify(h.version)}`);
  const pstart = hstart + hlen + ((4 - ((hstart + hlen) % 4)) % 4);
  const payloadBytes = h.payloadBytes;
  if (typeof payloadBytes !== 'number' || !Number.isInteger(payloadBytes) || payloadBytes < 0) {
    return fail('bad_header', 'payloadBytes missing');
  }
  if (b.length < pstart + payloadBytes) {
    return fail('truncated', `payload truncated (${b.length - pstart} of ${payloadBytes} bytes)`);
  }
  if (b.length > pstart + payloadBytes) return fail('bad_header', 'trailing bytes after the payload');
  const payload = b.subarray(pstart, pstart + payloadBytes);
  if (createHash('sha256').update(payload).digest('hex') !== h.sha256) {
    return fail('checksum', 'payload checksum mismatch');
  }
  const cp: Checkpoint = {
    version: 1,
    peerId: h.peerId as string,
    round: h.round as number,
    term: h.term as number,
    specHash: h.specHash as string,
    savedAt: h.savedAt as number,
  };
  if (h.cluster !== undefined) cp.cluster = h.cluster as string;
  const models = h.models;
  if (!isRecord(models)) return fail('bad_header', 'models missing');
  for (const key of MODEL_KEYS) {
    const entries = models[key];
    if (entries === undefined) continue;
    if (!Array.isArray(entries)) return fail('bad_header', `${key} is not a list`);
    const ws: WeightSet = [];
    for (const e of entries as unknown[]) {
      if (
        !isRecord(e) ||
        typeof e.name !== 'string' ||
        !Array.isArray(e.shape) ||
        typeof e.offset !== 'number'
      ) {
        return fail('bad_header', `${key}: malformed tensor entry`);
      }
      const shape = e.shape as unknown[];
      if (!shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0)) {
        return fail('bad_header', `${key}/${e.name}: bad shape`);
      }
      const n = (shape as number[]).reduce((a, x) => a * x, 1);
      const off = e.offset;
      if (!Number.isInteger(off) || off < 0 || off % 4 !== 0 || off + n * 4 > payload.length) {
        return fail('bad_header', `${key}/${e.name}: values outside the payload`);
      }
      const values = new Float32Array(n);
      if (LE) {
        new Uint8Array(values.buffer).set(payload.subarray(off, off + n * 4));
      } else {
        for (let i = 0; i < n; i++) values[i] = payload.readFloatLE(off + i * 4);
      }
      ws.push({ name: e.name, shape: shape as number[], values });
    }
    cp[key] = ws;
  }
  const problem = checkpointProblem(cp);
  if (problem !== undefined) {
    return fail(problem.includes('non-finite') ? 'non_finite' : 'bad_header', problem);
  }
  return { ok: true, checkpoint: cp };
}

async function writeFileSynced(path: string, data: Buffer): Promise<void> {
  const fh = await fs.open(path, 'w', 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  // Makes the renames durable; not supported on every platform/filesystem, hence best effort.
  try {
    const fh = await fs.open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    /* best effort */
  }
}

/** Saves in flight per checkpoint path: concurrent saves (a round's and a shutdown's) run one at a time. */
const saving = new Map<string, Promise<unknown>>();
let tmpCounter = 0;

/** Atomically writes the checkpoint to `<dataDir>/checkpoint.bin` (previous kept as .bak); returns its path. */
export async function saveCheckpoint(dataDir: string, cp: Checkpoint): Promise<string> {
  const data = encodeCheckpoint(cp);
  const path = resolve(dataDir, CHECKPOINT_FILE);
  const previous = saving.get(path) ?? Promise.resolve();
  const run = previous
    .catch(() => undefined)
    .then(async () => {
      await makeDir(dataDir);
      // Unique tmp name: another process sharing the data dir must not rename our half-written file.
      const tmp = `${path}.${process.pid}.${++tmpCounter}.tmp`;
      try {
        await writeFileSynced(tmp, data);
        try {
          await fs.rename(path, `${path}.bak`);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
        await fs.rename(tmp, path);
      } catch (err) {
        await fs.rm(tmp, { force: true });
        throw err;
      }
      await syncDir(dataDir);
      return path;
    });
  saving.set(path, run);
  try {
    return await run;
  } finally {
    if (saving.get(path) === run) saving.delete(path);
  }
}

async function readIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Loads the newest valid checkpoint, falling back to `.bak` when the newest is corrupt; never throws. */
export async function loadCheckpoint(dataDir: string): Promise<LoadResult> {
  const path = join(dataDir, CHECKPOINT_FILE);
  const problems: string[] = [];
  for (const [file, source] of [
    [path, 'current'],
    [`${path}.bak`, 'backup'],
  ] as const) {
    let buf: Buffer | undefined;
    try {
      buf = await readIfExists(file);
    } catch (err) {
      problems.push(`${file}: ${(err as Error).message}`);
      continue;
    }
    if (buf === undefined) continue;
    const r = decodeCheckpoint(buf);
    if (r.ok) {
      const res: LoadResult = { ok: true, checkpoint: r.checkpoint, source };
      if (problems.length > 0) res.warning = `${problems.join('; ')}; using ${file}`;
      return res;
    }
    problems.push(`${file}: ${r.error}`);
  }
  if (problems.length > 0) return { ok: false, error: `no valid checkpoint: ${problems.join('; ')}` };
  return { ok: true };
}
