// Finds and reads every peer's JSON-lines log under a directory, merged into one time-ordered list.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { LoggedEvent, UnknownLoggedEvent } from '../log/events.js';
import { parseLogLine } from '../log/schema.js';

export type AnyLoggedEvent = LoggedEvent | UnknownLoggedEvent;

export interface ReadLogsResult {
  files: string[];
  events: AnyLoggedEvent[];
  /** Corrupt lines skipped, each naming file:line. */
  warnings: string[];
}

/** Raised for a missing/unreadable directory or one with no log files. */
export class LogDirError extends Error {
  override name = 'LogDirError';
}

const isLogFile = (name: string): boolean => name.endsWith('.log') || name.endsWith('.jsonl');

/** Lists `*.log` / `*.jsonl` files in dir and its direct sub-directories, sorted by path. */
export async function findLogFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new LogDirError(`log directory ${dir} does not exist`);
    if (code === 'ENOTDIR') throw new LogDirError(`${dir} is not a directory`);
    throw new LogDirError(`cannot read log directory ${dir}: ${(err as Error).message}`);
  }
  const files: string[] = [];
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isFile() && isLogFile(e.name)) files.push(p);
    else if (e.isDirectory()) {
      const sub = await fs.readdir(p, { withFileTypes: true }).catch(() => []);
      for (const s of sub) if (s.isFile() && isLogFile(s.name)) files.push(join(p, s.name));
    }
  }
  return files.sort();
}

/** Parses one log file's text; corrupt lines become warnings. */
export function parseLogText(text: string, file: string): { events: AnyLoggedEvent[]; warnings: string[] } {
  const events: AnyLoggedEvent[] = [];
  const warnings: string[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const r = parseLogLine(line, file, i + 1);
    if (r.ok) events.push(r.event);
    // A peer killed mid-write leaves a partial last line: worth a warning, not a failure.
    else warnings.push(r.error);
  });
  return { events, warnings };
}

/** Reads all logs under dir, merged and stably ordered by time. */
export async function readLogDir(dir: string): Promise<ReadLogsResult> {
  const files = await findLogFiles(dir);
  if (files.length === 0) throw new LogDirError(`no *.log or *.jsonl files in ${dir}`);
  const events: AnyLoggedEvent[] = [];
  const warnings: string[] = [];
  for (const f of files) {
    const r = parseLogText(await fs.readFile(f, 'utf8'), f);
    events.push(...r.events);
    warnings.push(...r.warnings);
  }
  // Array.prototype.sort is stable: same-millisecond events keep file and line order.
  events.sort((a, b) => a.time - b.time);
  return { files, events, warnings };
}
