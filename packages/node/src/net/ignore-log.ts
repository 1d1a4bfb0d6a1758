// Ignored gossip (stale, not for us, not from our head): not the sender's fault, so not
// penalised, but never silent either. Counted per (sender, topic, reason) and written as one
// `message_ignored` line per key at most every few seconds, on a timer so a lone one is logged too.
import type { Cancel } from '../clock.js';
import { logEvent, type PeerComponents } from '../components.js';

/** How often the counts are written out. */
export const IGNORE_LOG_MS = 5000;

interface Entry {
  topic: string;
  from: string;
  reason: string;
  detail: string;
  count: number;
}

/** Batches ignored messages into `message_ignored` events. */
export class IgnoreLog {
  private readonly counts = new Map<string, Entry>();
  private due: Cancel | undefined;

  constructor(private readonly c: Pick<PeerComponents, 'bus' | 'clock'>) {}

  /** Counts one ignored message (our own echoes are not worth a line). */
  add(d: { topic: string; from: string; code: string; detail: string }): void {
    if (d.code === 'self') return;
    const key = `${d.from}\u0000${d.topic}\u0000${d.code}`;
    const e = this.counts.get(key);
    if (e === undefined)
      this.counts.set(key, { topic: d.topic, from: d.from, reason: d.code, detail: d.detail, count: 1 });
    else e.count++;
    this.due ??= this.c.clock.after(IGNORE_LOG_MS, () => this.flush());
  }

  /** Writes out what was counted (also at stop). */
  flush(): void {
    this.due?.();
    this.due = undefined;
    for (const e of this.counts.values())
      logEvent(this.c, {
        event: 'message_ignored',
        topic: e.topic,
        from: e.from,
        reason: e.reason,
        ...(e.detail ? { detail: e.detail } : {}),
        count: e.count,
      });
    this.counts.clear();
  }
}
