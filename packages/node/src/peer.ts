// The PPFM peer's composition root: builds the components once (clock, bus, host, gossip,
// learning engine, model store) and the services on them, and wires the services' events. No
// protocol or learning logic lives here; each part is built by a factory in wiring/, its services
// live in services/.
import './polyfill.js';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { DEFAULT_PPFM_CONFIG } from '@ppfm/meta/light';
import { systemClock } from './clock.js';
import { logEvent, notice } from './components.js';
import { lockDataDir, type DataDirLock } from './data-dir-lock.js';
import { EventBus } from './events.js';
import type { Host } from './host.js';
import { loadOrCreatePrivateKey } from './identity.js';
import { checkAugmentSettings } from './learner/learner.js';
import type { LogEvent } from './log/events.js';
import { DEFAULT_TIMING, type PeerOptions } from './options.js';
import { resolvePrivacy } from './privacy/settings.js';
import { describeStatus, type PeerStatus } from './status.js';
import { startLearning, type Cleanup, type Learning } from './wiring/learning.js';

export { DEFAULT_TIMING, type ClusteringMode, type PeerOptions, type PeerTiming } from './options.js';
export type { PeerStatus } from './status.js';

/** The subset of the event log the peer needs (node-cli's EventLog satisfies it). */
export interface PeerLog {
  emit(e: LogEvent): void;
  setPeerId?(id: string): void;
}

/** A running peer. */
export interface Peer {
  peerId: string;
  addrs: string[];
  /** The peer's event bus (tests wait on its events; tools subscribe). */
  bus: EventBus;
  /** Its libp2p host (tests read gossipsub scores and connections). */
  libp2p: Host;
  /** Saves a checkpoint, stops the host and resolves `done`. */
  stop(reason?: string): Promise<void>;
  /** Stops at once, saving nothing and logging nothing (an in-process SIGKILL, for tests). */
  crash(): Promise<void>;
  /** Resolves once the peer stopped (after `rounds` rounds + grace, or `stop`). */
  done: Promise<void>;
  status(): PeerStatus;
}

const VERSION = '0.2.0';

/** Starts a PPFM peer: loads data (in its learning engine), identity and checkpoint, joins the network. */
export async function startPeer(opts: PeerOptions, log: PeerLog): Promise<Peer> {
  const clock = opts.clock ?? systemClock;
  const bus = new EventBus();
  let crashed = false;
  // Metrics subscribe to the same events the log records.
  if (opts.metrics) {
    const m = opts.metrics;
    bus.on('log', (e) => m.observe(e));
  }
  if (opts.notice) {
    const say = opts.notice;
    bus.on('notice', (n) => say(n.level, n.message));
  }
  bus.on('log', (e) => {
    if (!crashed) log.emit(e);
  });
  const timing = { ...DEFAULT_TIMING, ...(opts.timing ?? {}) };
  // --aggregator is the rule's cfg.aggregator (an explicit config wins).
  const cfg = {
    ...DEFAULT_PPFM_CONFIG,
    ...(opts.aggregator ? { aggregator: opts.aggregator } : {}),
    ...(opts.config ?? {}),
  };
  const seed = opts.seed ?? 1;
  // Refuse impossible privacy settings before anything starts (one line naming the flag).
  const privacy = resolvePrivacy(opts.privacy, { rounds: opts.rounds, aggregator: cfg.aggregator });
  if (opts.augment !== undefined) checkAugmentSettings(opts.augment);
  const cleanup: Cleanup = [];
  const undo = async (): Promise<void> => {
    for (const f of cleanup.reverse()) await f().catch(() => undefined);
  };
  let starting: Promise<Learning> | undefined;
  try {
    let lock: DataDirLock | undefined;
    if (opts.lockDataDir !== false) {
      lock = await lockDataDir(opts.dataDir);
      cleanup.push(() => (lock as DataDirLock).release());
    }
    const privateKey = opts.privateKey ?? (await loadOrCreatePrivateKey(opts.dataDir));
    const self = peerIdFromPrivateKey(privateKey).toString();
    log.setPeerId?.(self);
    if (lock?.tookOverFrom !== undefined)
      notice(
        { bus },
        'warn',
        `took over a stale lock of ${opts.dataDir} (pid ${lock.tookOverFrom} is gone)`,
        'stale_lock',
      );

    // The engine starts loading in its worker while this thread loads the network stack.
    starting = startLearning(opts, cfg, seed, cleanup);
    starting.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
    const {
      privacyLayer,
      lifecycle,
      startNetwork,
      serveProtocols,
      restoreModels,
      resume,
      wireRoles,
      buildServices,
    } = await import('./wiring/network-side.js');
    const { learner, info, template, store, spec } = await starting;
    // Checkpoint and address book before the network: a resumed peer rejoins, it does not start.
    const { checkpointer, cp, book, settings } = await resume({ self, bus, clock, spec, store }, opts, {
      template,
      cfg,
      seed,
    });
    const base = { self, clock, bus, timing, settings, learner, store, spec };
    const { host, c, ignored } = await startNetwork(base, opts, privateKey, cleanup);
    const layer = await privacyLayer(c, privacy, { dataDir: opts.dataDir, privateKey });
    restoreModels(store, cp);

    let stopPeer: (reason: string) => Promise<void> = async () => undefined;
    const services = await buildServices(c, {
      opts,
      privateKey,
      info,
      cfg,
      layer,
      cp,
      checkpointer,
      book,
      stop: (reason) => void stopPeer(reason),
    });
    const keeper = wireRoles(c, services, cp);
    await serveProtocols(c, services, { template, layer });

    logEvent(c, {
      event: 'peer_started',
      addrs: host.addrs(),
      backend: info.backend,
      dataPath: typeof opts.data === 'string' ? opts.data : `<memory:${info.dataName}>`,
      samples: info.samples,
      version: VERSION,
      ...(opts.rounds !== undefined ? { rounds: opts.rounds } : {}),
      dataDir: opts.dataDir,
    });

    const ends = lifecycle(c, {
      services,
      keeper,
      checkpointer,
      ignored,
      undo,
      onCrash: () => {
        crashed = true;
      },
    });
    stopPeer = ends.stop;
    const { membership, planner, evaluator, head, member, run, addressBook, slot } = services;
    membership.start();
    membership.prepareOwnSigned();
    planner.start();
    keeper.start();
    run.start();
    addressBook.start();
    const status = (): PeerStatus =>
      describeStatus({
        self,
        membership,
        planner,
        session: slot.session,
        store,
        evaluator,
        head,
        member,
        run,
      });
    return {
      peerId: self,
      addrs: host.addrs(),
      bus,
      libp2p: host.libp2p,
      stop: (reason?: string) => stopPeer(reason ?? 'stopped'),
      crash: ends.crash,
      done: ends.done,
      status,
    };
  } catch (err) {
    // A failure while the engine still starts: let it finish, so that its closer is in `cleanup`.
    await starting?.catch(() => undefined);
    await undo();
    throw err;
  }
}
