// The PPFM peer's composition root: builds the components once (clock, bus, host, gossip,
// learning engine, model store) and the services on them, and wires the services' events. No
// protocol or learning logic lives here; see services/ for each part.
import './polyfill.js';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import {
  clusterScaler,
  DEFAULT_PPFM_CONFIG,
  featureCount,
  identityScaler,
  withScaler,
  type Fingerprint,
  type WeightSet,
} from '@ppfm/meta/light';
import {
  decodeGossip,
  encodeError,
  encodeGossip,
  PROTOCOL_MODEL_FETCH,
  PROTOCOL_PEERS,
  PROTOCOL_SECAGG,
  PROTOCOL_UPDATE_PUSH,
  PROTOCOL_VIEW_SYNC,
  specHash,
  type FingerprintMsg,
} from '@ppfm/protocol';
import { systemClock } from './clock.js';
import { logEvent, notice, type PeerComponents, type PeerSettings } from './components.js';
import { lockDataDir, type DataDirLock } from './data-dir-lock.js';
import { EventBus } from './events.js';
import { handleFetch } from './handlers/fetch.js';
import { directCaps, maxEnvelopeBytes } from './handlers/model-limits.js';
import { admitPush, handlePush, isHostileRefusal, pushRefusalReply } from './handlers/push.js';
import { handleViewSync } from './handlers/view-sync.js';
import { signGossip } from './net/signed-gossip.js';
import { handleSecAgg } from './handlers/secagg.js';
import { encodeSecAggReply } from './net/secagg-wire.js';
import { createHost, type Host, type StartedHost } from './host.js';
import { loadOrCreatePrivateKey } from './identity.js';
import type { Learner } from './learner/learner.js';
import { startWorkerLearner } from './learner/worker-learner.js';
import type { LogEvent } from './log/events.js';
import { GossipRouter } from './net/gossip-router.js';
import { IgnoreLog } from './net/ignore-log.js';
import { ModelClient } from './net/model-client.js';
import { DEFAULT_PERSONALISE_EVERY, DEFAULT_TIMING, type PeerOptions } from './options.js';
import { servePeerExchange } from './handlers/peers.js';
import { ConnectionKeeper } from './services/connection-keeper.js';
import { AddressBook, readAddressBook } from './services/address-book.js';
import { Checkpointer } from './services/checkpointer.js';
import { ClusterPlanner } from './services/cluster-planner.js';
import { ClusterSession } from './services/cluster-session.js';
import { Evaluator } from './services/evaluator.js';
import { GlobalLevel } from './services/global-level.js';
import { HeadRounds } from './services/head-rounds.js';
import { MemberRounds } from './services/member-rounds.js';
import { Membership } from './services/membership.js';
import { ModelStore } from './services/model-store.js';
import { RefinementDriver } from './services/refinement-driver.js';
import { RunTracker } from './services/run-tracker.js';
import { serve } from './streams.js';
import { privacyLayer } from './privacy/layer.js';
import { resolvePrivacy } from './privacy/settings.js';
import { attachTraffic, TrafficCounter } from './traffic.js';
import { describeStatus, type PeerStatus } from './status.js';

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
  const cleanup: (() => Promise<void>)[] = [];
  const undo = async (): Promise<void> => {
    for (const f of cleanup.reverse()) await f().catch(() => undefined);
  };
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

    const learnerInit = {
      data: opts.data,
      backend: opts.backend ?? 'auto',
      cfg,
      seed,
      ...(opts.model ? { model: opts.model } : {}),
      ...(opts.augment ? { augment: opts.augment } : {}),
      ...(opts.zeroShot ? { zeroShot: opts.zeroShot } : {}),
    };
    const learner: Learner =
      opts.learner === 'inline'
        ? // Loaded on demand: the inline engine brings tfjs into this thread.
          await (await import('./learner/inline-learner.js')).startInlineLearner(learnerInit)
        : await startWorkerLearner(learnerInit);
    cleanup.push(() => learner.close());
    const info = learner.info;
    // Every model of this task: the input scaler's two tensors, then the network's.
    const template = withScaler(info.netInit, identityScaler(featureCount(info.task)));
    const store = new ModelStore(template);
    const spec = specHash(template);
    const bootstrapIds = (opts.bootstrap ?? [])
      .map((a) => /\/p2p\/([^/]+)/.exec(a)?.[1])
      .filter((id): id is string => id !== undefined && id !== self);

    // Checkpoint and address book before the network: a resumed peer rejoins, it does not start.
    const checkpointer = new Checkpointer({ self, bus, clock, spec, store }, opts.dataDir);
    const restored = await checkpointer.restore(opts.fresh === true);
    const cp = restored.kind === 'restored' ? restored.checkpoint : undefined;
    const resumed = cp !== undefined && cp.round > 0;
    const book = await readAddressBook(opts.dataDir, self, clock.now());
    for (const problem of book.problems)
      notice({ bus }, 'warn', `address book: ${problem}`, 'address_book_invalid');
    const knownIds = resumed ? book.entries.map((e) => e.id).filter((id) => !bootstrapIds.includes(id)) : [];
    const minPeers = opts.minPeers ?? 1;
    if (resumed && minPeers > 1)
      notice(
        { bus },
        'info',
        `resuming at round ${cp.round}: --min-peers ${minPeers} held the first start only`,
        'resumed',
      );
    const settings: PeerSettings = {
      rounds: opts.rounds,
      minPeers: resumed ? 1 : minPeers,
      ...(knownIds.length > 0 ? { knownIds } : {}),
      minClusterSize: opts.minClusterSize ?? 1,
      codec: opts.codec ?? 'float32',
      personaliseEvery: opts.personaliseEvery ?? DEFAULT_PERSONALISE_EVERY,
      seed,
      clustering: opts.zeroShot ? 'task' : (opts.clustering ?? 'auto'),
      capacity: opts.capacity ?? 1,
      cfg,
      ...(opts.augment ? { augment: opts.augment.mode } : {}),
      streamMaxBytes: opts.streamMaxBytes ?? maxEnvelopeBytes(template),
      bootstrapIds,
    };

    const host: StartedHost = await createHost({
      privateKey,
      listen: opts.listen,
      bootstrap: opts.bootstrap,
      mdns: opts.mdns,
      oneHost: opts.oneHost,
      gossipMaxBytes: opts.gossipMaxBytes,
      // Once joined (a few connections), the connection policy decides; bootstrap peers are
      // re-dialed only when this peer is (nearly) cut off.
      redialWhen: (connected) => connected < 2,
      freshnessMs: timing.freshnessMs,
      ...(opts.allowPeers !== undefined ? { allowPeers: new Set(opts.allowPeers) } : {}),
      ...(opts.swarmKey !== undefined ? { swarmKey: opts.swarmKey } : {}),
      ...(opts.transport ? { transport: opts.transport } : {}),
      ...(opts.metrics?.libp2p ? { metrics: opts.metrics.libp2p } : {}),
    });
    cleanup.push(() => host.stop());
    const traffic = new TrafficCounter();
    attachTraffic(host.libp2p, traffic);
    const gossip = new GossipRouter({
      pubsub: host.libp2p.services.pubsub,
      clock,
      traffic,
      onDiscard: (d) => (d.result === 'reject' ? rejected(d) : ignored.add(d)),
      rateLimits: { '*': { ratePerSec: 50, burst: 200 } },
    });
    const c: PeerComponents = {
      self,
      clock,
      bus,
      timing,
      settings,
      gossip,
      libp2p: host.libp2p,
      learner,
      store,
      traffic,
      spec,
    };
    const rejected = (d: { topic: string; from: string; code: string; detail: string }): void =>
      logEvent(c, {
        event: 'message_rejected',
        topic: d.topic,
        from: d.from,
        reason: d.code,
        detail: d.detail,
      });
    const ignored = new IgnoreLog(c);
    const layer = await privacyLayer(c, privacy, { dataDir: opts.dataDir, privateKey });

    if (cp?.clusterModel !== undefined) {
      store.set({
        cluster: cp.cluster ?? '',
        round: cp.round,
        term: cp.term,
        weights: cp.clusterModel,
        source: '',
      });
      store.global = cp.globalModel;
    }

    // Its feature moments are what the cluster's input scaler is pooled from (noised with
    // --fingerprint-noise, like every other statistic of it).
    const published = await layer.fingerprint(info.fingerprint);
    const fingerprint = roundTrip({
      kind: 'fingerprint',
      peerId: self,
      seq: 1,
      capacity: settings.capacity,
      sentAt: clock.now(),
      ...published,
    });
    const client = new ModelClient(c);
    const fingerprintsOf = (ids: readonly string[]): Fingerprint[] =>
      ids.flatMap((id) => {
        const e = membership.view.get(id);
        return e === undefined ? [] : [e.fingerprint];
      });
    // A cluster's first model: the shared network behind the scaler its members' moments give.
    const clusterInitOf = (ids: readonly string[]): WeightSet =>
      withScaler(info.netInit, clusterScaler(info.task, fingerprintsOf(ids), cfg));
    const refinement = new RefinementDriver(c, client, fingerprintsOf);
    let session: ClusterSession | undefined;
    let lastViewChange = clock.now();
    const author = peerIdFromPrivateKey(privateKey);
    const membership = new Membership(c, {
      fingerprint,
      sign: (topic, data) => signGossip(privateKey, author, topic, data),
      selfState: () => ({
        cluster: session?.cluster,
        role: session === undefined ? 'unassigned' : session.isHead ? 'head' : 'member',
        round: store.model?.round ?? 0,
      }),
      onLossReport: (r) => refinement.onReport(r),
      knownLossSeq: (p) => refinement.knownSeq(p),
    });
    const planner = new ClusterPlanner(c, membership, refinement);
    const members = (): string[] => {
      const id = session?.cluster;
      return id === undefined
        ? []
        : (planner.map?.clusters.find((x) => x.id === id)?.members ?? []).filter((m) =>
            membership.view.has(m),
          );
    };
    const global = new GlobalLevel(
      c,
      membership,
      client,
      () => planner.map,
      () => planner.sharedPart,
    );
    const head = new HeadRounds(c, {
      isReady: () => membership.isReady(),
      members,
      lastViewChange: () => lastViewChange,
      othersForGlobal: (signal, beforeRound) => global.othersForGlobal(signal, beforeRound),
      othersBehind: (round) => global.behind(round),
      sharedPart: () => planner.sharedPart,
      headRound: () => session?.headRound ?? 0,
      clusterInit: () => clusterInitOf(members()),
      ...layer.headDeps,
    });
    let stopPeer: (reason: string) => Promise<void> = async () => undefined;
    const run = new RunTracker(c, {
      isHead: () => session?.isHead === true,
      cluster: () => session?.cluster,
      members,
      headRound: () => session?.headRound ?? 0,
      head: () => session?.election.head,
      client,
      freeze: () => planner.freeze(),
      adoptFinal: (m) => {
        if (store.adopt(m)) bus.emit('model:adopted', { model: m });
      },
      stop: (reason) => void stopPeer(reason),
    });
    const member = new MemberRounds(c, {
      isReady: () => membership.isReady(),
      client,
      roundsDue: () => run.roundsDue,
      ...layer.memberDeps,
    });
    const addressBook = new AddressBook(c, {
      dataDir: opts.dataDir,
      entries: book.entries,
      // Quiet from the final round on: mates that have it leave while this peer still evaluates it.
      active: () => run.roundsDue && (opts.rounds === undefined || (store.model?.round ?? 0) < opts.rounds),
    });
    const evaluator = new Evaluator(
      c,
      checkpointer,
      () => session?.election.highestTerm ?? 0,
      () => client.lastModelBytes,
      cp?.round,
    );
    evaluator.onEvaluated = (m) => run.onEvaluated(m);
    evaluator.privacySpent = () => layer.epsilon();

    // ---- wiring: view -> clusters -> session -> role -> drivers; models -> evaluation
    // Bounded connections: the head, part of the cluster, a few others (handlers/peers.ts).
    const keeper = new ConnectionKeeper(
      c,
      () => ({
        self,
        view: membership.view.ids(),
        cluster: members(),
        ...(session?.election.head !== undefined ? { head: session.election.head } : {}),
        ...(session?.isHead === true
          ? {
              otherHeads: [...membership.roleClaims()]
                .filter(([, cl]) => cl.role === 'head' && cl.cluster !== session?.cluster)
                .map(([id]) => id),
            }
          : {}),
      }),
      (from, reason, detail) => pexInvalid(from, reason, detail),
    );
    bus.on('view:changed', () => keeper.soon());
    let myMembers = '';
    bus.on('clusters:changed', ({ mine }) => {
      const capacities = membership.view.capacities(mine.members);
      // Rounds wait for their own cluster to settle, not for changes elsewhere in a large view.
      const key = `${mine.id}\u0000${mine.members.join(',')}`;
      if (key !== myMembers) lastViewChange = clock.now();
      myMembers = key;
      keeper.soon();
      if (session !== undefined && session.cluster === mine.id) return session.setMembers(capacities);
      head.deactivate();
      member.deactivate();
      global.deactivate();
      session?.close();
      const term = cp?.cluster === mine.id ? cp.term : 0;
      session = new ClusterSession(c, {
        cluster: mine.id,
        // Candidates are the members whose heartbeats name this cluster (silent identities are not waited for).
        eligible: (id) => membership.roleClaims().get(id)?.cluster === mine.id,
        members: capacities,
        term,
        onRoundOpen: (m, s) => member.onRoundOpen(m, s),
        onNewModel: (h, round, s) => member.onNewModel(h, round, s),
      });
      session.start();
      if (cp === undefined) evaluator.baseline(mine.id, clusterInitOf(mine.members));
    });
    bus.on('role:changed', ({ role }) => {
      keeper.soon();
      const s = session;
      if (s === undefined) return;
      if (role === 'head') {
        member.deactivate();
        head.activate(s);
        global.activate(s.cluster);
      } else {
        head.deactivate();
        global.deactivate();
        member.activate(s);
      }
    });
    bus.on('model:adopted', ({ model }) => evaluator.offer(model));
    bus.on('listener_error', ({ event, error }) =>
      notice(
        c,
        'warn',
        `internal error in a ${event} listener: ${(error as Error)?.message ?? String(error)}`,
        'internal_error',
      ),
    );

    // ---- direct protocols
    const streamFailure =
      (protocol: string) => (from: string, f: { reason: string; code?: string; detail: string }) =>
        logEvent(c, {
          event: 'message_rejected',
          protocol,
          from,
          reason: f.code ?? f.reason,
          detail: f.detail,
        });
    const encodeErr = (code: string, message: string): Uint8Array =>
      encodeError({ code: 'rejected', message: `${code}: ${message}`.slice(0, 500) });
    // Direct streams are capped at what their protocol can carry for our model's spec; a push is
    // judged by its header before its weights are read (handlers/push.ts).
    const caps = directCaps(template);
    await serve(
      host.libp2p,
      PROTOCOL_MODEL_FETCH,
      async (b, from) => handleFetch(c, b, from, (f, r) => run.onServed(f, r)),
      {
        limits: { maxBytes: caps.fetch.request, timeoutMs: timing.fetchTimeoutMs },
        encodeError: encodeErr,
        onFailure: streamFailure(PROTOCOL_MODEL_FETCH),
        maxInboundStreams: 8,
        maxPerPeer: 4,
      },
    );
    await serve(host.libp2p, PROTOCOL_UPDATE_PUSH, async (b, from) => handlePush(c, head, b, from), {
      limits: {
        maxBytes: Math.min(caps.push.request, settings.streamMaxBytes),
        timeoutMs: timing.pushTimeoutMs,
      },
      encodeError: pushRefusalReply,
      onFailure: streamFailure(PROTOCOL_UPDATE_PUSH),
      maxInboundStreams: 2,
      maxPerPeer: 1,
      admit: (prefix, n, from) => admitPush(c, head, prefix, n, from),
      logRefusal: isHostileRefusal,
    });
    // Secure aggregation: a request is held until its stage closes, at most a round and its stages.
    await serve(host.libp2p, PROTOCOL_SECAGG, async (b, from) => handleSecAgg(c, layer.secureHead, b, from), {
      limits: { maxBytes: layer.secAggRequestBytes, timeoutMs: layer.secAggHoldMs },
      encodeError: (code, message) =>
        encodeSecAggReply({ kind: 'error', code: 'rejected', message: `${code}: ${message}` }),
      onFailure: streamFailure(PROTOCOL_SECAGG),
      maxInboundStreams: 4,
    });
    const pexInvalid = (from: string, reason: string, detail: string): void =>
      logEvent(c, { event: 'message_rejected', protocol: PROTOCOL_PEERS, from, reason, detail });
    await servePeerExchange(host.libp2p, pexInvalid);
    await serve(
      host.libp2p,
      PROTOCOL_VIEW_SYNC,
      async (b, from) => {
        const r = handleViewSync(membership.syncSource(), b);
        if (!r.ok) streamFailure(PROTOCOL_VIEW_SYNC)(from, { reason: r.code, detail: r.detail });
        else if (r.askerKnowsMore) membership.antiEntropy.onAskerKnowsMore(from);
        return r.reply;
      },
      {
        limits: { maxBytes: 128 * 1024, timeoutMs: timing.fetchTimeoutMs },
        encodeError: encodeErr,
        onFailure: streamFailure(PROTOCOL_VIEW_SYNC),
        maxInboundStreams: 4,
      },
    );

    host.libp2p.addEventListener('peer:connect', (e) => {
      logEvent(c, { event: 'peer_connected', remote: e.detail.toString() });
      membership.onConnect(e.detail.toString());
    });
    host.libp2p.addEventListener('peer:disconnect', (e) =>
      logEvent(c, { event: 'peer_disconnected', remote: e.detail.toString() }),
    );

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

    // ---- lifecycle
    let resolveDone: () => void = () => undefined;
    const done = new Promise<void>((r) => (resolveDone = r));
    let stopping: Promise<void> | undefined;
    stopPeer = (reason: string): Promise<void> => {
      stopping ??= (async () => {
        run.stop();
        keeper.stop();
        membership.stop();
        planner.stop();
        refinement.stop();
        head.deactivate();
        member.deactivate();
        await checkpointer
          .save(session?.election.highestTerm ?? 0)
          .catch((err: Error) =>
            notice(c, 'warn', `final checkpoint failed: ${err.message}`, 'checkpoint_failed'),
          );
        session?.close();
        global.deactivate();
        ignored.flush();
        gossip.close();
        await addressBook.stop();
        logEvent(c, {
          event: 'peer_stopped',
          reason,
          bytesSent: traffic.totals.sentBytes,
          bytesReceived: traffic.totals.receivedBytes,
          processCpuSeconds: processCpuSeconds(),
        });
        await undo();
        resolveDone();
      })();
      return stopping;
    };
    membership.start();
    membership.prepareOwnSigned();
    planner.start();
    keeper.start();
    run.start();
    addressBook.start();
    const crash = async (): Promise<void> => {
      stopping ??= (async () => {
        crashed = true;
        await addressBook.stop(false);
        run.stop();
        keeper.stop();
        membership.stop();
        planner.stop();
        refinement.stop();
        head.deactivate();
        member.deactivate();
        session?.close();
        await undo();
        resolveDone();
      })();
      return stopping;
    };
    const status = (): PeerStatus =>
      describeStatus({ self, membership, planner, session, store, evaluator, head, member, run });
    return {
      peerId: self,
      addrs: host.addrs(),
      bus,
      libp2p: host.libp2p,
      stop: (reason?: string) => stopPeer(reason ?? 'stopped'),
      crash,
      done,
      status,
    };
  } catch (err) {
    await undo();
    throw err;
  }
}

/** Encodes and decodes a fingerprint message (numbers as every receiver will see them). */
function roundTrip(m: FingerprintMsg): FingerprintMsg {
  const r = decodeGossip(encodeGossip(m));
  if (!r.ok || r.value.kind !== 'fingerprint')
    throw new Error(`own fingerprint does not survive the wire: ${JSON.stringify(r)}`);
  return r.value;
}

/** CPU time (user + system, every thread) this process has used: what a peer costs its machine. */
function processCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
