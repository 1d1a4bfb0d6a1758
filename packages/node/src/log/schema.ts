// Runtime validation of log lines read back from disk (by `ppfm inspect`): a line either
// becomes a typed event or a clear error naming file:line. Unknown event names are kept
// (forward compatibility with newer peers); known events must carry their typed fields.
import type { LogEventName, LoggedEvent, UnknownLoggedEvent } from './events.js';

type FieldKind =
  'string' | 'number' | 'int' | 'strings' | 'ints' | 'string?' | 'number?' | 'int?' | 'boolean?' | 'strings?';

const FIELDS: Record<LogEventName, Record<string, FieldKind>> = {
  peer_started: {
    addrs: 'strings',
    backend: 'string',
    dataPath: 'string',
    samples: 'int',
    version: 'string',
    rounds: 'int?',
    dataDir: 'string?',
  },
  peer_connected: { remote: 'string' },
  peer_disconnected: { remote: 'string' },
  fingerprint_received: { from: 'string', seq: 'int' },
  view_changed: { peers: 'strings' },
  cluster_assigned: { cluster: 'string', members: 'strings', head: 'string', k: 'int' },
  head_elected: {
    cluster: 'string',
    head: 'string',
    term: 'int',
    electionMs: 'number?',
    failoverMs: 'number?',
  },
  lease_expired: { cluster: 'string', head: 'string', term: 'int', reason: 'string?' },
  round_opened: { cluster: 'string', round: 'int', term: 'int', head: 'string' },
  update_received: { cluster: 'string', round: 'int', from: 'string', samples: 'int' },
  round_closed: { cluster: 'string', round: 'int', updates: 'int', quorum: 'int', epsilon: 'number?' },
  cluster_model_published: { cluster: 'string', round: 'int', term: 'int', bytes: 'int' },
  global_model_updated: { round: 'int', clusters: 'strings' },
  zda_set_sent: {
    cluster: 'string',
    round: 'int',
    count: 'int',
    members: 'int',
    delivered: 'int',
  },
  zda_set_taken: { from: 'string', cluster: 'string', round: 'int', count: 'int' },
  zda_set_refused: { from: 'string', reason: 'string', detail: 'string' },
  augmentation: {
    cluster: 'string',
    round: 'int',
    role: 'string',
    made: 'int',
    classes: 'ints',
    ms: 'number',
    stopped: 'string',
    teachers: 'strings?',
    teacherMs: 'number?',
  },
  teacher_refused: { cluster: 'string', from: 'string', reason: 'string', detail: 'string' },
  evaluation: {
    cluster: 'string',
    round: 'int',
    personalised: 'boolean?',
    accBefore: 'number',
    accAfter: 'number',
    lossBefore: 'number',
    lossAfter: 'number',
    epsilon: 'number?',
  },
  message_rejected: {
    topic: 'string?',
    protocol: 'string?',
    from: 'string',
    reason: 'string',
    detail: 'string?',
  },
  checkpoint_saved: { round: 'int', path: 'string' },
  checkpoint_restored: { round: 'int', path: 'string?', source: 'string?' },
  checkpoint_rejected: { path: 'string', reason: 'string', keptAs: 'string?' },
  peer_stopped: {
    reason: 'string',
    bytesSent: 'number?',
    bytesReceived: 'number?',
    processCpuSeconds: 'number?',
  },
  rounds_completed: { cluster: 'string', round: 'int' },
  traffic: {
    cluster: 'string',
    round: 'int',
    bytesSent: 'int',
    bytesReceived: 'int',
    roundBytesSent: 'int',
    roundBytesReceived: 'int',
    roundDirectBytesSent: 'int',
    modelBytes: 'int',
    codec: 'string',
  },
  notice: { severity: 'string', code: 'string', message: 'string' },
  message_ignored: {
    topic: 'string?',
    protocol: 'string?',
    from: 'string',
    reason: 'string',
    detail: 'string?',
    count: 'int',
  },
  view_synced: { remote: 'string', received: 'int', changed: 'int' },
  peer_expired: { remote: 'string', silentMs: 'number', ttlMs: 'number' },
  secagg_stage: {
    cluster: 'string',
    round: 'int',
    term: 'int',
    role: 'string',
    stage: 'string',
    count: 'number?',
  },
  secagg_aggregated: {
    cluster: 'string',
    round: 'int',
    term: 'int',
    contributors: 'int',
    dropped: 'int',
    threshold: 'int',
    ms: 'number',
  },
  dp_release: {
    cluster: 'string',
    round: 'int',
    sigma: 'number',
    noiseMultiplier: 'number',
    norm: 'number',
    clip: 'number',
    delta: 'number',
    epsilon: 'number?',
  },
};

