/** Zero-shot scores: ZSL (unseen samples, unseen classes only) and GZSL (all classes: seen, unseen, H). */

/** Per-class-mean top-1 accuracies (NaN when the held-out split has no sample of that kind). */
export interface ZsScores {
  /** Unseen samples, prediction restricted to the unseen classes. */
  zsl: number;
  /** GZSL: seen samples, prediction over every class. */
  seen: number;
  /** GZSL: unseen samples, prediction over every class. */
  unseen: number;
  /** Harmonic mean of seen and unseen (0 when either is 0). */
  h: number;
}

function argmaxOver(logits: Float32Array, row: number, C: number, allowed: readonly number[]): number {
  let best = -1;
  let max = -Infinity;
  for (const c of allowed) {
    const v = logits[row * C + c]!;
    if (v > max) {
      max = v;
      best = c;
    }
  }
  return best;
}

function perClassMean(hits: Map<number, [number, number]>): number {
  if (hits.size === 0) return NaN;
  let s = 0;
  for (const [h, n] of hits.values()) s += h / n;
  return s / hits.size;
}

/** Harmonic mean of two accuracies. */
export function harmonic(a: number, b: number): number {
  return a + b > 0 ? (2 * a * b) / (a + b) : 0;
}

/**
 * Calibrated stacking (Chao et al. 2016) in scale-free units: each row of logits is standardised (zero
 * mean, unit std over the classes), then `penalty` is subtracted from the `seen` classes, which trained
 * on real samples and so dominate GZSL predictions. Standardising keeps one penalty meaningful across
 * models whose logits have different scales (a pooled model, a peer alone, a federation). A copy.
 */
export function calibrate(
  logits: Float32Array,
  numClasses: number,
  seen: readonly number[],
  penalty: number,
): Float32Array {
  const out = logits.slice();
  if (penalty === 0) return out;
  for (let o = 0; o < out.length; o += numClasses) {
    let m = 0;
    for (let c = 0; c < numClasses; c++) m += out[o + c]!;
    m /= numClasses;
    let v = 0;
    for (let c = 0; c < numClasses; c++) v += (out[o + c]! - m) ** 2;
    const sd = Math.sqrt(v / numClasses) || 1;
    for (let c = 0; c < numClasses; c++) out[o + c] = (out[o + c]! - m) / sd;
    for (const c of seen) out[o + c]! -= penalty;
  }
  return out;
}

/**
 * The penalty in [0, max] (steps of `step`) that maximises the GZSL harmonic mean on `y`, whose `unseen`
 * classes must be validation classes, never the test's unseen classes.
 */
export function bestPenalty(
  logits: Float32Array,
  y: Int32Array,
  numClasses: number,
  seen: readonly number[],
  unseen: readonly number[],
  max = 3,
  step = 0.05,
): { penalty: number; scores: ZsScores } {
  let best = { penalty: 0, scores: zsScores(logits, y, numClasses, unseen) };
  for (let g = step; g <= max + 1e-9; g += step) {
    const s = zsScores(calibrate(logits, numClasses, seen, g), y, numClasses, unseen);
    if (s.h > best.scores.h) best = { penalty: g, scores: s };
  }
  return best;
}

/** Scores logits (rows of numClasses) against labels, `unseen` being the classes nobody trained on. */
export function zsScores(
  logits: Float32Array,
  y: Int32Array,
  numClasses: number,
  unseen: readonly number[],
): ZsScores {
  const isUnseen = new Set(unseen);
  const all = Array.from({ length: numClasses }, (_, c) => c);
  const zsl = new Map<number, [number, number]>();
  const gSeen = new Map<number, [number, number]>();
  const gUnseen = new Map<number, [number, number]>();
  const bump = (m: Map<number, [number, number]>, c: number, hit: boolean): void => {
    const e = m.get(c) ?? [0, 0];
    m.set(c, [e[0] + (hit ? 1 : 0), e[1] + 1]);
  };
  for (let i = 0; i < y.length; i++) {
    const c = y[i]!;
    const g = argmaxOver(logits, i, numClasses, all);
    if (isUnseen.has(c)) {
      bump(zsl, c, argmaxOver(logits, i, numClasses, unseen) === c);
      bump(gUnseen, c, g === c);
    } else {
      bump(gSeen, c, g === c);
    }
  }
  const seen = perClassMean(gSeen);
  const un = perClassMean(gUnseen);
  return { zsl: perClassMean(zsl), seen, unseen: un, h: harmonic(seen || 0, un || 0) };
}
