// Failed bootstrap dials are retried every few seconds while a peer is (nearly) cut off; each one
// used to be swallowed, so a peer that never joined said only "no bootstrap peer reachable".
// Now the first failure per address, and then one line per address per minute with the count
// and the last error, reach the terminal and the log (`notice`, code `dial_failed`).
import type { Clock } from '../clock.js';
import { notice, type PeerComponents } from '../components.js';

/** At most one line per address this often. */
export const DIAL_FAILURE_LOG_MS = 60_000;

interface Entry {
  lastSaid: number;
  since: number;
}

/** Rate-limited reporting of failed (re-)dials. */
export class DialFailureLog {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly c: Pick<PeerComponents, 'bus'> & { clock: Pick<Clock, 'now'> }) {}

  /** Counts one failure of `addr`; says so at the first and then at most once a minute. */
  failed(addr: string, err: Error): void {
    const now = this.c.clock.now();
    const e = this.entries.get(addr);
    if (e !== undefined && now - e.lastSaid < DIAL_FAILURE_LOG_MS) {
      e.since++;
      return;
    }
    const more = e !== undefined && e.since > 0 ? ` (${e.since + 1} failures in the last minute)` : '';
    this.entries.set(addr, { lastSaid: now, since: 0 });
    const reason = `${err.name}: ${err.message}`.replace(/\s+/g, ' ').slice(0, 200);
    notice(this.c, 'warn', `dial to bootstrap ${addr} failed${more}: ${reason}; retrying`, 'dial_failed');
  }
}
