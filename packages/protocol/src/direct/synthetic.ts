// SyntheticSet: the synthetic samples a cluster head made (FedZDA, `--augment head`), pushed to its
// members over /ppfm/1/zda/set. Structural checks here (sizes agree, values finite, labels below a
// bound); who may send it and for which model (head, term, round, input size) is the receiver's.
import { fail, ok, type Result } from '../errors.js';
import { checkClusterId } from '../ids.js';
import type { Limits } from '../limits.js';
import type * as pb from '../pb/messages.pb.js';
import { checkAll, checkCounter, checkUint, isFail } from '../wire/checks.js';
import { idBytes, type FieldSpecs } from '../wire/frame.js';

/** Most samples one set may carry (the simulator's head makes 20 per class: 200 for 10 classes). */
export const MAX_SYNTHETIC_SAMPLES = 4096;
/** Most input features per sample (MNIST: 784; a 64x64 RGB image: 12,288). */
export const MAX_SYNTHETIC_DIMS = 16384;

/** A head's synthetic set of `round`: count samples of dims features (x row-major) and their labels. */
export interface SyntheticSetMsg {
  kind: 'synthetic_set';
  cluster: string;
  round: number;
  term: number;
  dims: number;
  x: Float32Array;
  labels: Uint16Array;
}

/** Wire layout of a SyntheticSet body: the samples come last. */
export function syntheticFields(lim: Limits): FieldSpecs {
  return {
    1: { name: 'cluster', wire: 2, maxBytes: idBytes(lim) },
    2: { name: 'round', wire: 0 },
    3: { name: 'term', wire: 0 },
    4: { name: 'dims', wire: 0 },
    5: { name: 'count', wire: 0 },
    6: { name: 'labels', wire: 2, maxBytes: 2 * MAX_SYNTHETIC_SAMPLES, multipleOf: 2 },
    7: { name: 'x', wire: 2, maxBytes: lim.maxBytes, multipleOf: 4 },
  };
}

/** Validates a decoded SyntheticSet body: counts and byte lengths agree, every value finite. */
export function syntheticFromPb(m: pb.SyntheticSet, lim: Limits): Result<SyntheticSetMsg> {
  const cluster = checkClusterId(m.cluster, lim.maxStringLength);
  if (isFail(cluster)) return cluster;
  const nums = checkAll([
    [checkCounter, m.round, 'round'],
    [checkCounter, m.term, 'term'],
    [checkUint, m.dims, 'dims'],
    [checkUint, m.count, 'count'],
  ]);
  if (isFail(nums)) return nums;
  if (m.count < 1 || m.count > MAX_SYNTHETIC_SAMPLES)
    return fail('too_large', `count ${m.count} outside 1..${MAX_SYNTHETIC_SAMPLES}`, 'count');
  if (m.dims < 1 || m.dims > MAX_SYNTHETIC_DIMS)
    return fail('bad_value', `dims ${m.dims} outside 1..${MAX_SYNTHETIC_DIMS}`, 'dims');
  if (m.labels.byteLength !== 2 * m.count)
    return fail('shape_mismatch', `${m.labels.byteLength} label bytes for ${m.count} samples`, 'labels');
  if (m.x.byteLength !== 4 * m.count * m.dims)
    return fail('shape_mismatch', `${m.x.byteLength} bytes of x for ${m.count} x ${m.dims}`, 'x');
  const view = new DataView(m.x.buffer, m.x.byteOffset, m.x.byteLength);
  const x = new Float32Array(m.count * m.dims);
  for (let i = 0; i < x.length; i++) {
    const v = view.getFloat32(4 * i, true);
    if (!Number.isFinite(v)) return fail('non_finite', `x[${i}] is ${v}`, 'x');
    x[i] = v;
  }
  const lv = new DataView(m.labels.buffer, m.labels.byteOffset, m.labels.byteLength);
  const labels = new Uint16Array(m.count);
  for (let i = 0; i < m.count; i++) labels[i] = lv.getUint16(2 * i, true);
  return ok({
    kind: 'synthetic_set',
    cluster: cluster.value,
    round: m.round,
    term: m.term,
    dims: m.dims,
    x,
    labels,
  });
}

/** Builds the protobuf body (little-endian float32 samples and uint16 labels). */
export function syntheticToPb(m: SyntheticSetMsg): pb.SyntheticSet {
  const count = m.labels.length;
  const x = new Uint8Array(4 * m.x.length);
  const xv = new DataView(x.buffer);
  m.x.forEach((v, i) => xv.setFloat32(4 * i, v, true));
  const labels = new Uint8Array(2 * count);
  const lv = new DataView(labels.buffer);
  m.labels.forEach((v, i) => lv.setUint16(2 * i, v, true));
  return { cluster: m.cluster, round: m.round, term: m.term, dims: m.dims, count, labels, x };
}
