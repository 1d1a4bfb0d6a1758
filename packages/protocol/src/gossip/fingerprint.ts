// Fingerprint: a peer's data statistics on /ppfm/1/fingerprints, what clustering runs on.
import { fail, ok, unwrapOrThrow, type Result } from '../errors.js';
import { checkPeerId } from '../ids.js';
import { MAX_CAPACITY, type Limits } from '../limits.js';
import type * as pb from '../pb/messages.pb.js';
import { checkAll, checkFloatIn, checkFloats, checkSentAt, checkUint, isFail } from '../wire/checks.js';
import { idBytes, type FieldSpecs } from '../wire/frame.js';
import { packFloats, unpackFloats } from '../wire/packed.js';

/** A peer's data fingerprint (see @ppfm/meta computeFingerprint); floats travel as packed float32. */
export interface FingerprintMsg {
  kind: 'fingerprint';
  peerId: string;
  /** Increases whenever the peer's fingerprint changes. */
  seq: number;
  sampleCount: number;
  inputShape: number[];
  numClasses: number;
  /** Normalised label histogram: numClasses entries in [0, 1] summing to 1 (or all 0 for no data). */
  labelHist: number[];
  /** Input-moment sketch: mean and std of each seeded projection dimension. */
  projMean: number[];
  projStd: number[];
  /**
   * Class-conditional sketch: no rows, or numClasses rows of projected means, each [] (class has
   * no samples) or of one common length.
   */
  classMeans: number[][];
  /** Per-feature mean of the raw inputs, for the cluster's pooled input scaler (may be empty). */
  featureMean: number[];
  /** Per-feature standard deviation (>= 0), as long as featureMean. */
  featureStd: number[];
  /** Capacity score used for head election (higher is better), finite, in [0, MAX_CAPACITY]. */
  capacity: number;
  /** Send time, ms since the Unix epoch (see checkFreshness). */
  sentAt: number;
}

/** Wire layout of a Fingerprint body. */
export function fingerprintFields(lim: Limits): FieldSpecs {
  const packed = (name: string, max: number) =>
    ({ name, wire: 2, maxBytes: 4 * max, multipleOf: 4 }) as const;
  return {
    1: { name: 'peerId', wire: 2, maxBytes: idBytes(lim) },
    2: { name: 'seq', wire: 0 },
    3: { name: 'sampleCount', wire: 0 },
    4: { name: 'inputShape', wire: 0, maxCount: lim.maxInputRank },
    5: { name: 'numClasses', wire: 0 },
    6: packed('labelHist', lim.maxClasses),
    7: packed('projMean', lim.maxSketchDims),
    8: packed('projStd', lim.maxSketchDims),
    9: { name: 'classDims', wire: 0 },
    10: packed('classMeans', lim.maxClassSketch),
    11: { name: 'capacity', wire: 5 },
    12: { name: 'absentClasses', wire: 0, maxCount: lim.maxClasses },
    13: packed('featureMean', lim.maxFeatureMoments),
    14: packed('featureStd', lim.maxFeatureMoments),
    15: { name: 'sentAt', wire: 0, wide: true },
  };
}

/** Validates a decoded Fingerprint body. */
export function fingerprintFromPb(m: pb.Fingerprint, lim: Limits): Result<FingerprintMsg> {
  const peerId = checkPeerId(m.peerId, lim.maxStringLength);
  if (isFail(peerId)) return peerId;
  const counters = checkAll([
    [checkUint, m.seq, 'seq'],
    [checkUint, m.sampleCount, 'sampleCount'],
    [checkUint, m.numClasses, 'numClasses'],
    [checkUint, m.classDims, 'classDims'],
  ]);
  if (isFail(counters)) return counters;
  const sentAt = checkSentAt(m.sentAt);
  if (isFail(sentAt)) return sentAt;
  if (m.inputShape.length > lim.maxInputRank) return fail('too_large', 'input rank too high', 'inputShape');
  if (m.inputShape.length === 0) return fail('bad_value', 'empty input shape', 'inputShape');
  for (const d of m.inputShape) {
    if (!Number.isInteger(d) || d < 1) return fail('bad_value', 'input dimension < 1', 'inputShape');
  }
  if (m.numClasses > lim.maxClasses) return fail('too_large', 'too many classes', 'numClasses');
  const hist = unpackFloats(m.labelHist, 'labelHist', lim.maxClasses, true);
  if (isFail(hist)) return hist;
  if (hist.value.length !== m.numClasses) {
    return fail('shape_mismatch', 'labelHist length differs from numClasses', 'labelHist');
  }
  let sum = 0;
  for (const x of hist.value) {
    if (x > 1) return fail('bad_value', 'histogram entry above 1', 'labelHist');
    sum += x;
  }
  if (sum !== 0 && Math.abs(sum - 1) > 1e-3)
    return fail('bad_value', 'histogram does not sum to 1', 'labelHist');
  const proj = moments(m.projMean, m.projStd, 'projMean', 'projStd', lim.maxSketchDims);
  if (isFail(proj)) return proj;
  if (m.classDims > lim.maxSketchDims) return fail('too_large', 'class sketch dims too high', 'classDims');
  const flat = unpackFloats(m.classMeans, 'classMeans', lim.maxClassSketch);
  if (isFail(flat)) return flat;
  const rows = classRows(flat.value, m.absentClasses, m.classDims, m.numClasses);
  if (isFail(rows)) return rows;
  const features = moments(m.featureMean, m.featureStd, 'featureMean', 'featureStd', lim.maxFeatureMoments);
  if (isFail(features)) return features;
  const capacity = checkFloatIn(m.capacity, 'capacity', 0, MAX_CAPACITY);
  if (isFail(capacity)) return capacity;
  return ok({
    kind: 'fingerprint',
    peerId: peerId.value,
    seq: m.seq,
    sampleCount: m.sampleCount,
    inputShape: [...m.inputShape],
    numClasses: m.numClasses,
    labelHist: hist.value,
    projMean: proj.value[0],
    projStd: proj.value[1],
    classMeans: rows.value,
    featureMean: features.value[0],
    featureStd: features.value[1],
    capacity: capacity.value,
    sentAt: sentAt.value,
  });
}

