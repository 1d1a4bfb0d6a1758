/** Per-sample transforms used by the partitioners: image rotation and label permutation. */
import { DataError, sampleLength, type Dataset } from './dataset.js';
import type { Rng } from '../rng.js';

/** Height, width and channels of an image inputShape ([H, W] or [H, W, C]). */
export function imageDims(inputShape: readonly number[]): { h: number; w: number; c: number } {
  if (inputShape.length === 2) return { h: inputShape[0] as number, w: inputShape[1] as number, c: 1 };
  if (inputShape.length === 3) {
    return { h: inputShape[0] as number, w: inputShape[1] as number, c: inputShape[2] as number };
  }
  throw new DataError(
    `rotation needs an image inputShape [H, W] or [H, W, C], got [${inputShape.join(', ')}]`,
    {
      field: 'inputShape',
    },
  );
}

/**
 * Rotates every image of `ds` counter-clockwise (as displayed, row 0 at the top) by `degrees` around the
 * image centre, with bilinear interpolation; pixels that come from outside the image are 0. Multiples of
 * 90 degrees are exact pixel permutations. Returns a new dataset.
 */
export function rotateImages(ds: Dataset, degrees: number): Dataset {
  const { h, w, c } = imageDims(ds.inputShape);
  const d = sampleLength(ds.inputShape);
  const n = ds.y.length;
  const out = new Float32Array(ds.x.length);
  const rad = (degrees * Math.PI) / 180;
  // Snap cos/sin so that quarter turns map pixel centres exactly onto pixel centres.
  const snap = (v: number): number =>
    Math.abs(v) < 1e-12 ? 0 : Math.abs(Math.abs(v) - 1) < 1e-12 ? Math.sign(v) : v;
  const cos = snap(Math.cos(rad));
  const sin = snap(Math.sin(rad));
  const cy = (h - 1) / 2;
  const cx = (w - 1) / 2;
  // Precompute, per output pixel, the 4 source offsets and weights (shared by all samples).
  const src = new Int32Array(h * w * 4).fill(-1);
  const wt = new Float32Array(h * w * 4);
  for (let r = 0; r < h; r++) {
    for (let col = 0; col < w; col++) {
      const X = col - cx;
      const Y = cy - r; // y axis up
      const xin = cos * X + sin * Y;
      const yin = -sin * X + cos * Y;
      const fc = xin + cx;
      const fr = cy - yin;
      const c0 = Math.floor(fc + 1e-9);
      const r0 = Math.floor(fr + 1e-9);
      const ac = Math.max(0, fc - c0);
      const ar = Math.max(0, fr - r0);
      const p = (r * w + col) * 4;
      const corners: [number, number, number][] = [
        [r0, c0, (1 - ar) * (1 - ac)],
        [r0, c0 + 1, (1 - ar) * ac],
        [r0 + 1, c0, ar * (1 - ac)],
        [r0 + 1, c0 + 1, ar * ac],
      ];
      corners.forEach(([rr, cc, ww], k) => {
        if (ww > 1e-9 && rr >= 0 && rr < h && cc >= 0 && cc < w) {
          src[p + k] = rr * w + cc;
          wt[p + k] = ww;
        }
      });
    }
  }
  for (let i = 0; i < n; i++) {
    const base = i * d;
    for (let p = 0; p < h * w; p++) {
      for (let ch = 0; ch < c; ch++) {
        let acc = 0;
        for (let k = 0; k < 4; k++) {
          const s = src[p * 4 + k] as number;
          if (s >= 0) acc += (wt[p * 4 + k] as number) * (ds.x[base + s * c + ch] as number);
        }
        out[base + p * c + ch] = acc;
      }
    }
  }
  const res: Dataset = { ...ds, inputShape: [...ds.inputShape], x: out, y: ds.y.slice() };
  if (ds.classNames) res.classNames = [...ds.classNames];
  return res;
}

/** Applies a label permutation (new label = perm[old label]) and returns a new dataset. */
export function permuteLabels(ds: Dataset, perm: readonly number[]): Dataset {
  if (perm.length !== ds.numClasses)
    throw new RangeError(`permutation has ${perm.length} entries, expected ${ds.numClasses}`);
  const y = new Int32Array(ds.y.length);
  for (let i = 0; i < y.length; i++) y[i] = perm[ds.y[i] as number] as number;
  const res: Dataset = { ...ds, inputShape: [...ds.inputShape], x: ds.x.slice(), y };
  if (ds.classNames) res.classNames = [...ds.classNames];
  return res;
}

/**
 * Draws `k` label permutations of `numClasses` labels: index 0 is the identity, the others are seeded
 * and, when the rejection sampler finds them within a bounded budget, pairwise derangements (no class
 * keeps the same label in any two groups); otherwise they are at least pairwise distinct.
 */
export function labelPermutations(numClasses: number, k: number, rng: Rng): number[][] {
  const identity = Array.from({ length: numClasses }, (_, i) => i);
  const perms: number[][] = [identity];
  const differsEverywhere = (a: number[], b: number[]): boolean => a.every((v, i) => v !== b[i]);
  const differs = (a: number[], b: number[]): boolean => a.some((v, i) => v !== b[i]);
  for (let g = 1; g < k; g++) {
    let chosen: number[] | undefined;
    let fallback: number[] | undefined;
    for (let attempt = 0; attempt < 20000; attempt++) {
      const p = rng.shuffle([...identity]);
      if (perms.every((q) => differsEverywhere(p, q))) {
        chosen = p;
        break;
      }
      if (!fallback && perms.every((q) => differs(p, q))) fallback = p;
    }
    perms.push(chosen ?? fallback ?? rng.shuffle([...identity]));
  }
  return perms;
}
