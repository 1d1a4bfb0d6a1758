/** Fashion-MNIST (Xiao et al. 2017) read from the IDX files of the Debian package `dataset-fashion-mnist`. */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { createRng } from '../rng.js';
import { DataError, sampleLength, type Dataset } from './dataset.js';
import { loadIdx } from './idx.js';

/** The ten Fashion-MNIST classes, in label order (the names of the dataset's own README). */
export const FASHION_MNIST_CLASSES: readonly string[] = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/** Where Debian's `dataset-fashion-mnist` installs the IDX files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** Environment variable that overrides FASHION_MNIST_DIR (a folder with the four IDX files). */
export const FASHION_MNIST_ENV = 'PPFM_FASHION_MNIST_DIR';

const ORDER_SEED = 0x66617368;
const SPLITS = ['train', 't10k'] as const;

/** The folder the loader reads: $PPFM_FASHION_MNIST_DIR, else the Debian package's folder. */
export function fashionMnistDir(): string {
  return process.env[FASHION_MNIST_ENV] ?? FASHION_MNIST_DIR;
}

/** True when the IDX files are readable (so tests can skip with a reason when the package is absent). */
export async function fashionMnistAvailable(dir: string = fashionMnistDir()): Promise<boolean> {
  try {
    for (const s of SPLITS) await access(join(dir, `${s}-images-idx3-ubyte.gz`));
    return true;
  } catch {
    return false;
  }
}

/**
 * Loads all 70,000 Fashion-MNIST images (train then t10k), inputShape [28, 28, 1], values in [0, 1], in a
 * fixed seeded shuffled order so that any prefix is class-balanced and every process sees the same order.
 */
export async function loadFashionMnist(dir: string = fashionMnistDir()): Promise<Dataset> {
  if (!(await fashionMnistAvailable(dir))) {
    throw new DataError(
      "Fashion-MNIST not found: install the Debian package 'dataset-fashion-mnist' " +
        `(apt-get install dataset-fashion-mnist) or set ${FASHION_MNIST_ENV} to a folder with its IDX files`,
      { file: dir },
    );
  }
  const manifest = { classNames: [...FASHION_MNIST_CLASSES], task: 'fashion-mnist' };
  const parts: Dataset[] = [];
  for (const s of SPLITS) {
    parts.push(
      await loadIdx(join(dir, `${s}-images-idx3-ubyte.gz`), join(dir, `${s}-labels-idx1-ubyte.gz`), manifest),
    );
  }
  const n = parts.reduce((a, p) => a + p.y.length, 0);
  const d = sampleLength([28, 28, 1]);
  const order = createRng(ORDER_SEED).shuffle(Array.from({ length: n }, (_, i) => i));
  const x = new Float32Array(n * d);
  const y = new Int32Array(n);
  const first = parts[0]!;
  const second = parts[1]!;
  const split = first.y.length;
  order.forEach((src, i) => {
    const from = src < split ? first : second;
    const k = src < split ? src : src - split;
    x.set(from.x.subarray(k * d, (k + 1) * d), i * d);
    y[i] = from.y[k]!;
  });
  return {
    name: 'fashion-mnist',
    inputShape: [28, 28, 1],
    numClasses: 10,
    classNames: [...FASHION_MNIST_CLASSES],
    x,
    y,
  };
}
