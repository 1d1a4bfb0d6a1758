// Damping of view changes before they reach clustering: every `view:changed` may recluster and
// re-elect, so a burst of joins must make one event, and a view that keeps changing (flapping
// peers under CPU starvation) must make rarer and rarer events, not a storm. Time injected.
import type { Cancel, Clock } from '../clock.js';

/** Waits of the damper (ms). */
export interface DampingPolicy {
  /** Quiet time after the last change before the event fires. */
  baseMs: number;
  /** The longest wait; also the most a burst of changes can delay its event. */
  maxMs: number;
  /** An event this long after the previous one resets the wait to baseMs. */
  calmMs: number;
}

/** Coalesces `changed()` calls into damped `fire()` calls (debounce with a max wait and backoff). */
export class ChangeDamper {
  private wait: number;
  private due: Cancel | undefined;
  private firstChange: number | undefined;
  private lastFired: number | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly policy: DampingPolicy,
    private readonly fire: () => void,
  ) {
    this.wait = policy.baseMs;
  }

  /** The current quiet time a change waits for. */
  get currentWaitMs(): number {
    return this.wait;
  }

  /** Something changed: (re)arms the timer, within the max wait of the first pending change. */
  changed(): void {
    const now = this.clock.now();
    this.firstChange ??= now;
    const deadline = this.firstChange + this.policy.maxMs;
    this.due?.();
    this.due = this.clock.after(Math.max(0, Math.min(this.wait, deadline - now)), () => this.flush());
  }

  /** Cancels a pending event. */
  stop(): void {
    this.due?.();
    this.due = undefined;
    this.firstChange = undefined;
  }

  private flush(): void {
    const now = this.clock.now();
    this.due = undefined;
    this.firstChange = undefined;
    const p = this.policy;
    // Events close together: back off (double the wait); a calm stretch: back to the base wait.
    if (this.lastFired !== undefined && now - this.lastFired < p.calmMs)
      this.wait = Math.min(p.maxMs, this.wait * 2);
    else this.wait = p.baseMs;
    this.lastFired = now;
    this.fire();
  }
}
