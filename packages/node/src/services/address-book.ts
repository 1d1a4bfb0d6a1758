// The address book: the PPFM peers this data dir has seen, kept in `<data-dir>/peers.json`
// (bounded, validated on read), and the re-dial that uses it. A peer that lost every connection
// re-dials every peer it knew (this run's peer store and the saved book), with backoff, until one
// answers; a restarted peer dials its book at start, so it finds its cluster again even when its
// bootstrap peers are gone. Every loss and recovery is said (never silent).
import { peerIdFromString } from '@libp2p/peer-id';
import type { IdentifyResult, PeerId } from '@libp2p/interface';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { PROTOCOL_MODEL_FETCH } from '@ppfm/protocol';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Cancel } from '../clock.js';
import { notice, type PeerComponents } from '../components.js';

export const ADDRESS_BOOK_FILE = 'peers.json';
/** The most peers the book keeps (the least recently seen go first), and addresses per peer. */
export const MAX_BOOK_PEERS = 64;
export const MAX_BOOK_ADDRS = 8;
/** A larger file is not read (it cannot be a book this code wrote). */
export const MAX_BOOK_BYTES = 256 * 1024;

/** One known peer: its id, the addresses it listened on, when we last saw it (ms epoch). */
export interface BookEntry {
  id: string;
  addrs: string[];
  seen: number;
}

/** What reading a book found: usable entries, and one line per problem (file, entry, field). */
export interface BookRead {
  entries: BookEntry[];
  problems: string[];
  /** The whole file was unusable (the caller keeps it aside). */
  corrupt: boolean;
}

/**
 * Parses the text of a peers.json. Entries that are not {id: peer id, addrs: multiaddrs, seen:
 * ms} are skipped, each with a problem naming `file`, its index and the field; never throws.
 */
