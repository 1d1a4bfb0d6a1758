// Liveness of the peers in the view, tolerant of CPU starvation. Pure (time injected).
// - Time this peer itself was not running (its timers fired late: an overloaded box, a stopped
//   process) is nobody's silence: every peer's last-heard time moves forward by the stall.
// - A peer whose messages come irregularly (its own starvation, slow relays) gets a longer ttl:
//   a multiple of the longest gap seen between its arrivals, decaying as it becomes regular.
// - A peer we hold a connection to gets several ttls: its socket says it is alive.

/** Tuning of the silence a peer may keep before it counts as gone. */
export interface LivenessPolicy {
  /** A connected peer may stay silent this many ttls. */
  connectedFactor: number;
  /** The adaptive ttl: this many times the longest recent gap between two arrivals of the peer. */
  gapFactor: number;
  /** No ttl grows beyond this many base ttls (a dead peer must leave eventually). */
  maxFactor: number;
  /** Each arrival shrinks the remembered longest gap by this factor (back to regular). */
  gapDecay: number;
}

export const DEFAULT_LIVENESS: LivenessPolicy = {
  connectedFactor: 3,
  gapFactor: 3,
  maxFactor: 6,
  gapDecay: 0.9,
};

interface Heard {
  last: number;
  maxGap: number;
}

/** Last-heard times of the view's peers and the expiry rule. */
export class Liveness {
  private readonly heard = new Map<string, Heard>();
  private lastTick: number | undefined;
  private stalled = 0;

  constructor(private readonly policy: LivenessPolicy = DEFAULT_LIVENESS) {}

  /** Total time (ms) this peer was found not running since it started. */
  get stalledMs(): number {
    return this.stalled;
  }

  /** Records a message from `id` at `now` (`ageMs` earlier when a neighbour relays what it heard). */
  hear(id: string, now: number, ageMs = 0): void {
    const at = now - Math.max(0, ageMs);
    const h = this.heard.get(id);
    if (h === undefined) {
      this.heard.set(id, { last: at, maxGap: 0 });
      return;
    }
    if (at <= h.last) return;
    const gap = at - h.last;
    h.maxGap = Math.max(gap, h.maxGap * this.policy.gapDecay);
    h.last = at;
  }

  /** When `id` was last heard from (stalls excluded), if it is tracked. */
  lastHeard(id: string): number | undefined {
    return this.heard.get(id)?.last;
  }

  /** Stops tracking `id` (it left the view). */
  forget(id: string): void {
    this.heard.delete(id);
  }

  /**
   * Called on a periodic timer of `intervalMs`: a tick that comes late by more than half the
   * interval means this peer was not running; that time is forgiven to every peer. Returns the
   * stall found (0 when on time).
   */
  tick(now: number, intervalMs: number): number {
    const prev = this.lastTick;
    this.lastTick = now;
    if (prev === undefined) return 0;
    const late = now - prev - intervalMs;
    if (late <= intervalMs / 2) return 0;
    this.stalled += late;
    for (const h of this.heard.values()) h.last = Math.min(now, h.last + late);
    return late;
  }

  /** The silence `id` may keep before it counts as gone, given the base ttl. */
  ttlFor(id: string, baseTtlMs: number, connected: boolean): number {
    const p = this.policy;
    const h = this.heard.get(id);
    const adaptive = Math.min(p.maxFactor * baseTtlMs, Math.max(baseTtlMs, p.gapFactor * (h?.maxGap ?? 0)));
    return connected ? Math.max(adaptive, p.connectedFactor * baseTtlMs) : adaptive;
  }

  /** The tracked peers silent for longer than their ttl, with how long they were silent. */
  expired(
    now: number,
    baseTtlMs: number,
    connected: (id: string) => boolean,
  ): { id: string; silentMs: number; ttlMs: number }[] {
    const out: { id: string; silentMs: number; ttlMs: number }[] = [];
    for (const [id, h] of this.heard) {
      const ttl = this.ttlFor(id, baseTtlMs, connected(id));
      const silent = now - h.last;
      if (silent > ttl) out.push({ id, silentMs: silent, ttlMs: ttl });
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}
