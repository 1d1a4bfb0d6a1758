// The peer's event log: JSON lines through pino, to a file (async, flushed on close) and/or
// stdout, plus optional one-line human summaries on stderr for a person watching a peer.
import { openSync } from 'node:fs';
import { makeDirSync } from '../make-dir.js';
import { dirname } from 'node:path';
import pino, { type DestinationStream, type Logger, type StreamEntry } from 'pino';
import { LOG_LEVELS, type LogEvent, type LogLevelName } from './events.js';
import { formatHuman } from './human.js';

export interface EventLogOptions {
  /** JSON-lines file (its directory is created). */
  file?: string;
  /** Peer id written on every line; may be replaced later with `setPeerId`. */
  peerId: string;
  /** Also (or, without `file`, only) write JSON lines to stdout. Default: true iff no file. */
  stdout?: boolean;
  /** Minimum level written: trace|debug|info|warn|error|fatal. Default info. */
  level?: string;
  /** Human-readable summaries of notable events on stderr (default false). */
  pretty?: boolean;
  /** With `pretty`: only warnings reach the human sink (`--quiet`). */
  quiet?: boolean;
  /** Where human summaries go (default process.stderr); for tests. */
  humanSink?: (line: string) => void;
}

export interface EventLog {
  /** Writes one event; `level` defaults to warn for rejections/lease expiries, else info. */
  emit(e: LogEvent, level?: LogLevelName): void;
  /** Sets the peer id for subsequent lines (known only once the identity is loaded). */
  setPeerId(id: string): void;
  /** Flushes and closes the destinations; later emits are dropped. */
  close(): Promise<void>;
}

/** The log file cannot be created or opened for appending (names the file and the errno code). */
export class LogFileError extends Error {
  constructor(
    readonly file: string,
    readonly code: string | undefined,
    detail: string,
  ) {
    super(`cannot write the event log ${file}: ${detail}`);
    this.name = 'LogFileError';
  }
}

interface Boom extends DestinationStream {
  end(): void;
  flushSync(): void;
  once(event: string, fn: (...args: unknown[]) => void): void;
  on(event: string, fn: (...args: unknown[]) => void): void;
}

function defaultLevel(e: LogEvent): LogLevelName {
  if (e.event === 'notice') return e.severity;
  // A head that merely left the cluster (regrouping) is news, not a fault.
  if (e.event === 'lease_expired') return e.reason === 'left_cluster' ? 'info' : 'warn';
  return e.event === 'message_rejected' ? 'warn' : 'info';
}

function parseLevel(level: string | undefined): LogLevelName {
  const l = (level ?? 'info').toLowerCase();
  if (!(l in LOG_LEVELS)) {
    throw new Error(`unknown log level "${level}" (expected one of ${Object.keys(LOG_LEVELS).join(', ')})`);
  }
  return l as LogLevelName;
}

function endStream(dest: Boom): Promise<void> {
  return new Promise((resolve) => {
    dest.once('close', () => resolve());
    dest.once('error', () => resolve());
    dest.end();
  });
}

/** A short reason for a failed file operation: "permission denied (EACCES)" and the like. */
export function fsReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code})`;
    case 'ENOENT':
      return 'no such file or directory (ENOENT)';
    case 'ENOTDIR':
      return 'a path component is not a directory (ENOTDIR)';
    case 'EEXIST':
      return 'a file of that name is in the way (EEXIST)';
    case 'EISDIR':
      return 'is a directory (EISDIR)';
    case 'EROFS':
      return 'read-only file system (EROFS)';
    case 'ENOSPC':
      return 'no space left on device (ENOSPC)';
    case 'ELOOP':
      return 'symbolic link loop (ELOOP)';
    default:
      return code !== undefined ? `${(err as Error).message.split(':')[0]} (${code})` : String(err);
  }
}

/**
 * Opens `file` for appending synchronously, so that an unwritable place is a clear error at start
 * (not an asynchronous stream error after the peer joined) and pino's stream is ready at once.
 */
function openLogFile(file: string): number {
  try {
    makeDirSync(dirname(file));
    return openSync(file, 'a', 0o644);
  } catch (err) {
    throw new LogFileError(file, (err as NodeJS.ErrnoException).code, fsReason(err));
  }
}

/** Creates the JSON-lines event log of one peer; throws LogFileError when the file cannot be written. */
export function createEventLog(opts: EventLogOptions): EventLog {
  const level = parseLevel(opts.level);
  const fileDests: Boom[] = [];
  const stdoutDests: Boom[] = [];
  const streams: StreamEntry[] = [];
  const sink = opts.humanSink ?? ((line: string) => void process.stderr.write(line + '\n'));
  if (opts.file !== undefined) {
    const file = opts.file;
    const fd = openLogFile(file);
    const dest = pino.destination({ fd, sync: false }) as unknown as Boom;
    // A write that fails later (disk full, file system gone) is said once, never thrown.
    let said = false;
    dest.on('error', (err) => {
      if (said) return;
      said = true;
      sink(`warning: the event log ${file} can no longer be written: ${fsReason(err)}`);
    });
    fileDests.push(dest);
    streams.push({ level, stream: dest });
  }
  if (opts.stdout ?? opts.file === undefined) {
    // Synchronous on stdout so that lines are not lost when the process exits right after.
    const dest = pino.destination({ dest: 1, sync: true }) as unknown as Boom;
    stdoutDests.push(dest);
    streams.push({ level, stream: dest });
  }
  const logger: Logger = pino(
    { level, base: null, timestamp: pino.stdTimeFunctions.epochTime },
    pino.multistream(streams),
  );
  const human = opts.pretty === true;
  const quiet = opts.quiet === true;
  let peer = opts.peerId;
  let closed = false;
  return {
    emit(e, lvl) {
      if (closed) return;
      const l = lvl ?? defaultLevel(e);
      // `peer` first so every line reads {"level","time","peer","event",...}.
      logger[l]({ peer, ...e });
      if (!human || LOG_LEVELS[l] < LOG_LEVELS[level]) return;
      // --quiet keeps the warnings a person must see (waits given up, fallbacks, refusals).
      if (quiet && !(e.event === 'notice' && e.severity === 'warn')) return;
      const line = formatHuman(e);
      if (line !== undefined) sink(line);
    },
    setPeerId(id) {
      peer = id;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const d of stdoutDests) d.flushSync();
      await Promise.all(fileDests.map(endStream));
    },
  };
}
