/**
 * Waiting on the peers' JSON logs: every event read is kept (in read order) and folded into the
 * testnet's NetworkState; `until` re-checks a condition each time new lines arrive and fails with
 * the name of what it was waiting for when its deadline passes. The files are polled (they are
 * written by other processes, in other network namespaces), never slept on for a fixed time.
 */
import { LogFollower } from '../testnet/follow.js';
import type { PeerEvent } from '../testnet/events.js';
import { NetworkState } from '../testnet/state.js';

/** A wait that ran out: says what it waited for and for how long. */
export class WaitTimeout extends Error {
  override name = 'WaitTimeout';
}

/** Follows a log directory and answers "wait until ..." questions over the events. */
export class EventWaiter {
  readonly state = new NetworkState();
  readonly events: PeerEvent[] = [];
  private readonly follower: LogFollower;

  constructor(
    logDir: string,
    private readonly onEvent?: (e: PeerEvent) => void,
    private readonly pollMs = 100,
  ) {
    this.follower = new LogFollower(logDir, (e) => {
      this.events.push(e);
      this.state.apply(e);
      this.onEvent?.(e);
    });
  }

  /** Reads whatever was appended since the last read. */
  async poll(): Promise<void> {
    await this.follower.poll();
  }

  /**
   * Resolves with the condition's value once it is defined (checked after each read of the logs);
   * `alive` is checked too, so a peer that died ends the wait at once with its reason.
   */
  async until<T>(
    what: string,
    timeoutMs: number,
    check: () => T | undefined,
    alive?: () => string | undefined,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.follower.poll();
      const v = check();
      if (v !== undefined) return v;
      const dead = alive?.();
      if (dead !== undefined) throw new Error(`while waiting for ${what}: ${dead}`);
      if (Date.now() > deadline)
        throw new WaitTimeout(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }

  /** Stops following after one last read. */
  async stop(): Promise<void> {
    await this.follower.stop();
  }
}