export function parseAddressBook(text: string, file: string, self?: string): BookRead {
  const bad = (why: string): BookRead => ({ entries: [], problems: [`${file}: ${why}`], corrupt: true });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return bad(`not valid JSON (${(err as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return bad('not a JSON object');
  const { version, peers } = raw as { version?: unknown; peers?: unknown };
  if (version !== 1) return bad(`field 'version': expected 1, got ${JSON.stringify(version)}`);
  if (!Array.isArray(peers)) return bad("field 'peers': expected an array");
  const entries: BookEntry[] = [];
  const problems: string[] = [];
  const seenIds = new Set<string>();
  peers.forEach((p: unknown, i) => {
    const at = `${file}: peers[${i}]`;
    if (typeof p !== 'object' || p === null) return void problems.push(`${at}: not an object`);
    const { id, addrs, seen } = p as { id?: unknown; addrs?: unknown; seen?: unknown };
    if (typeof id !== 'string' || !isPeerId(id)) return void problems.push(`${at}.id: not a peer id`);
    if (id === self || seenIds.has(id)) return;
    if (!Array.isArray(addrs)) return void problems.push(`${at}.addrs: expected an array of multiaddrs`);
    const good = addrs.filter((a): a is string => typeof a === 'string' && isMultiaddr(a));
    if (good.length < addrs.length)
      problems.push(`${at}.addrs: ${addrs.length - good.length} invalid multiaddr(s) skipped`);
    if (good.length === 0) return;
    if (typeof seen !== 'number' || !Number.isFinite(seen) || seen < 0)
      return void problems.push(`${at}.seen: expected a time in ms`);
    seenIds.add(id);
    entries.push({ id, addrs: good.slice(0, MAX_BOOK_ADDRS), seen });
  });
  entries.sort((a, b) => b.seen - a.seen);
  if (entries.length > MAX_BOOK_PEERS) {
    problems.push(`${file}: ${entries.length} peers, keeping the ${MAX_BOOK_PEERS} seen last`);
    entries.length = MAX_BOOK_PEERS;
  }
  return { entries, problems, corrupt: false };
}

/**
 * Reads `<dataDir>/peers.json`; a missing file is an empty book. An unusable file is renamed to
 * `peers.json.corrupt-<time>` (kept for a person to look at; a new book is written). Never throws.
 */
export async function readAddressBook(dataDir: string, self: string, now: number): Promise<BookRead> {
  const file = join(dataDir, ADDRESS_BOOK_FILE);
  let r: BookRead;
  try {
    const st = await fs.stat(file);
    r =
      st.size > MAX_BOOK_BYTES
        ? { entries: [], problems: [`${file}: ${st.size} bytes, over ${MAX_BOOK_BYTES}`], corrupt: true }
        : parseAddressBook(await fs.readFile(file, 'utf8'), file, self);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { entries: [], problems: [], corrupt: false };
    return { entries: [], problems: [`${file}: cannot read (${code ?? String(err)})`], corrupt: false };
  }
  if (!r.corrupt) return r;
  const aside = `${file}.corrupt-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
  const moved = await fs.rename(file, aside).then(
    () => true,
    () => false,
  );
  return { ...r, problems: r.problems.map((p) => (moved ? `${p} (kept as ${aside})` : p)) };
}

function isPeerId(s: string): boolean {
  try {
    peerIdFromString(s);
    return true;
  } catch {
    return false;
  }
}

function isMultiaddr(s: string): boolean {
  try {
    multiaddr(s);
    return s.startsWith('/');
  } catch {
    return false;
  }
}

/** starting: no connection yet. connected: at least one. isolated: had some, lost every one. */
export type LinkState =
  | { kind: 'starting'; since: number }
  | { kind: 'connected' }
  | { kind: 'isolated'; since: number; attempts: number };

export type AddressBookComponents = Pick<PeerComponents, 'self' | 'clock' | 'bus' | 'libp2p'>;

export interface AddressBookInit {
  dataDir: string;
  /** The book as read at start (readAddressBook). */
  entries: BookEntry[];
  /** Whether re-dialing matters now (false once the run completed: peers leave at the end). */
  active: () => boolean;
  /** First re-dial delay and its cap (doubling in between). Defaults 1 s and 30 s. */
  redialBaseMs?: number;
  redialMaxMs?: number;
  /** Delay that coalesces book writes. Default 2 s. */
  saveDelayMs?: number;
  /** Deadline of one dial. Default 5 s. */
  dialTimeoutMs?: number;
}

/** Records the PPFM peers seen, persists them, and reconnects a peer that lost every connection. */
export class AddressBook {
  private readonly book = new Map<string, BookEntry>();
  private st: LinkState;
  private readonly offs: (() => void)[] = [];
  private retry: Cancel | undefined;
  private saveDue: Cancel | undefined;
  private saving: Promise<void> = Promise.resolve();
  private dirty = false;
  private stopped = false;

  constructor(
    private readonly c: AddressBookComponents,
    private readonly init: AddressBookInit,
  ) {
    for (const e of init.entries) if (e.id !== c.self) this.book.set(e.id, e);
    this.st = { kind: 'starting', since: c.clock.now() };
  }

  get state(): LinkState {
    return this.st;
  }

  /** The peers in the book (most recently seen first). */
  entries(): BookEntry[] {
    return [...this.book.values()].sort((a, b) => b.seen - a.seen);
  }

  /** Listens for identified peers and connection changes; dials the saved peers once. */
  start(): void {
    const { libp2p } = this.c;
    const onIdentify = (e: CustomEvent<IdentifyResult>): void => this.onIdentify(e.detail);
    const onConnect = (): void => this.onConnect();
    const onDisconnect = (): void => this.onDisconnect();
    libp2p.addEventListener('peer:identify', onIdentify);
    libp2p.addEventListener('peer:connect', onConnect);
    libp2p.addEventListener('peer:disconnect', onDisconnect);
    this.offs.push(
      () => libp2p.removeEventListener('peer:identify', onIdentify),
      () => libp2p.removeEventListener('peer:connect', onConnect),
      () => libp2p.removeEventListener('peer:disconnect', onDisconnect),
    );
    // Peers in the view federate with us: keep them fresh so that strangers are evicted first.
    this.offs.push(this.c.bus.on('view:changed', ({ peers }) => this.touch(peers)));
    if (libp2p.getConnections().length > 0) this.st = { kind: 'connected' };
    else if (this.book.size > 0) {
      notice(
        this.c,
        'info',
        `dialing ${plural(this.book.size, 'known peer')} from ${this.file()}`,
        'address_book',
      );
      this.redial(0);
    }
  }

  /** Stops re-dialing and (unless `save` is false: a crash) writes the book one last time. */
  async stop(save = true): Promise<void> {
    this.stopped = true;
    for (const off of this.offs.splice(0)) off();
    this.retry?.();
    this.saveDue?.();
    if (this.dirty && save) this.save();
    await this.saving;
  }

  private file(): string {
    return join(this.init.dataDir, ADDRESS_BOOK_FILE);
  }

  private onIdentify(r: IdentifyResult): void {
    const id = r.peerId.toString();
    // Only PPFM peers go into the book (a libp2p node of another kind is no cluster mate).
    if (id === this.c.self || !r.protocols.includes(PROTOCOL_MODEL_FETCH)) return;
    const addrs = dialable(r.listenAddrs);
    if (addrs.length === 0) return;
    this.book.set(id, { id, addrs, seen: this.c.clock.now() });
    this.evict();
    this.saveSoon();
  }

  private touch(ids: readonly string[]): void {
    const now = this.c.clock.now();
    let changed = false;
    for (const id of ids) {
      const e = this.book.get(id);
      if (e !== undefined) {
        e.seen = now;
        changed = true;
      }
    }
    if (changed) this.saveSoon();
  }

  private evict(): void {
    if (this.book.size <= MAX_BOOK_PEERS) return;
    const oldest = this.entries().slice(MAX_BOOK_PEERS);
    for (const e of oldest) this.book.delete(e.id);
  }

  private onConnect(): void {
    const st = this.st;
    this.st = { kind: 'connected' };
    this.retry?.();
    this.retry = undefined;
    if (st.kind === 'isolated') {
      const secs = Math.round((this.c.clock.now() - st.since) / 1000);
      notice(
        this.c,
        'info',
        `reconnected after ${secs} s (${plural(st.attempts, 'dial round')})`,
        'reconnected',
      );
    }
  }

  private onDisconnect(): void {
    if (this.stopped || this.c.libp2p.getConnections().length > 0 || this.st.kind !== 'connected') return;
    if (!this.init.active()) return;
    this.st = { kind: 'isolated', since: this.c.clock.now(), attempts: 0 };
    void this.targets().then((targets) => {
      if (this.st.kind !== 'isolated' || this.stopped) return;
      notice(
        this.c,
        'warn',
        targets.length === 0
          ? 'lost every connection and knows no peer to re-dial; waiting for peers to dial in'
          : `lost every connection; re-dialing ${plural(targets.length, 'known peer')} ` +
              `(this run's and those in ${this.file()}) until one answers, at least every ` +
              `${Math.round(this.maxMs() / 1000)} s`,
        'isolated',
      );
    });
    this.redial(0);
  }

  private maxMs(): number {
    return this.init.redialMaxMs ?? 30_000;
  }

  /** Peers to dial: the book and this run's peer store (PPFM peers with addresses), minus self. */
  private async targets(): Promise<{ id: PeerId; addrs: Multiaddr[] }[]> {
    const out = new Map<string, { id: PeerId; addrs: Multiaddr[] }>();
    for (const e of this.book.values()) {
      try {
        out.set(e.id, { id: peerIdFromString(e.id), addrs: e.addrs.map((a) => multiaddr(a)) });
      } catch {
        // validated on read; a bad entry is skipped
      }
    }
    for (const p of await this.c.libp2p.peerStore.all().catch(() => [])) {
      const id = p.id.toString();
      if (id === this.c.self || out.has(id) || p.addresses.length === 0) continue;
      if (!p.protocols.includes(PROTOCOL_MODEL_FETCH)) continue;
      out.set(id, { id: p.id, addrs: [] });
    }
    return [...out.values()].slice(0, 2 * MAX_BOOK_PEERS);
  }

  /** One dial round now (attempt n), then the next after a doubling delay while still unconnected. */
  private redial(attempt: number): void {
    if (this.stopped || this.st.kind === 'connected') return;
    if (this.st.kind === 'isolated') this.st = { ...this.st, attempts: attempt + 1 };
    void this.dialAll();
    const base = this.init.redialBaseMs ?? 1000;
    const delay = Math.min(this.maxMs(), base * 2 ** attempt);
    this.retry = this.c.clock.after(delay, () => this.redial(attempt + 1));
  }

  private async dialAll(): Promise<void> {
    const { libp2p } = this.c;
    const timeout = this.init.dialTimeoutMs ?? 5000;
    await Promise.all(
      (await this.targets()).map(async (t) => {
        if (this.stopped || libp2p.getConnections(t.id).length > 0) return;
        try {
          if (t.addrs.length > 0) await libp2p.peerStore.merge(t.id, { multiaddrs: t.addrs });
          await libp2p.dial(t.id, { signal: AbortSignal.timeout(timeout) });
        } catch {
          // unreachable for now: the next dial round tries again
        }
      }),
    );
  }

  private saveSoon(): void {
    this.dirty = true;
    if (this.saveDue !== undefined || this.stopped) return;
    this.saveDue = this.c.clock.after(this.init.saveDelayMs ?? 2000, () => {
      this.saveDue = undefined;
      this.save();
    });
  }

  /** Writes the book atomically (tmp + rename); a failure is said once per kind of error. */
  private save(): void {
    this.dirty = false;
    const text = JSON.stringify({ version: 1, peers: this.entries() }, null, 1) + '\n';
    const file = this.file();
    this.saving = this.saving.then(async () => {
      const tmp = `${file}.tmp`;
      try {
        await fs.writeFile(tmp, text, { mode: 0o644 });
        await fs.rename(tmp, file);
      } catch (err) {
        notice(
          this.c,
          'warn',
          `cannot write the address book ${file}: ${(err as Error).message}`,
          'address_book_unwritable',
        );
      }
    });
  }
}

/** Addresses worth saving: transport addresses without a relay hop, without /p2p/ (kept apart). */
function dialable(addrs: readonly Multiaddr[]): string[] {
  const out: string[] = [];
  for (const a of addrs) {
    const s = a.toString().replace(/\/p2p\/[^/]+$/, '');
    if (s.includes('/p2p-circuit') || out.includes(s)) continue;
    out.push(s);
    if (out.length >= MAX_BOOK_ADDRS) break;
  }
  return out;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
