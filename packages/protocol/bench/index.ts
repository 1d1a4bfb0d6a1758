// Throughput of the weights codec on a ~1M-parameter MLP (784-1024-192), per codec, plus the
// same through a full ModelEnvelope (protobuf frame + spec-hash check); then control-message
// decode times, the packed 784-feature fingerprint, and the update-push cap and header peek. Run:
//   npm run bench -w @ppfm/protocol
import {
  decodeGossip,
  decodeModelEnvelope,
  decodeUpdateEnvelope,
  decodeWeights,
  encodeGossip,
  encodeModelEnvelope,
  encodeUpdateEnvelope,
  encodeWeights,
  maxEnvelopeHeaderBytes,
  maxFrameBytes,
  modelSignature,
  peekDirectHeader,
  specHash,
  type Codec,
  type WeightSet,
} from '../src/index.js';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Glorot-scaled random MLP with about one million parameters. */
function model(): WeightSet {
  const r = rng(42);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const layer = (name: string, shape: number[], std: number) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = normal() * std;
    return { name, shape, values };
  };
  return [
    layer('dense_0/kernel', [784, 1024], Math.sqrt(2 / (784 + 1024))),
    layer('dense_0/bias', [1024], 0.01),
    layer('dense_1/kernel', [1024, 192], Math.sqrt(2 / (1024 + 192))),
    layer('dense_1/bias', [192], 0.01),
  ];
}

/** Best (minimum) milliseconds of `fn` over `runs` timed runs after `warmup` untimed ones: on a shared
 * machine the minimum estimates the code's speed, the median mostly the neighbours' load. */
function time(fn: () => void, runs = 20, warmup = 3): number {
  for (let i = 0; i < warmup; i++) fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return ms[0] as number;
}

function maxErrors(a: WeightSet, b: WeightSet): { abs: number; rel: number } {
  let abs = 0;
  let rel = 0;
  a.forEach((t, i) => {
    const v = b[i]!.values;
    t.values.forEach((x, j) => {
      const e = Math.abs(x - v[j]!);
      abs = Math.max(abs, e);
      if (Math.abs(x) >= 2 ** -14) rel = Math.max(rel, e / Math.abs(x));
    });
  });
  return { abs, rel };
}

const ws = model();
const params = ws.reduce((n, t) => n + t.values.length, 0);
const rawMB = (params * 4) / 1e6;
const hash = specHash(ws);
const f32Bytes = encodeWeights(ws, 'float32').length;

const rows: string[][] = [];
for (const codec of ['float32', 'float16', 'int8'] as Codec[]) {
  const blob = encodeWeights(ws, codec);
  const dec = decodeWeights(blob);
  if (!dec.ok) throw new Error(`decode failed: ${dec.error.message}`);
  const err = maxErrors(ws, dec.value);
  const enc = time(() => encodeWeights(ws, codec));
  const de = time(() => decodeWeights(blob));
  const env = {
    modelId: 'bench',
    scope: { kind: 'global' as const },
    round: 1,
    term: 1,
    specHash: hash,
    codec,
    weights: ws,
  };
  const frame = encodeModelEnvelope(env);
  const envEnc = time(() => encodeModelEnvelope(env));
  const envDec = time(() => decodeModelEnvelope(frame, undefined, { specHash: hash }));
  rows.push([
    codec,
    (blob.length / 1e6).toFixed(2),
    (f32Bytes / blob.length).toFixed(2) + 'x',
    (rawMB / (enc / 1000)).toFixed(0),
    (rawMB / (de / 1000)).toFixed(0),
    (rawMB / (envEnc / 1000)).toFixed(0),
    (rawMB / (envDec / 1000)).toFixed(0),
    err.abs.toExponential(2),
    codec === 'int8' ? '-' : err.rel.toExponential(2),
  ]);
}

const header = [
  'codec',
  'wire MB',
  'vs f32',
  'enc MB/s',
  'dec MB/s',
  'env enc MB/s',
  'env dec MB/s',
  'max abs err',
  'max rel err',
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
console.log(
  `@ppfm/protocol weights codec: ${params.toLocaleString('en')} parameters (${rawMB.toFixed(2)} MB as float32)`,
);
console.log('MB/s = float32-equivalent megabytes (params x 4 / 1e6) per second; best of 20 runs.');
console.log('env = full ModelEnvelope frame (protobuf + weights codec + spec-hash check).\n');
console.log(line(header));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const r of rows) console.log(line(r));

// ---------------------------------------------------------------- control messages and stream caps

/** Best microseconds per call of `fn` over `runs` batches of `n` calls. */
function perCall(fn: () => void, n = 2000, runs = 10): number {
  return (
    (time(() => {
      for (let i = 0; i < n; i++) fn();
    }, runs) *
      1000) /
    n
  );
}

const sentAt = 1_704_067_200_000;
const heartbeat = encodeGossip({
  kind: 'heartbeat',
  peerId: '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN',
  seq: 42,
  cluster: 'c1',
  role: 'member',
  round: 17,
  fingerprintSeq: 3,
  viewSize: 64,
  viewDigest: '98bbc6434c683054',
  sentAt,
});
const features = 784;
const fingerprint = encodeGossip({
  kind: 'fingerprint',
  peerId: '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN',
  seq: 1,
  sampleCount: 6000,
  inputShape: [28, 28, 1],
  numClasses: 10,
  labelHist: Array(10).fill(Math.fround(0.1)),
  projMean: Array.from({ length: 16 }, (_, i) => Math.fround(i / 3)),
  projStd: Array(16).fill(1),
  classMeans: Array.from({ length: 10 }, () => Array(16).fill(0.5)),
  featureMean: Array.from({ length: features }, (_, i) => (i * 37) % 256),
  featureStd: Array.from({ length: features }, (_, i) => (i * 11) % 128),
  capacity: 1,
  sentAt,
});
const push = encodeUpdateEnvelope({
  cluster: 'c1',
  baseRound: 17,
  term: 3,
  sampleCount: 6000,
  specHash: hash,
  codec: 'float32',
  weights: ws,
});
const headerBytes = maxEnvelopeHeaderBytes();
const sig = modelSignature(ws, 'float32');
const cap = maxFrameBytes('update_push', sig);

console.log('\ncontrol messages and direct-stream caps (best of 10 batches)');
console.log(
  `  heartbeat          ${heartbeat.length} B, decode ${perCall(() => decodeGossip(heartbeat)).toFixed(1)} us`,
);
console.log(
  `  fingerprint 784-f  ${fingerprint.length} B (packed floats), decode ${perCall(() => decodeGossip(fingerprint), 200).toFixed(1)} us`,
);
console.log(
  `  update push        ${push.length} B, cap maxFrameBytes('update_push') ${cap} B (+${cap - push.length} B), ` +
    `64 MiB push refused at its length prefix`,
);
console.log(
  `  header peek        ${perCall(() => peekDirectHeader(push.subarray(0, headerBytes))).toFixed(1)} us on the first ${headerBytes} B, ` +
    `full decode ${(time(() => decodeUpdateEnvelope(push, undefined, { specHash: hash }), 10) * 1000).toFixed(0)} us`,
);
await import('./secagg.js');
