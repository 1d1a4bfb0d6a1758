/**
 * Incremental tail of directories of JSON-lines log files (one per peer). Each poll reads only the
 * bytes appended since the previous poll and keeps a partial last line until its newline arrives,
 * so a line being written while we read is never delivered half-way. Used by `ppfm dashboard` and
 * by the testnet (which parses the lines its own way).
 */
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';

/** Receives one complete line (without its newline) of `file`; `lineNo` counts from 1. */
export type LineHandler = (line: string, file: string, lineNo: number) => void;

export interface FollowOptions {
  /** Which file names hold events (default: `*.log` and `*.jsonl`, like `ppfm inspect`). */
  accept?: (name: string) => boolean;
  /** Also follow files in direct sub-directories (default true, like `ppfm inspect`). */
  subdirs?: boolean;
}

/** The file names `ppfm inspect` and the dashboard read: `*.log` and `*.jsonl`. */
export function isPeerLogName(name: string): boolean {
  return !name.startsWith('.') && (name.endsWith('.log') || name.endsWith('.jsonl'));
}

interface FileCursor {
  offset: number;
  lineNo: number;
  partial: string;
  // A read may end inside a multi-byte character; the decoder carries it over.
  decoder: StringDecoder;
}

const READ_CHUNK = 1 << 20;

const freshCursor = (): FileCursor => ({
  offset: 0,
  lineNo: 0,
  partial: '',
  decoder: new StringDecoder('utf8'),
});

/** Follows every log file in some directories, including files that appear later. */
export class LogFollower {
  private readonly dirs: readonly string[];
  private readonly accept: (name: string) => boolean;
  private readonly subdirs: boolean;
  private readonly cursors = new Map<string, FileCursor>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;

  constructor(
    dirs: string | readonly string[],
    private readonly onLine: LineHandler,
    opts: FollowOptions = {},
  ) {
    this.dirs = typeof dirs === 'string' ? [dirs] : [...dirs];
    this.accept = opts.accept ?? isPeerLogName;
    this.subdirs = opts.subdirs ?? true;
  }

  /** Reads whatever was appended to any log file since the last call; returns how many lines it delivered. */
  async poll(): Promise<number> {
    // Serialise polls so that a slow read and the interval never read the same bytes twice.
    while (this.polling) await this.polling;
    let count = 0;
    this.polling = (async () => {
      for (const file of await this.listFiles()) count += await this.readFile(file);
    })();
    try {
      await this.polling;
    } finally {
      this.polling = undefined;
    }
    return count;
  }

  /** Polls every `intervalMs` until stop(); `onPolled` runs after each poll that delivered lines. */
  start(intervalMs = 250, onPolled?: (lines: number) => void): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      void this.poll().then((n) => {
        if (n > 0) onPolled?.(n);
      });
    }, intervalMs);
  }

  /** Stops the interval and does one final read so that nothing written before the stop is missed. */
  async stop(): Promise<number> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    return this.poll();
  }

  private async listFiles(): Promise<string[]> {
    const files: string[] = [];
    for (const dir of this.dirs) {
      // A directory that does not exist (yet) simply has no files.
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const e of entries) {
        if (e.isFile() && this.accept(e.name)) files.push(join(dir, e.name));
        else if (this.subdirs && e.isDirectory() && !e.name.startsWith('.')) {
          const sub = await readdir(join(dir, e.name), { withFileTypes: true }).catch(() => []);
          for (const s of sub) if (s.isFile() && this.accept(s.name)) files.push(join(dir, e.name, s.name));
        }
      }
    }
    return [...new Set(files)].sort();
  }

  private async readFile(path: string): Promise<number> {
    let cur = this.cursors.get(path);
    if (!cur) {
      cur = freshCursor();
      this.cursors.set(path, cur);
    }
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch {
      return 0;
    }
    if (size < cur.offset) {
      // Truncated or replaced: start again from the top.
      cur = freshCursor();
      this.cursors.set(path, cur);
    }
    if (size === cur.offset) return 0;
    let n = 0;
    const fh = await open(path, 'r');
    try {
      // Bounded reads: a large existing log is delivered chunk by chunk, not held in one buffer.
      const buf = Buffer.alloc(Math.min(READ_CHUNK, size - cur.offset));
      while (cur.offset < size) {
        const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - cur.offset), cur.offset);
        if (bytesRead === 0) break;
        cur.offset += bytesRead;
        n += this.deliver(cur, cur.decoder.write(buf.subarray(0, bytesRead)), path);
      }
    } finally {
      await fh.close();
    }
    return n;
  }

  private deliver(cur: FileCursor, chunk: string, path: string): number {
    const lines = (cur.partial + chunk).split('\n');
    cur.partial = lines.pop() ?? '';
    let n = 0;
    for (const line of lines) {
      cur.lineNo++;
      if (line.trim() === '') continue;
      n++;
      this.onLine(line, path, cur.lineNo);
    }
    return n;
  }
}
