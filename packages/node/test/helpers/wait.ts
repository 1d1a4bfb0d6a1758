// Waiting in multi-peer tests: on events, never on sleeps. A condition over the peers' state is
// re-checked each time any of them logs an event, with a deadline that fails the test with a
// description of what was awaited and what the peers look like.
import { writeFileSync } from 'node:fs';
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

/** A test peer whose run ends (`done`) and whose events are kept in memory. */
export interface Finishing {
  peer: {
    done: Promise<unknown>;
    status(): { peerId: string; role: string; round: number; runState: string };
  };
  log: { events: readonly { event: string }[] };
}

/**
 * Resolves when every peer's run has ended; rejects after `timeoutMs` naming the peers still
 * running with their role, round, run state and last events (what a hung run was waiting for).
 * With PPFM_TEST_DUMP=<dir>, every peer's events are also written there (peerN.jsonl): a flake
 * seen once in a loop of runs keeps its whole story.
 */
export async function finished(
  peers: readonly Finishing[],
  timeoutMs: number,
  lastEvents = 12,
): Promise<void> {
  const ended = new Set<number>();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const open = peers.filter((_, i) => !ended.has(i));
      const lines = open.map((p) => {
        const s = p.peer.status();
        const tail = p.log.events.slice(-lastEvents).map((e) => brief(e));
        return `${s.peerId.slice(-8)} ${s.role} round ${s.round} run ${s.runState}: ${tail.join(' | ')}`;
      });
      const dump = process.env.PPFM_TEST_DUMP;
      if (dump)
        for (const [i, p] of peers.entries())
          writeFileSync(`${dump}/peer${i}.jsonl`, p.log.events.map((e) => JSON.stringify(e)).join('\n'));
      reject(
        new Error(`timed out after ${timeoutMs} ms: ${open.length} peers still running\n${lines.join('\n')}`),
      );
    }, timeoutMs);
  });
  const all = Promise.all(peers.map((p, i) => p.peer.done.then(() => ended.add(i))));
  try {
    await Promise.race([all, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** One event in a few words: its kind and its round, code or reason when it has one. */
function brief(e: { event: string }): string {
  const f = e as { event: string; round?: unknown; code?: unknown; reason?: unknown; message?: unknown };
  const extra = [f.round, f.code, f.reason].filter((x) => x !== undefined).join(',');
  const msg = typeof f.message === 'string' ? ` "${f.message.slice(0, 80)}"` : '';
  return `${e.event}${extra ? `(${extra})` : ''}${msg}`;
}
