/** One named tensor, row-major. */
export interface NamedTensor {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** An ordered set of named tensors: a model's weights or a weight difference. */
export type WeightSet = NamedTensor[];

/** The dataset shape, owned by the data loaders (src/data); re-exported for the learning modules. */
export type { Dataset } from './data/index.js';
