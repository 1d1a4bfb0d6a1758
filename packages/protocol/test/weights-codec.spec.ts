import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  crc32,
  decodeWeights,
  decodeWeightsBlob,
  encodeWeights,
  float16BitsToNumber,
  FLOAT16_MAX,
  ProtocolEncodeError,
  specHash,
  toFloat16Bits,
  validateWeights,
  type Codec,
  type ErrorCode,
  type Result,
  type WeightSet,
} from '../src/index.js';
import { weightSetArb } from './arbitraries.js';

function decoded(bytes: Uint8Array): { codec: Codec; weights: WeightSet } {
  const r = decodeWeightsBlob(bytes);
  if (!r.ok) assert.fail(`decode failed: ${r.error.code} ${r.error.message}`);
  const plain = decodeWeights(bytes);
  assert.ok(plain.ok);
  assert.deepStrictEqual(plain.value, r.value.weights);
  return r.value;
}

function expectError<T>(r: Result<T>, code: ErrorCode): void {
  assert.equal(r.ok, false, `expected ${code}, got ok`);
  if (!r.ok) assert.equal(r.error.code, code, r.error.message);
}

/** Rewrites the CRC so a hand-edited blob reaches the structural checks. */
function fixCrc(b: Uint8Array): Uint8Array {
  new DataView(b.buffer, b.byteOffset).setUint32(12, crc32(b.subarray(16)), true);
  return b;
}

const sample: WeightSet = [
  { name: 'dense_0/kernel', shape: [2, 3], values: new Float32Array([1, -2, 3.5, 0, 1e-3, -7]) },
  { name: 'dense_0/bias', shape: [3], values: new Float32Array([0.5, 0.25, -0.125]) },
];

