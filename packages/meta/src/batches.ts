import type { Dataset } from './types.js';

/** Number of values per sample. */
export function featureSize(ds: Dataset): number {
  return ds.inputShape.reduce((a, b) => a * b, 1);
}

/** Copies the samples `idx[from..to)` into `xBuf` (row-major) and their one-hot labels into `yBuf`. */
export function fillBatch(
  ds: Dataset,
  idx: ArrayLike<number>,
  from: number,
  to: number,
  xBuf: Float32Array,
  yBuf: Float32Array,
): void {
  const d = featureSize(ds);
  const c = ds.numClasses;
  yBuf.fill(0, 0, (to - from) * c);
  for (let i = from; i < to; i++) {
    const j = idx[i]!;
    xBuf.set(ds.x.subarray(j * d, (j + 1) * d), (i - from) * d);
    yBuf[(i - from) * c + ds.y[j]!] = 1;
  }
}

/** Wall time a batch loop may hold the event loop before yielding (libp2p heartbeats need ~10 ms slots). */
export const YIELD_BUDGET_MS = 40;

/**
 * Paces a long synchronous batch loop: `pace()` yields one event-loop turn (timers and I/O run) once
 * `budgetMs` of wall time has passed since the last yield, and otherwise returns at once.
 */
export class EventLoopPacer {
  private last = performance.now();

  constructor(private readonly budgetMs: number = YIELD_BUDGET_MS) {}

  /** Yields to the event loop when the time budget is used up. */
  async pace(): Promise<void> {
    if (performance.now() - this.last < this.budgetMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.last = performance.now();
  }
}
