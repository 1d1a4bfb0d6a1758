import type { WeightSet } from './core.js';

/** theta + s x delta on tensors of equal names (a delta's scaler entries are zero). */
export function addScaledDelta(theta: WeightSet, delta: WeightSet, s: number): WeightSet {
  const byName = new Map(delta.map((t) => [t.name, t]));
  return theta.map((t) => {
    const d = byName.get(t.name);
    const values = new Float32Array(t.values);
    if (d !== undefined) for (let j = 0; j < values.length; j++) values[j] = values[j]! + s * d.values[j]!;
    return { name: t.name, shape: [...t.shape], values };
  });
}
