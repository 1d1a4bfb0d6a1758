/**
 * The testnet's view of the peers' logs: @ppfm/node's incremental LogFollower (shared with
 * `ppfm dashboard`) over the run's log directory, each line parsed leniently into a PeerEvent.
 */
import { LogFollower as LineFollower } from '@ppfm/node';
import { parseEventLine, type PeerEvent } from './events.js';

/** Which files of the log directory hold peer events (not the captured stderr/stdout of children). */
export function isEventLogFile(name: string): boolean {
  return !name.startsWith('.') && !/\.(stderr|stdout|tmp)$/.test(name);
}

/** Follows every event log in `dir`, including files that appear later. */
export class LogFollower {
  private readonly lines: LineFollower;
  private events = 0;

  constructor(dir: string, onEvent: (e: PeerEvent, file: string) => void) {
    this.lines = new LineFollower(
      dir,
      (line, file) => {
        const e = parseEventLine(line);
        if (e === undefined) return;
        this.events++;
        onEvent(e, file);
      },
      { accept: isEventLogFile, subdirs: false },
    );
  }

  /** Reads whatever was appended to any log file since the last call; returns how many events it saw. */
  async poll(): Promise<number> {
    const before = this.events;
    await this.lines.poll();
    return this.events - before;
  }

  /** Polls every `intervalMs` until stop(). */
  start(intervalMs = 250): void {
    this.lines.start(intervalMs);
  }

  /** Stops the interval and does one final read so that nothing written before the stop is missed. */
  async stop(): Promise<void> {
    await this.lines.stop();
  }
}