/** A mean vector and a std vector (>= 0) of equal length, at most `max` each. */
function moments(
  meanBytes: Uint8Array,
  stdBytes: Uint8Array,
  meanField: string,
  stdField: string,
  max: number,
): Result<[number[], number[]]> {
  const mean = unpackFloats(meanBytes, meanField, max);
  if (isFail(mean)) return mean;
  const std = unpackFloats(stdBytes, stdField, max, true);
  if (isFail(std)) return std;
  if (std.value.length !== mean.value.length) {
    return fail('shape_mismatch', `${stdField} and ${meanField} lengths differ`, stdField);
  }
  return ok([mean.value, std.value]);
}

/**
 * Rebuilds the class-conditional sketch: no rows at all, or numClasses rows where the classes listed
 * in `absent` (strictly increasing) are [] and every other row is classDims long.
 */
function classRows(flat: number[], absent: number[], dims: number, numClasses: number): Result<number[][]> {
  if (flat.length === 0 && absent.length === 0) {
    if (dims !== 0 && numClasses !== 0)
      return fail('shape_mismatch', 'classDims set but no class rows', 'classMeans');
    return ok([]);
  }
  for (let i = 0; i < absent.length; i++) {
    const c = absent[i] as number;
    if (c >= numClasses || (i > 0 && c <= (absent[i - 1] as number))) {
      return fail('bad_value', 'absentClasses not increasing class indices', 'absentClasses');
    }
  }
  const present = numClasses - absent.length;
  if ((present > 0 && dims === 0) || flat.length !== present * dims) {
    return fail('shape_mismatch', 'classMeans is not (numClasses - absent) x classDims', 'classMeans');
  }
  const rows: number[][] = [];
  let a = 0;
  let at = 0;
  for (let c = 0; c < numClasses; c++) {
    if (absent[a] === c) {
      rows.push([]);
      a++;
    } else {
      rows.push(flat.slice(at, at + dims));
      at += dims;
    }
  }
  return ok(rows);
}

/** Builds the protobuf body; throws ProtocolEncodeError on values that cannot be packed faithfully. */
export function fingerprintToPb(m: FingerprintMsg, lim: Limits): pb.Fingerprint {
  if (!Array.isArray(m.classMeans))
    unwrapOrThrow(fail('malformed', 'classMeans is not an array', 'classMeans'));
  // Rows are [] for classes without samples (as @ppfm/meta computes them) or all the same length.
  const dims = m.classMeans.find((r) => Array.isArray(r) && r.length > 0)?.length ?? 0;
  const absentClasses: number[] = [];
  const classMeans: number[] = [];
  if (m.classMeans.length > 0 && m.classMeans.length !== m.numClasses) {
    unwrapOrThrow(fail('shape_mismatch', 'classMeans needs one row per class', 'classMeans'));
  }
  m.classMeans.forEach((row, c) => {
    if (!Array.isArray(row) || (row.length !== 0 && row.length !== dims)) {
      unwrapOrThrow(fail('shape_mismatch', 'classMeans rows differ in length', 'classMeans'));
    }
    if (row.length === 0) absentClasses.push(c);
    else classMeans.push(...row);
  });
  // Check before packing: Float32Array.from would silently turn NaN, 1e39 or a string into floats.
  const packed = (v: unknown, field: string, max: number): Uint8Array =>
    packFloats(unwrapOrThrow(checkFloats(v, field, max)));
  return {
    peerId: m.peerId,
    seq: m.seq,
    sampleCount: m.sampleCount,
    inputShape: m.inputShape,
    numClasses: m.numClasses,
    labelHist: packed(m.labelHist, 'labelHist', lim.maxClasses),
    projMean: packed(m.projMean, 'projMean', lim.maxSketchDims),
    projStd: packed(m.projStd, 'projStd', lim.maxSketchDims),
    classDims: dims,
    classMeans: packed(classMeans, 'classMeans', lim.maxClassSketch),
    capacity: m.capacity,
    absentClasses,
    featureMean: packed(m.featureMean, 'featureMean', lim.maxFeatureMoments),
    featureStd: packed(m.featureStd, 'featureStd', lim.maxFeatureMoments),
    sentAt: m.sentAt,
  };
}
