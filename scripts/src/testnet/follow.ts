/**
 * Incremental tail of a directory of JSON-lines log files (one per peer). Each poll reads only the bytes
 * appended since the previous poll and keeps a partial last line until its newline arrives, so a line
 * being written while we read is never parsed half-way.
 */
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { parseEventLine, type PeerEvent } from './events.js';

/** Which files of the log directory hold peer events (not the captured stderr/stdout of children). */
export function isEventLogFile(name: string): boolean {
  return !name.startsWith('.') && !/\.(stderr|stdout|tmp)$/.test(name);
}

interface FileCursor {
  offset: number;
  partial: string;
  // A read may end inside a multi-byte character; the decoder carries it over.
  decoder: StringDecoder;
}

/** Follows every event log in `dir`, including files that appear later. */
export class LogFollower {
  private readonly cursors = new Map<string, FileCursor>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;

  constructor(
    private readonly dir: string,
    private readonly onEvent: (e: PeerEvent, file: string) => void,
  ) {}

  /** Reads whatever was appended to any log file since the last call; returns how many events it saw. */
  async poll(): Promise<number> {
    // Serialise polls so that a slow read and the interval never read the same bytes twice.
    while (this.polling) await this.polling;
    let count = 0;
    this.polling = (async () => {
      let names: string[];
      try {
        names = (await readdir(this.dir)).filter(isEventLogFile).sort();
      } catch {
        return; // the directory does not exist yet
      }
      for (const name of names) count += await this.readFile(name);
    })();
    try {
      await this.polling;
    } finally {
      this.polling = undefined;
    }
    return count;
  }

  /** Polls every `intervalMs` until stop(). */
  start(intervalMs = 250): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), intervalMs);
  }

  /** Stops the interval and does one final read so that nothing written before the stop is missed. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.poll();
  }

  private async readFile(name: string): Promise<number> {
    const path = join(this.dir, name);
    let cur = this.cursors.get(name);
    if (!cur) {
      cur = { offset: 0, partial: '', decoder: new StringDecoder('utf8') };
      this.cursors.set(name, cur);
    }
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch {
      return 0;
    }
    if (size < cur.offset) {
      // Truncated or replaced: start again from the top.
      cur.offset = 0;
      cur.partial = '';
      cur.decoder = new StringDecoder('utf8');
    }
    if (size === cur.offset) return 0;
    const fh = await open(path, 'r');
    let text: string;
    try {
      const buf = Buffer.alloc(size - cur.offset);
      const { bytesRead } = await fh.read(buf, 0, buf.length, cur.offset);
      cur.offset += bytesRead;
      text = cur.partial + cur.decoder.write(buf.subarray(0, bytesRead));
    } finally {
      await fh.close();
    }
    const lines = text.split('\n');
    cur.partial = lines.pop() ?? '';
    let n = 0;
    for (const line of lines) {
      const e = parseEventLine(line);
      if (e) {
        n++;
        this.onEvent(e, name);
      }
    }
    return n;
  }
}
