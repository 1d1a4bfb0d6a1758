// Time as a component: services read `now()` and schedule work through a Clock, so their
// logic runs the same under the system clock and under a ManualClock in tests.

/** Cancels a scheduled callback; calling it twice is harmless. */
export type Cancel = () => void;

/** The time source and timer factory every peer service uses. */
export interface Clock {
  /** Milliseconds since the epoch (or since the start of a manual clock). */
  now(): number;
  /** Runs `fn` once after `ms`. */
  after(ms: number, fn: () => void): Cancel;
  /** Runs `fn` every `ms` until cancelled. */
  every(ms: number, fn: () => void): Cancel;
}

/** The wall clock. Timers are unref'd: a peer's sockets, not its timers, keep a process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref();
    return () => clearTimeout(t);
  },
  every(ms, fn) {
    const t = setInterval(fn, Math.max(1, ms));
    t.unref();
    return () => clearInterval(t);
  },
};

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  period?: number;
  cancelled: boolean;
}

/** A clock that moves only when told to: `advance(ms)` fires due timers in time order. */
export class ManualClock implements Clock {
  private t: number;
  private seq = 0;
  private pending: Pending[] = [];

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  after(ms: number, fn: () => void): Cancel {
    return this.schedule(this.t + Math.max(0, ms), fn);
  }

  every(ms: number, fn: () => void): Cancel {
    return this.schedule(this.t + Math.max(1, ms), fn, Math.max(1, ms));
  }

  /** Moves time forward by `ms`, running every timer that falls due on the way. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.pending = this.pending.filter((p) => !p.cancelled);
      const next = this.pending.reduce<Pending | undefined>(
        (a, p) =>
          p.at <= end && (a === undefined || p.at < a.at || (p.at === a.at && p.seq < a.seq)) ? p : a,
        undefined,
      );
      if (next === undefined) break;
      this.t = next.at;
      if (next.period !== undefined) {
        next.at += next.period;
        next.seq = this.seq++;
      } else next.cancelled = true;
      next.fn();
    }
    this.t = end;
  }

  private schedule(at: number, fn: () => void, period?: number): Cancel {
    const p: Pending = { at, seq: this.seq++, fn, cancelled: false, ...(period ? { period } : {}) };
    this.pending.push(p);
    return () => {
      p.cancelled = true;
    };
  }
}