/** Names of every event this version knows. */
export const KNOWN_EVENTS: readonly LogEventName[] = Object.keys(FIELDS) as LogEventName[];

/** True when `name` is an event this version knows and validates. */
export function isKnownEvent(name: string): name is LogEventName {
  return Object.prototype.hasOwnProperty.call(FIELDS, name);
}

export type ParsedLine =
  | { ok: true; event: LoggedEvent | UnknownLoggedEvent }
  | { ok: false; error: string; file: string; line: number };

function checkField(value: unknown, kind: FieldKind): string | undefined {
  switch (kind) {
    case 'string':
      return typeof value === 'string' ? undefined : 'a string';
    case 'string?':
      return value === undefined || typeof value === 'string' ? undefined : 'a string or absent';
    case 'number':
      // JSON has no NaN/Infinity; pino writes them as null, which we reject as a non-number.
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'a finite number';
    case 'number?':
      return value === undefined || (typeof value === 'number' && Number.isFinite(value))
        ? undefined
        : 'a finite number or absent';
    case 'int':
      return typeof value === 'number' && Number.isInteger(value) ? undefined : 'an integer';
    case 'int?':
      return value === undefined || (typeof value === 'number' && Number.isInteger(value))
        ? undefined
        : 'an integer or absent';
    case 'boolean?':
      return value === undefined || typeof value === 'boolean' ? undefined : 'true, false or absent';
    case 'strings':
      return Array.isArray(value) && value.every((v) => typeof v === 'string')
        ? undefined
        : 'an array of strings';
    case 'strings?':
      return value === undefined || (Array.isArray(value) && value.every((v) => typeof v === 'string'))
        ? undefined
        : 'an array of strings or absent';
    case 'ints':
      return Array.isArray(value) && value.every((v) => Number.isInteger(v))
        ? undefined
        : 'an array of integers';
  }
}

/** Parses one JSON log line into a typed event, or an error naming `file:lineNo`. */
export function parseLogLine(line: string, file: string, lineNo: number): ParsedLine {
  const fail = (msg: string): ParsedLine => ({
    ok: false,
    error: `${file}:${lineNo}: ${msg}`,
    file,
    line: lineNo,
  });
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (err) {
    return fail(`not valid JSON (${(err as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('not a JSON object');
  const obj = raw as Record<string, unknown>;
  for (const [field, kind] of [
    ['level', 'int'],
    ['time', 'number'],
    ['peer', 'string'],
    ['event', 'string'],
  ] as const) {
    const problem = checkField(obj[field], kind);
    if (problem !== undefined) return fail(`field "${field}" must be ${problem}`);
  }
  const name = obj.event as string;
  if (!isKnownEvent(name)) return { ok: true, event: { ...obj, unknown: true } as UnknownLoggedEvent };
  for (const [field, kind] of Object.entries(FIELDS[name])) {
    const problem = checkField(obj[field], kind);
    if (problem !== undefined) return fail(`event ${name}: field "${field}" must be ${problem}`);
  }
  if (name === 'message_rejected' && obj.topic === undefined && obj.protocol === undefined) {
    return fail('event message_rejected: needs a "topic" or a "protocol" field');
  }
  return { ok: true, event: obj as unknown as LoggedEvent };
}
