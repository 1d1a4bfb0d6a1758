import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

/** A TensorFlow.js backend PPFM can run on. */
export type BackendName = 'node' | 'wasm' | 'cpu';

/** What the caller asked for: a specific backend or the best available one. */
export type BackendPreference = 'auto' | BackendName;

// A variable module name keeps TypeScript from resolving the optional dependency at build time.
const TFJS_NODE_MODULE = '@tensorflow/tfjs-node';

async function tryNode(): Promise<boolean> {
  try {
    await import(TFJS_NODE_MODULE);
    return await tf.setBackend('tensorflow');
  } catch {
    return false;
  }
}

async function tryWasm(): Promise<boolean> {
  try {
    await import('@tensorflow/tfjs-backend-wasm');
    return await tf.setBackend('wasm');
  } catch {
    return false;
  }
}

/** Selects and initialises a backend ('auto': tfjs-node, else wasm, else cpu); returns the chosen name. */
export async function selectBackend(pref: BackendPreference = 'auto'): Promise<BackendName> {
  if (pref === 'node' || pref === 'auto') {
    if (await tryNode()) return 'node';
    if (pref === 'node') {
      throw new Error(
        "backend 'node' requested but @tensorflow/tfjs-node is not installed or failed to load; " +
          'use --backend wasm or --backend cpu (or install @tensorflow/tfjs-node where its binary download works)',
      );
    }
  }
  if (pref === 'wasm' || pref === 'auto') {
    if (await tryWasm()) return 'wasm';
    if (pref === 'wasm')
      throw new Error("backend 'wasm' requested but @tensorflow/tfjs-backend-wasm failed to load");
  }
  if (!(await tf.setBackend('cpu'))) throw new Error("failed to initialise the 'cpu' backend");
  // The cpu backend prints an "install tfjs-node" banner on first use; the choice was deliberate here.
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (cpu) cpu.firstUse = false;
  return 'cpu';
}

/** The PPFM name of the backend tfjs is currently running on. */
export function currentBackend(): BackendName {
  const name = tf.getBackend();
  if (name === 'tensorflow') return 'node';
  if (name === 'wasm') return 'wasm';
  return 'cpu';
}
