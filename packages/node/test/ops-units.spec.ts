// Unit tests of the operational parts (issue 11), without processes: the address book and its
// re-dial, the default data dir, listen errors, the event log's human lines, a head that merely
// left its cluster, and the start-up gate's "ready" line.
import assert from 'node:assert/strict';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id';
import type { PrivateKey } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import { PROTOCOL_MODEL_FETCH } from '@ppfm/protocol';
import { ManualClock } from '../src/clock.js';
import { defaultDataDir } from '../src/commands/start.js';
import { listenProblem } from '../src/commands/start-errors.js';
import { ClusterElection } from '../src/election.js';
import { EventBus } from '../src/events.js';
import { ModelStore } from '../src/services/model-store.js';
import { RunTracker, type RunComponents, type RunDeps } from '../src/services/run-tracker.js';
import type { Host } from '../src/host.js';
import { createEventLog } from '../src/log/event-log.js';
import {
  AddressBook,
  MAX_BOOK_PEERS,
  parseAddressBook,
  readAddressBook,
  type BookEntry,
} from '../src/services/address-book.js';
import { launch, loopback, stopAll, type TestPeer } from './helpers/peers.js';
import { until } from './helpers/wait.js';

const newId = async (): Promise<string> =>
  peerIdFromPrivateKey((await generateKeyPair('Ed25519')) as unknown as PrivateKey).toString();

/** A libp2p stand-in: connections, identify events and dials are under the test's control. */
class FakeHost extends EventTarget {
  connected = new Set<string>();
  dials: string[] = [];
  merged = new Map<string, string[]>();
  getConnections(peer?: { toString(): string }): unknown[] {
    return peer === undefined ? [...this.connected] : this.connected.has(peer.toString()) ? [peer] : [];
  }
  readonly peerStore = {
    all: async (): Promise<unknown[]> => [],
    merge: async (id: { toString(): string }, d: { multiaddrs: { toString(): string }[] }): Promise<void> =>
      void this.merged.set(
        id.toString(),
        d.multiaddrs.map((m) => m.toString()),
      ),
  };
  async dial(id: { toString(): string }): Promise<void> {
    this.dials.push(id.toString());
    throw new Error('unreachable');
  }
  connect(id: string): void {
    this.connected.add(id);
    this.dispatchEvent(new CustomEvent('peer:connect', { detail: peerIdFromString(id) }));
  }
  disconnect(id: string): void {
    this.connected.delete(id);
    this.dispatchEvent(new CustomEvent('peer:disconnect', { detail: peerIdFromString(id) }));
  }
  identify(id: string, addrs: string[], protocols = [PROTOCOL_MODEL_FETCH]): void {
    this.dispatchEvent(
      new CustomEvent('peer:identify', {
        detail: { peerId: peerIdFromString(id), listenAddrs: addrs.map((a) => multiaddr(a)), protocols },
      }),
    );
  }
}

