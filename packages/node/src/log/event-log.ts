// The peer's event log: JSON lines through pino, to a file (async, flushed on close) and/or
// stdout, plus optional one-line human summaries on stderr for a person watching a peer.
import { mkdirSync } from 'node:fs';
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
  /** Suppress the human-readable summaries even when `pretty` is set. */
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

interface Boom extends DestinationStream {
  end(): void;
  flushSync(): void;
  once(event: string, fn: (...args: unknown[]) => void): void;
}

function defaultLevel(e: LogEvent): LogLevelName {
  if (e.event === 'notice') return e.severity;
  return e.event === 'message_rejected' || e.event === 'lease_expired' ? 'warn' : 'info';
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

/** Creates the JSON-lines event log of one peer. */
export function createEventLog(opts: EventLogOptions): EventLog {
  const level = parseLevel(opts.level);
  const fileDests: Boom[] = [];
  const stdoutDests: Boom[] = [];
  const streams: StreamEntry[] = [];
  if (opts.file !== undefined) {
    mkdirSync(dirname(opts.file), { recursive: true });
    const dest = pino.destination({ dest: opts.file, sync: false, append: true }) as unknown as Boom;
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
  const human = opts.pretty === true && opts.quiet !== true;
  const sink = opts.humanSink ?? ((line: string) => void process.stderr.write(line + '\n'));
  let peer = opts.peerId;
  let closed = false;
  return {
    emit(e, lvl) {
      if (closed) return;
      const l = lvl ?? defaultLevel(e);
      // `peer` first so every line reads {"level","time","peer","event",...}.
      logger[l]({ peer, ...e });
      if (human && LOG_LEVELS[l] >= LOG_LEVELS[level]) {
        const line = formatHuman(e);
        if (line !== undefined) sink(line);
      }
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
