// Driving a shared ManualClock from tests: advance simulated time in small steps, letting the
// event loop deliver messages between steps, or let it follow real time.
import { ManualClock } from '../../src/clock.js';

/** Advances `clock` by `ms` in `step` increments, draining the event loop after each step. */
export async function drive(clock: ManualClock, ms: number, step = 25): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(Math.min(step, ms - t));
    // a few macrotask turns: memory-transport deliveries and their handlers run between steps
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
  }
}

/** Makes `clock` follow real time (checked every 10 ms) until the returned function is called. */
export function realtime(clock: ManualClock): () => void {
  let last = Date.now();
  const t = setInterval(() => {
    const now = Date.now();
    clock.advance(now - last);
    last = now;
  }, 10);
  return () => clearInterval(t);
}

export { ManualClock };