/** Lets pending promise callbacks (dials, file writes) run. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

describe('operations: units', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ppfm-ops-units-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  describe('address book file', () => {
    it('keeps valid entries and names every bad one by index and field', async () => {
      const [a, b, self] = await Promise.all([newId(), newId(), newId()]);
      const text = JSON.stringify({
        version: 1,
        peers: [
          { id: a, addrs: ['/ip4/127.0.0.1/tcp/4001'], seen: 5 },
          { id: 'not-a-peer', addrs: ['/ip4/127.0.0.1/tcp/1'], seen: 1 },
          { id: b, addrs: ['/ip4/127.0.0.1/tcp/4002', 'localhost:80'], seen: 9 },
          { id: self, addrs: ['/ip4/127.0.0.1/tcp/4003'], seen: 1 },
          { id: a, addrs: ['/ip4/127.0.0.1/tcp/4009'], seen: 1 },
          { id: await newId(), addrs: ['/ip4/127.0.0.1/tcp/4004'], seen: -1 },
          7,
        ],
      });
      const r = parseAddressBook(text, 'peers.json', self);
      assert.deepEqual(
        r.entries.map((e) => [e.id, e.addrs]),
        [
          [b, ['/ip4/127.0.0.1/tcp/4002']],
          [a, ['/ip4/127.0.0.1/tcp/4001']],
        ],
        'valid entries, most recently seen first; self and a duplicate skipped',
      );
      assert.deepEqual(r.problems, [
        'peers.json: peers[1].id: not a peer id',
        'peers.json: peers[2].addrs: 1 invalid multiaddr(s) skipped',
        'peers.json: peers[5].seen: expected a time in ms',
        'peers.json: peers[6]: not an object',
      ]);
      assert.equal(r.corrupt, false);
    });

    it('refuses a file that is not a book, keeping it aside; bounds a long one', async () => {
      for (const [text, why] of [
        ['{"version": 1, "peers": [', /not valid JSON/],
        ['[]', /not a JSON object/],
        ['{"version": 2, "peers": []}', /field 'version': expected 1, got 2/],
      ] as const) {
        const r = parseAddressBook(text, 'p.json');
        assert.equal(r.corrupt, true);
        assert.match(r.problems[0] ?? '', why);
      }
      await writeFile(join(dir, 'peers.json'), '{oops');
      const r = await readAddressBook(dir, 'self', Date.UTC(2030, 0, 1));
      assert.match(
        r.problems[0] ?? '',
        /peers\.json: not valid JSON .*\(kept as .*peers\.json\.corrupt-2030-01-01T00-00-00-000Z\)/,
      );
      assert.deepEqual(await readdir(dir), ['peers.json.corrupt-2030-01-01T00-00-00-000Z']);

      const many: BookEntry[] = [];
      for (let i = 0; i < MAX_BOOK_PEERS + 5; i++)
        many.push({ id: await newId(), addrs: [`/ip4/127.0.0.1/tcp/${5000 + i}`], seen: i });
      const long = parseAddressBook(JSON.stringify({ version: 1, peers: many }), 'p.json');
      assert.equal(long.entries.length, MAX_BOOK_PEERS);
      assert.equal(Math.min(...long.entries.map((e) => e.seen)), 5, 'the least recently seen go');
    });
  });

  describe('address book service', () => {
    const make = async (
      entries: BookEntry[] = [],
      active = true,
    ): Promise<{ book: AddressBook; host: FakeHost; clock: ManualClock; bus: EventBus; notes: string[] }> => {
      const host = new FakeHost();
      const clock = new ManualClock(1_000_000);
      const bus = new EventBus();
      const notes: string[] = [];
      bus.on('log', (e) => {
        if (e.event === 'notice') notes.push(`${e.severity}:${e.code}:${e.message}`);
      });
      const self = await newId();
      const book = new AddressBook(
        { self, clock, bus, libp2p: host as unknown as Host },
        { dataDir: dir, entries, active: () => active },
      );
      return { book, host, clock, bus, notes };
    };

    it('records identified PPFM peers (not strangers) and writes peers.json', async () => {
      const { book, host, clock } = await make();
      book.start();
      const [ppfm, stranger] = await Promise.all([newId(), newId()]);
      host.identify(ppfm, [
        '/ip4/127.0.0.1/tcp/4001',
        `/ip4/127.0.0.1/tcp/4001/p2p/${ppfm}`,
        '/ip4/1.2.3.4/tcp/9/p2p-circuit',
      ]);
      host.identify(stranger, ['/ip4/127.0.0.1/tcp/4002'], ['/ipfs/id/1.0.0']);
      clock.advance(2000);
      await book.stop();
      const saved = JSON.parse(await readFile(join(dir, 'peers.json'), 'utf8')) as {
        version: number;
        peers: BookEntry[];
      };
      assert.deepEqual(saved, {
        version: 1,
        peers: [{ id: ppfm, addrs: ['/ip4/127.0.0.1/tcp/4001'], seen: 1_000_000 }],
      });
    });

    it('dials the saved peers at start, says so, and retries with a doubling delay until connected', async () => {
      const known = await newId();
      const { book, host, clock, notes } = await make([
        { id: known, addrs: ['/ip4/127.0.0.1/tcp/4001'], seen: 1 },
      ]);
      book.start();
      await settle();
      assert.deepEqual(notes, [`info:address_book:dialing 1 known peer from ${join(dir, 'peers.json')}`]);
      assert.deepEqual(host.dials, [known]);
      assert.deepEqual(host.merged.get(known), ['/ip4/127.0.0.1/tcp/4001']);
      for (const ms of [1000, 2000, 4000]) {
        clock.advance(ms - 1);
        await settle();
        const before = host.dials.length;
        clock.advance(1);
        await settle();
        assert.equal(host.dials.length, before + 1, `a dial round after ${ms} ms`);
      }
      host.connect(known);
      clock.advance(60_000);
      await settle();
      assert.equal(host.dials.length, 4, 'no more dials once connected');
      await book.stop();
    });

    it('after losing every connection: says so, re-dials the known peers, says when it is back', async () => {
      const [a, b] = await Promise.all([newId(), newId()]);
      const { book, host, clock, notes } = await make();
      book.start();
      host.identify(a, ['/ip4/127.0.0.1/tcp/4001']);
      host.identify(b, ['/ip4/127.0.0.1/tcp/4002']);
      host.connect(a);
      host.connect(b);
      host.disconnect(a);
      await settle();
      assert.deepEqual(notes, [], 'one connection left: nothing to say');
      host.disconnect(b);
      await settle();
      assert.equal(book.state.kind, 'isolated');
      assert.match(
        notes[0] ?? '',
        /^warn:isolated:lost every connection; re-dialing 2 known peers .*until one answers/,
      );
      assert.deepEqual(host.dials.sort(), [a, b].sort());
      clock.advance(3000);
      host.connect(b);
      await settle();
      assert.match(notes[1] ?? '', /^info:reconnected:reconnected after 3 s \(3 dial rounds\)/);
      await book.stop();
    });

    it('stays quiet once the run completed (peers leave at the end)', async () => {
      const a = await newId();
      const { book, host, notes } = await make([], false);
      book.start();
      host.connect(a);
      host.disconnect(a);
      await settle();
      assert.deepEqual(notes, []);
      assert.deepEqual(host.dials, []);
      await book.stop();
    });
  });

  it('gives each dataset path its own default data dir, the same one through a symlink', async () => {
    const home = join(dir, 'home');
    process.env.PPFM_HOME = home;
    try {
      await mkdir(join(dir, 'x', 'data'), { recursive: true });
      await mkdir(join(dir, 'y', 'data'), { recursive: true });
      symlinkSync(join(dir, 'x', 'data'), join(dir, 'link'));
      const [x, y, link] = [join(dir, 'x', 'data'), join(dir, 'y', 'data'), join(dir, 'link')].map(
        defaultDataDir,
      );
      assert.match(x ?? '', new RegExp(`^${home}/data-[0-9a-f]{8}$`));
      assert.notEqual(x, y);
      assert.equal(link, x);
    } finally {
      delete process.env.PPFM_HOME;
    }
  });

  it('turns libp2p listen failures into one line naming the address and the cause', () => {
    const message =
      'Some configured addresses failed to be listened on, you may need to remove one or more listen ' +
      'addresses from your configuration or set `transportManager.faultTolerance` to NO_FATAL:\n\n' +
      '  /ip4/127.0.0.1/tcp/4001: Error: listen EADDRINUSE: address already in use 127.0.0.1:4001\n' +
      '      at Server.setupListenHandle [as _listen2] (node:net:1817:16)\n\n' +
      '  /ip4/127.0.0.1/udp/1/quic-v1: UnsupportedListenAddressError: No transport was configured\n';
    assert.equal(
      listenProblem(message),
      '--listen /ip4/127.0.0.1/tcp/4001: address already in use (EADDRINUSE): another process listens ' +
        'there; pick another port or stop it; /ip4/127.0.0.1/udp/1/quic-v1: no transport for this address ' +
        '(ppfm listens on TCP: /ip4/<ip>/tcp/<port>)',
    );
  });

  it('event log: human lines in every mode, only warnings with --quiet; an unwritable file is named', () => {
    const lines: string[] = [];
    const quiet: string[] = [];
    const log = createEventLog({ peerId: 'P', stdout: false, pretty: true, humanSink: (l) => lines.push(l) });
    const q = createEventLog({
      peerId: 'P',
      stdout: false,
      pretty: true,
      quiet: true,
      humanSink: (l) => quiet.push(l),
    });
    for (const l of [log, q]) {
      l.emit({ event: 'notice', severity: 'info', code: 'waiting', message: 'waiting for 1/3 peers' });
      l.emit({ event: 'notice', severity: 'warn', code: 'isolated', message: 'lost every connection' });
      l.emit({ event: 'rounds_completed', cluster: 'c0', round: 1 });
    }
    assert.deepEqual(lines, ['waiting for 1/3 peers', 'warning: lost every connection', 'completed 1 round']);
    assert.deepEqual(quiet, ['warning: lost every connection']);
    assert.throws(
      () => createEventLog({ peerId: 'P', file: '/proc/version/x/p.log' }),
      (e: Error) =>
        e.name === 'LogFileError' &&
        /cannot write the event log \/proc\/version\/x\/p\.log: /.test(e.message),
    );
  });

  it('says a head that merely left the cluster left (info), not that its lease expired (warn)', () => {
    const e = new ClusterElection({
      selfId: 'B',
      cluster: 'c0',
      leaseIntervalMs: 250,
      leaseTtlMs: 1000,
      now: 0,
    });
    e.setMembers(
      [
        { id: 'A', capacity: 1 },
        { id: 'B', capacity: 1 },
      ],
      0,
    );
    e.onLease({ cluster: 'c0', head: 'A', term: 1, round: 0, expiry: 1000 }, 10);
    assert.equal(e.head, 'A');
    const out = e.setMembers([{ id: 'B', capacity: 1 }], 20);
    assert.deepEqual(out, [
      { kind: 'lease_expired', cluster: 'c0', head: 'A', term: 1, reason: 'left_cluster' },
    ]);
    const lines: string[] = [];
    const file = join(dir, 'l.log');
    const log = createEventLog({ peerId: 'B', file, pretty: true, humanSink: (l) => lines.push(l) });
    log.emit({ event: 'lease_expired', cluster: 'c0', head: 'A', term: 1, reason: 'left_cluster' });
    assert.deepEqual(lines, [
      'cluster c0: head A is no longer in this cluster (regrouped); electing a new head',
    ]);
  });

  it('ends at once, saying so, when the checkpoint is already at --rounds (no silent wait)', () => {
    const clock = new ManualClock(0);
    const bus = new EventBus();
    const store = new ModelStore([]);
    store.set({ cluster: 'c0', round: 45, term: 1, weights: [], source: 'A' });
    const notes: string[] = [];
    bus.on('notice', (n) => notes.push(n.message));
    const stopped: string[] = [];
    const c = { self: 'A', bus, clock, store, timing: { tickMs: 100 }, settings: { rounds: 3 } };
    const stop = (r: string): number => stopped.push(r);
    const run = new RunTracker(c as unknown as RunComponents, { stop } as unknown as RunDeps);
    run.start();
    assert.deepEqual(notes, [
      'the checkpoint is at round 45, --rounds is 3: nothing to do ' +
        '(give a higher --rounds to go on, or --fresh to start over)',
    ]);
    assert.equal(run.roundsDue, false);
    clock.advance(1);
    assert.deepEqual(stopped, ['rounds_completed']);
  });

  describe('the start-up gate', function () {
    this.timeout(60_000);
    let peers: TestPeer[] = [];
    afterEach(async () => {
      await stopAll(peers);
      peers = [];
    });

    it('is ready only once the bootstrap peer is in the view: "ready: 2 peers in view"', async () => {
      const a = await launch(0, 0, []);
      const b = await launch(0, 1, loopback(a));
      peers = [a, b];
      const ready = (): string[] =>
        b.log
          .of('notice')
          .filter((n) => n.code === 'ready')
          .map((n) => n.message);
      await until([b], () => ready().length > 0, 'b ready');
      assert.deepEqual(ready(), ['ready: 2 peers in view']);
      assert.ok(
        b.log
          .of('notice')
          .some(
            (n) =>
              n.code === 'waiting' &&
              /a bootstrap peer to answer \(proceeds without after 30 s\)/.test(n.message),
          ),
      );
    });
  });
});
