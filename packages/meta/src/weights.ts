import type { NamedTensor, WeightSet } from './types.js';

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** True when two tensors have the same name and shape (so they can be combined element-wise). */
export function tensorsCompatible(a: NamedTensor, b: NamedTensor): boolean {
  return a.name === b.name && sameShape(a.shape, b.shape) && a.values.length === b.values.length;
}

/** True when two weight sets have the same tensor names and shapes in the same order. */
export function weightSetsCompatible(a: WeightSet, b: WeightSet): boolean {
  return a.length === b.length && a.every((t, i) => tensorsCompatible(t, b[i]!));
}

function assertCompatible(a: WeightSet, b: WeightSet, op: string): void {
  if (a.length !== b.length) throw new Error(`${op}: weight sets have ${a.length} and ${b.length} tensors`);
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (!tensorsCompatible(x, y)) {
      throw new Error(`${op}: tensor ${i} mismatch: ${x.name}[${x.shape}] vs ${y.name}[${y.shape}]`);
    }
  }
}

function zipMap(a: WeightSet, b: WeightSet, op: string, f: (x: number, y: number) => number): WeightSet {
  assertCompatible(a, b, op);
  return a.map((t, i) => {
    const u = b[i]!.values;
    const v = t.values;
    const out = new Float32Array(v.length);
    for (let j = 0; j < v.length; j++) out[j] = f(v[j]!, u[j]!);
    return { name: t.name, shape: [...t.shape], values: out };
  });
}

/** Deep copy of a weight set. */
export function cloneWeights(ws: WeightSet): WeightSet {
  return ws.map((t) => ({ name: t.name, shape: [...t.shape], values: new Float32Array(t.values) }));
}

/** A weight set of zeros with the same names and shapes. */
export function zerosLike(ws: WeightSet): WeightSet {
  return ws.map((t) => ({ name: t.name, shape: [...t.shape], values: new Float32Array(t.values.length) }));
}

/** a - b, element-wise (throws unless names and shapes match). */
export function subtract(a: WeightSet, b: WeightSet): WeightSet {
  return zipMap(a, b, 'subtract', (x, y) => x - y);
}

/** a + b, element-wise (throws unless names and shapes match). */
export function add(a: WeightSet, b: WeightSet): WeightSet {
  return zipMap(a, b, 'add', (x, y) => x + y);
}

/** a + s * b, element-wise (throws unless names and shapes match). */
export function addScaled(a: WeightSet, b: WeightSet, s: number): WeightSet {
  return zipMap(a, b, 'addScaled', (x, y) => x + s * y);
}

/** s * a. */
export function scale(a: WeightSet, s: number): WeightSet {
  return a.map((t) => {
    const out = new Float32Array(t.values.length);
    for (let j = 0; j < out.length; j++) out[j] = t.values[j]! * s;
    return { name: t.name, shape: [...t.shape], values: out };
  });
}

/** Euclidean (L2) norm over all values of a weight set. */
export function norm(a: WeightSet): number {
  let s = 0;
  for (const t of a) for (let j = 0; j < t.values.length; j++) s += t.values[j]! * t.values[j]!;
  return Math.sqrt(s);
}

/** Total number of scalar values in a weight set. */
export function parameterCount(a: WeightSet): number {
  return a.reduce((n, t) => n + t.values.length, 0);
}

/** True when every value is finite (no NaN or Inf). */
export function allFinite(a: WeightSet): boolean {
  return a.every((t) => t.values.every((v) => Number.isFinite(v)));
}

/**
 * Names of the tensors present with the same shape in every given weight set (in the first set's order):
 * the layers that can be shared across clusters whose models differ in inputs or classes.
 */
export function sharedTensorNames(sets: WeightSet[]): string[] {
  const first = sets[0];
  if (!first) return [];
  const maps = sets.map((s) => new Map(s.map((t) => [t.name, t])));
  return first
    .filter((t) =>
      maps.every((m) => {
        const o = m.get(t.name);
        return o !== undefined && sameShape(o.shape, t.shape) && o.values.length === t.values.length;
      }),
    )
    .map((t) => t.name);
}
