// Waiting in multi-peer tests: on events, never on sleeps. A condition over the peers' state is
// re-checked each time any of them logs an event, with a deadline that fails the test with a
// description of what was awaited and what the peers look like.
import type { EventBus } from '../../src/events.js';

/** Something with an event bus (a test peer). */
export interface HasBus {
  peer: { bus: EventBus; status(): unknown };
}

/**
 * Resolves once `cond()` holds, re-checking after every event any peer logs; rejects after
 * `timeoutMs` naming `what` and `explain()` (default: the peers' status lines).
 */
export function until(
  peers: readonly HasBus[],
  cond: () => boolean,
  what: string,
  timeoutMs = 30_000,
  explain?: () => string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const offs: (() => void)[] = [];
    let done = false;
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      for (const off of offs) off();
      if (err) reject(err);
      else resolve();
    };
    const check = (): void => {
      try {
        if (cond()) finish();
      } catch (err) {
        finish(err as Error);
      }
    };
    const timer = setTimeout(() => {
      const state = explain ? explain() : peers.map((p) => JSON.stringify(p.peer.status())).join('\n');
      finish(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${state}`));
    }, timeoutMs);
    for (const p of peers) offs.push(p.peer.bus.on('log', check));
    check();
  });
}