describe('weights codec', () => {
  describe('round trips', () => {
    it('float32 is lossless for any finite WeightSet', () => {
      fc.assert(
        fc.property(weightSetArb(), (ws) => {
          const out = decoded(encodeWeights(ws, 'float32'));
          assert.equal(out.codec, 'float32');
          assert.deepStrictEqual(out.weights, ws);
        }),
        { numRuns: 300 },
      );
    });

    it('float16 relative error <= 2^-11 in the normal range, abs <= 2^-25 below, clamps above 65504', () => {
      fc.assert(
        fc.property(weightSetArb(), (ws) => {
          const out = decoded(encodeWeights(ws, 'float16'));
          assert.equal(out.codec, 'float16');
          assert.equal(out.weights.length, ws.length);
          ws.forEach((t, i) => {
            const d = out.weights[i]!;
            assert.equal(d.name, t.name);
            assert.deepStrictEqual(d.shape, t.shape);
            t.values.forEach((x, j) => {
              const y = d.values[j]!;
              const ax = Math.abs(x);
              if (ax > FLOAT16_MAX) assert.equal(y, Math.sign(x) * FLOAT16_MAX);
              else if (ax >= 2 ** -14) assert.ok(Math.abs(x - y) <= ax * 2 ** -11, `${x} -> ${y}`);
              else assert.ok(Math.abs(x - y) <= 2 ** -25, `${x} -> ${y}`);
            });
          });
        }),
        { numRuns: 300 },
      );
    });

    it('int8 absolute error <= (max - min) / 510 per tensor', () => {
      const moderate = fc.float({ min: -1e6, max: 1e6, noNaN: true });
      fc.assert(
        fc.property(weightSetArb(5, moderate), (ws) => {
          const out = decoded(encodeWeights(ws, 'int8'));
          assert.equal(out.codec, 'int8');
          ws.forEach((t, i) => {
            const d = out.weights[i]!;
            assert.deepStrictEqual(d.shape, t.shape);
            if (t.values.length === 0) return;
            const min = Math.min(...t.values);
            const max = Math.max(...t.values);
            // scale/2 plus float32 rounding of the stored scale and of the decoded value.
            const bound =
              (max - min) / 510 + (max - min) * 2 ** -20 + Math.max(Math.abs(min), Math.abs(max)) * 2 ** -23;
            t.values.forEach((x, j) => {
              assert.ok(Math.abs(x - d.values[j]!) <= bound, `${x} -> ${d.values[j]} bound ${bound}`);
            });
          });
        }),
        { numRuns: 300 },
      );
    });

    it('int8 reproduces a constant tensor exactly and keeps min/max within bound', () => {
      const ws: WeightSet = [
        { name: 'c', shape: [4], values: new Float32Array([3, 3, 3, 3]) },
        { name: 'r', shape: [3], values: new Float32Array([-1, 0, 1]) },
      ];
      const out = decoded(encodeWeights(ws, 'int8')).weights;
      assert.deepStrictEqual([...out[0]!.values], [3, 3, 3, 3]);
      assert.equal(out[1]!.values[0], -1);
      assert.ok(Math.abs(out[1]!.values[2]! - 1) <= 2 / 510 + 1e-6);
    });

    it('int8 stays finite when max - min exceeds the float32 range', () => {
      const ws: WeightSet = [{ name: 'x', shape: [3], values: new Float32Array([-3e38, 0, 3e38]) }];
      const out = decoded(encodeWeights(ws, 'int8')).weights[0]!.values;
      assert.ok(out.every((v) => Number.isFinite(v)));
      assert.equal(out[0], Math.fround(-3e38));
      assert.ok(out[2]! > 2.9e38);
    });

    it('decoded tensors never alias the input buffer', () => {
      const bytes = encodeWeights(sample, 'float32');
      const out = decoded(bytes);
      bytes.fill(0);
      assert.deepStrictEqual([...out.weights[1]!.values], [0.5, 0.25, -0.125]);
    });

    it('decodes a blob embedded at an odd offset', () => {
      for (const codec of ['float32', 'float16', 'int8'] as const) {
        const b = encodeWeights(sample, codec);
        const host = new Uint8Array(b.length + 3);
        host.set(b, 3);
        const out = decodeWeights(host.subarray(3));
        assert.ok(out.ok);
        assert.deepStrictEqual(
          out.value.map((t) => t.name),
          ['dense_0/kernel', 'dense_0/bias'],
        );
        if (codec === 'float32') assert.deepStrictEqual(out.value, sample);
      }
    });

    it('compresses: float16 about 1/2, int8 about 1/4 of float32', () => {
      const big: WeightSet = [
        { name: 'w', shape: [1000], values: new Float32Array(1000).map((_, i) => i / 7) },
      ];
      const f32 = encodeWeights(big, 'float32').length;
      assert.ok(encodeWeights(big, 'float16').length <= f32 / 2 + 32);
      assert.ok(encodeWeights(big, 'int8').length <= f32 / 4 + 40);
    });
  });

  describe('float16 conversion', () => {
    const cases: [number, number][] = [
      [0, 0x0000],
      [-0, 0x8000],
      [1, 0x3c00],
      [-2, 0xc000],
      [65504, 0x7bff],
      [65519, 0x7bff], // below the rounding midpoint to 65536
      [65520, 0x7bff], // would round to Inf: clamped to max finite
      [1e9, 0x7bff],
      [-1e9, 0xfbff],
      [2 ** -14, 0x0400], // smallest normal
      [2 ** -24, 0x0001], // smallest subnormal
      [2 ** -25, 0x0000], // tie between 0 and 2^-24: even is 0
      [3 * 2 ** -25, 0x0002], // tie between 1 and 2 subnormal steps: even is 2
      [1 + 2 ** -11, 0x3c00], // tie: round to even mantissa (0)
      [1 + 3 * 2 ** -11, 0x3c02], // tie: round to even mantissa (2)
      [1e-10, 0x0000],
    ];
    for (const [x, h] of cases) {
      it(`${x} -> 0x${h.toString(16)}`, () => assert.equal(toFloat16Bits(x), h));
    }
    it('every finite half pattern survives half -> float -> half', () => {
      for (let h = 0; h < 0x10000; h++) {
        if ((h & 0x7c00) === 0x7c00) continue;
        assert.equal(toFloat16Bits(float16BitsToNumber(h)), h);
      }
    });
    it('rounds to the nearest half for random floats (exhaustive neighbour check)', () => {
      fc.assert(
        fc.property(fc.float({ min: -65504, max: 65504, noNaN: true }), (x) => {
          const h = toFloat16Bits(x);
          const y = float16BitsToNumber(h);
          // No other half value is strictly closer.
          for (const n of [h - 1, h + 1]) {
            if (n < 0 || (n & 0x7c00) === 0x7c00 || ((n ^ h) & 0x8000) !== 0) continue;
            assert.ok(Math.abs(float16BitsToNumber(n) - x) >= Math.abs(y - x), `${x}: ${h} vs ${n}`);
          }
        }),
        { numRuns: 2000 },
      );
    });
  });

  describe('checksum and spec hash', () => {
    it('crc32 matches the standard check value', () => {
      assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
      assert.equal(crc32(new Uint8Array(0)), 0);
    });
    it('crc32 is independent of alignment and length (word path vs byte path)', () => {
      const data = Uint8Array.from({ length: 67 }, (_, i) => (i * 151 + 7) & 0xff);
      const bytewise = (b: Uint8Array): number => {
        let c = -1;
        for (const x of b) {
          c ^= x;
          for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
        }
        return (c ^ -1) >>> 0;
      };
      for (let off = 0; off < 8; off++) {
        for (let len = 0; off + len <= data.length; len += 3) {
          const s = data.subarray(off, off + len);
          assert.equal(crc32(s), bytewise(s), `offset ${off} length ${len}`);
        }
      }
    });
    it('specHash depends on names and shapes only, in order', () => {
      const h = specHash(sample);
      assert.match(h, /^[0-9a-f]{64}$/);
      assert.equal(h, specHash(sample.map((t) => ({ name: t.name, shape: t.shape }))));
      assert.equal(h, specHash(sample.map((t) => ({ ...t, values: new Float32Array(t.values.length) }))));
      assert.notEqual(h, specHash([...sample].reverse()));
      assert.notEqual(h, specHash([{ ...sample[0]!, shape: [3, 2] }, sample[1]!]));
      assert.notEqual(h, specHash([{ ...sample[0]!, name: 'dense_0/kernel2' }, sample[1]!]));
    });
  });

  describe('errors', () => {
    it('too_large: blob over maxBytes', () => {
      expectError(decodeWeights(encodeWeights(sample), { maxBytes: 40 }), 'too_large');
    });
    it('malformed: short, bad magic, reserved bits, trailing bytes, non-zero padding, truncation', () => {
      expectError(decodeWeights(new Uint8Array(5)), 'malformed');
      const b = encodeWeights(sample);
      const badMagic = b.slice();
      badMagic[0] = 0;
      expectError(decodeWeights(badMagic), 'malformed');
      const reserved = b.slice();
      reserved[6] = 1;
      expectError(decodeWeights(reserved), 'malformed');
      const trailing = new Uint8Array(b.length + 1);
      trailing.set(b);
      expectError(decodeWeights(fixCrc(trailing)), 'malformed');
      expectError(decodeWeights(fixCrc(b.slice(0, b.length - 1))), 'malformed');
      // First record: u16 len 14, name, rank 2, dims (8 bytes) -> offset 43, padding at 43.
      const padded = b.slice();
      padded[43] = 1;
      expectError(decodeWeights(fixCrc(padded)), 'malformed');
    });
    it('unknown_version and unknown_kind (codec)', () => {
      const b = encodeWeights(sample);
      const v = b.slice();
      v[4] = 2;
      expectError(decodeWeights(v), 'unknown_version');
      const c = b.slice();
      c[5] = 9;
      expectError(decodeWeights(c), 'unknown_kind');
    });
    it('checksum: any flipped payload bit', () => {
      const b = encodeWeights(sample);
      for (let i = 16; i < b.length; i += 7) {
        const m = b.slice();
        m[i] = m[i]! ^ 0x10;
        expectError(decodeWeights(m), 'checksum');
      }
    });
    it('bad_name: invalid byte, empty name, duplicates', () => {
      const b = encodeWeights(sample);
      const m = b.slice();
      m[18] = 0x20; // a space in "dense_0/kernel"
      expectError(decodeWeights(fixCrc(m)), 'bad_name');
      const dup = encodeWeights([sample[0]!, { ...sample[0]!, name: 'dense_0/kerneX' }]);
      const at = dup.indexOf(0x58, 16); // 'X'
      dup[at] = 0x6c; // 'l' -> duplicate of the first name
      expectError(decodeWeights(fixCrc(dup)), 'bad_name');
      const empty = encodeWeights([{ name: 'a', shape: [], values: new Float32Array([1]) }]);
      empty[16] = 0;
      expectError(decodeWeights(fixCrc(empty)), 'bad_name');
    });
    it('too_large: tensor count, rank, name length, elements per tensor and in total, checked before allocating', () => {
      const b = encodeWeights(sample);
      expectError(decodeWeights(b, { maxTensors: 1 }), 'too_large');
      expectError(decodeWeights(b, { maxRank: 1 }), 'too_large');
      expectError(decodeWeights(b, { maxNameLength: 5 }), 'too_large');
      expectError(decodeWeights(b, { maxElementsPerTensor: 5 }), 'too_large');
      expectError(decodeWeights(b, { maxTotalElements: 8 }), 'too_large');
      // A 24-byte blob claiming 2^32-1 tensors, and one claiming a 4e9 x 4e9 tensor: rejected instantly.
      const huge = b.slice();
      new DataView(huge.buffer).setUint32(8, 0xffffffff, true);
      expectError(decodeWeights(fixCrc(huge)), 'too_large');
      const dims = b.slice();
      new DataView(dims.buffer).setUint32(33, 0xffffffff, true);
      new DataView(dims.buffer).setUint32(37, 0xffffffff, true);
      const t0 = performance.now();
      expectError(decodeWeights(fixCrc(dims)), 'too_large');
      // Within limits but larger than the bytes present: malformed, still no allocation.
      const lie = b.slice();
      new DataView(lie.buffer).setUint32(33, 4000, true);
      expectError(decodeWeights(fixCrc(lie)), 'malformed');
      assert.ok(performance.now() - t0 < 50);
    });
    it('non_finite: NaN/Inf in float32 and float16 payloads, in int8 parameters', () => {
      const f32 = encodeWeights([{ name: 'a', shape: [2], values: new Float32Array([1, 2]) }], 'float32');
      new DataView(f32.buffer).setFloat32(f32.length - 4, NaN, true);
      expectError(decodeWeights(fixCrc(f32)), 'non_finite');
      new DataView(f32.buffer).setFloat32(f32.length - 4, -Infinity, true);
      expectError(decodeWeights(fixCrc(f32)), 'non_finite');
      const f16 = encodeWeights([{ name: 'a', shape: [2], values: new Float32Array([1, 2]) }], 'float16');
      new DataView(f16.buffer).setUint16(f16.length - 2, 0x7c00, true);
      expectError(decodeWeights(fixCrc(f16)), 'non_finite');
      const i8 = encodeWeights([{ name: 'a', shape: [2], values: new Float32Array([1, 2]) }], 'int8');
      // Record: u16 + 'a' + rank 1 + dim -> min at offset 24, scale at 28.
      new DataView(i8.buffer).setFloat32(28, Infinity, true);
      expectError(decodeWeights(fixCrc(i8)), 'non_finite');
      new DataView(i8.buffer).setFloat32(28, 3e38, true);
      expectError(decodeWeights(fixCrc(i8)), 'non_finite');
      new DataView(i8.buffer).setFloat32(28, -1, true);
      expectError(decodeWeights(fixCrc(i8)), 'bad_value');
    });
    it('encoder refuses what a decoder would reject', () => {
      const cases: [WeightSet, ErrorCode][] = [
        [[{ name: 'a', shape: [2], values: new Float32Array([1, NaN]) }], 'non_finite'],
        [[{ name: 'a', shape: [3], values: new Float32Array([1, 2]) }], 'shape_mismatch'],
        [[{ name: 'a b', shape: [1], values: new Float32Array([1]) }], 'bad_name'],
        [[{ name: '', shape: [1], values: new Float32Array([1]) }], 'bad_name'],
        [
          [
            { name: 'a', shape: [1], values: new Float32Array([1]) },
            { name: 'a', shape: [1], values: new Float32Array([1]) },
          ],
          'bad_name',
        ],
        [[{ name: 'a', shape: [1.5], values: new Float32Array([1]) }], 'bad_value'],
      ];
      for (const [ws, code] of cases) {
        expectError(validateWeights(ws), code);
        assert.throws(
          () => encodeWeights(ws, 'float32'),
          (e: unknown) => e instanceof ProtocolEncodeError && e.code === code,
        );
      }
    });
  });
});

describe('weights codec on Node Buffers', () => {
  // libp2p hands decoders Buffers that are views into a shared pool; Buffer#slice() does not copy.
  for (const codec of ['float32', 'float16'] as const) {
    it(`decodes a ${codec} blob that sits at an offset inside a larger pooled Buffer`, () => {
      const ws: WeightSet = [
        { name: 'layer_0/kernel', shape: [3, 2], values: Float32Array.from([1, 2, 3, 4, 5, 6]) },
      ];
      const blob = encodeWeights(ws, codec);
      const pool = Buffer.alloc(blob.length + 64, 0xff);
      Buffer.from(blob).copy(pool, 17);
      const view = pool.subarray(17, 17 + blob.length);
      const r = decodeWeights(view);
      if (!r.ok) assert.fail(`${r.error.code}: ${r.error.message}`);
      assert.deepStrictEqual(Array.from(r.value[0]!.values), [1, 2, 3, 4, 5, 6]);
    });
  }
});
