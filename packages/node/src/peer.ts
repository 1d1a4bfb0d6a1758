// The networked PPFM peer: membership (fingerprints + heartbeats -> view -> clusters), head
// election per cluster, and the federated meta-learning rounds over gossip + direct streams.
import './polyfill.js';
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id';
import type { PeerId } from '@libp2p/interface';
import {
  allFinite,
  computeFingerprint,
  defaultModelSpec,
  DEFAULT_PPFM_CONFIG,
  deriveSeed,
  evaluate as evaluateModel,
  initGlobal,
  initWeights,
  loadDataset,
  chooseSharedPart,
  type SharedPart,
  selectBackend,
  splitDataset,
  subtract,
  weightSetsCompatible,
  type Dataset,
  type Fingerprint,
  type PpfmConfig,
  type WeightSet,
} from '@ppfm/meta';
import {
  clusterTopic,
  decodeDirect,
  decodeFetchRequest,
  decodeGossip,
  decodeUpdateEnvelope,
  encodeAck,
  encodeError,
  encodeFetchRequest,
  encodeGossip,
  encodeModelEnvelope,
  encodeUpdateEnvelope,
  PROTOCOL_MODEL_FETCH,
  PROTOCOL_UPDATE_PUSH,
  specHash,
  TOPIC_FINGERPRINTS,
  TOPIC_HEADS,
  type Codec,
  type FingerprintMsg,
  type GossipMessage,
  type HeadLeaseMsg,
  type ModelEnvelopeMsg,
  type RoundOpenMsg,
} from '@ppfm/protocol';
import { loadCheckpoint, saveCheckpoint, type Checkpoint } from './checkpoint.js';
import { clusterOf, computeClusters, sameClusterMap, type ClusterMap } from './clustering.js';
import { ClusterElection, electCandidate, type ElectionOutput } from './election.js';
import { headStep } from './global.js';
import { Gossip, type RejectInfo, type Verdict } from './gossip.js';
import { createHost, type StartedHost } from './host.js';
import { loadOrCreatePrivateKey } from './identity.js';
import { connectMissing, PROTOCOL_PEERS, servePeerExchange } from './pex.js';
import type { LogEvent } from './log/events.js';
import { DEFAULT_TIMING, type PeerOptions, type PeerTiming } from './options.js';
import { RoundCollector } from './rounds.js';
import { request, serve, StreamError, type StreamLimits } from './streams.js';
import { attachTraffic, TrafficCounter } from './traffic.js';
import { LossMatrix, makeLossReport, refineClusters, shouldRefine, type LossReport } from './refinement.js';
import { exclusive, personaliseOn, trainInner, type TaskModel } from './trainer.js';
import { MembershipView } from './view.js';

export { DEFAULT_TIMING, type ClusteringMode, type PeerOptions, type PeerTiming } from './options.js';

/** The subset of the event log the peer needs (node-cli's EventLog satisfies it). */
export interface PeerLog {
  emit(e: LogEvent): void;
  setPeerId?(id: string): void;
}

/** A snapshot of a peer's state, for tests and tools. */
export interface PeerStatus {
  peerId: string;
  view: string[];
  viewDigest: string;
  cluster?: string;
  members: string[];
  head?: string;
  role: 'unassigned' | 'member' | 'head';
  term: number;
  /** Round of the newest cluster model this peer holds (0 = initial). */
  round: number;
  /** Number of cluster maps computed, and the current one as `id: members` lines. */
  clusters: { id: string; members: string[] }[];
  lastEvaluation?: { round: number; accBefore: number; accAfter: number };
}

export interface Peer {
  peerId: string;
  addrs: string[];
  /** Saves a checkpoint, stops the host and resolves `done`. */
  stop(reason?: string): Promise<void>;
  /** Resolves once the peer stopped (after `rounds` rounds + grace, or `stop`). */
  done: Promise<void>;
  status(): PeerStatus;
}

interface HeldModel {
  cluster: string;
  round: number;
  term: number;
  weights: WeightSet;
  /** The head this model came from (its lineage); '' when restored from a checkpoint. */
  source: string;
}

const VERSION = '0.1.0';
/** Gossip carries control messages only (models go over streams): cap each frame. */
const CONTROL_MAX_BYTES = 64 * 1024;

/** Starts a PPFM peer: loads data, identity and checkpoint, joins the network and runs rounds. */
export async function startPeer(opts: PeerOptions, log: PeerLog): Promise<Peer> {
  const rt = new PeerRuntime(opts, log);
  await rt.start();
  return rt.api();
}

class PeerRuntime {
  private readonly timing: PeerTiming;
  private readonly cfg: PpfmConfig;
  private readonly seed: number;
  private readonly codec: Codec;
  private host!: StartedHost;
  private gossip!: Gossip;
  private selfId = '';
  private task!: TaskModel;
  private spec = '';
  private train!: Dataset;
  private val!: Dataset;
  private fpMsg!: FingerprintMsg;
  private view!: MembershipViewT;
  private clusterMap: ClusterMap | undefined;
  private sharedPart: SharedPart = 'body';
  private cluster: string | undefined;
  private members: string[] = [];
  private election: ClusterElection | undefined;
  private restored: Checkpoint | undefined;
  private model: HeldModel | undefined;
  private initModel!: WeightSet;
  private global: WeightSet | undefined;
  private readonly otherHeads = new Map<string, HeldModel & { head: string }>();
  private readonly remoteHeads = new Map<string, { head: string; round: number; at: number }>();
  private collector: RoundCollector<WeightSet> | undefined;
  private nextRoundAt = 0;
  private lastViewChange = 0;
  private reclusterAt: number | undefined;
  private hbSeq = 0;
  private nextHeartbeat = 0;
  private nextFingerprint = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private stopping: Promise<void> | undefined;
  private doneResolve!: () => void;
  private readonly done: Promise<void>;
  private memberBusy = false;
  private pendingRound: RoundOpenMsg | undefined;
  private fetching = false;
  private evaluatedRound = -1;
  private readonly traffic = new TrafficCounter();
  /** Encoded size of the last cluster model envelope fetched or published. */
  private modelBytes = 0;
  private lastEval: PeerStatus['lastEvaluation'];
  private completed = false;
  private readonly streamLimits: StreamLimits;
  /** When the start-up gate (--min-peers, bootstrap connection) first passed; it stays open. */
  private readyAt: number | undefined;
  private startedAt = 0;
  private waitingSaid = '';
  private bootstrapGaveUp = false;
  private bootstrapIds: string[] = [];
  /** Bumped whenever this peer stops acting as head: in-flight head work of an older generation is dropped. */
  private headGen = 0;
  /** Highest round our cluster's head announced in its leases (its newest published model). */
  private headRound = 0;
  /** Head that reached --rounds: when it completed, and which members fetched the final model since. */
  private finishingSince: number | undefined;
  private readonly finalFetched = new Set<string>();
  /** Loss-based refinement (only when triggered, see `refinement`): latest reports per peer. */
  private readonly lossMatrix = new LossMatrix();
  /** Our warm-up model (one local training from the shared init), served as `warmupScope(self)`. */
  private warmup: WeightSet | undefined;
  /** The view (sorted ids, joined) a refinement runs or ran for, and its result (undefined: running). */
  private refineKey: string | undefined;
  private refined: ClusterMap | null | undefined;
  private ownReport: LossReport | undefined;
  private lossSeq = 0;
  /** Our loss of each peer's warm-up model (on our train split), measured once per peer. */
  private readonly warmupLoss = new Map<string, number>();
  /** The peers a separating refinement covers (its map still applies while only they remain). */
  private refinedFor: Set<string> | undefined;
  /** Refinement is due but the start-up gate is closed: recluster once it opens. */
  private refineWaiting = false;

  constructor(
    private readonly opts: PeerOptions,
    private readonly log: PeerLog,
  ) {
    this.timing = { ...DEFAULT_TIMING, ...(opts.timing ?? {}) };
    this.cfg = { ...DEFAULT_PPFM_CONFIG, ...(opts.config ?? {}) };
    this.seed = opts.seed ?? 1;
    this.codec = opts.codec ?? 'float32';
    this.streamLimits = {
      maxBytes: opts.streamMaxBytes ?? 64 * 1024 * 1024,
      timeoutMs: this.timing.fetchTimeoutMs,
    };
    this.done = new Promise((r) => (this.doneResolve = r));
  }

  api(): Peer {
    return {
      peerId: this.selfId,
      addrs: this.host.addrs(),
      stop: (reason?: string) => this.stop(reason ?? 'stopped'),
      done: this.done,
      status: () => this.status(),
    };
  }

  // ------------------------------------------------------------------ start / stop

  async start(): Promise<void> {
    const backend = await selectBackend(this.opts.backend ?? 'auto');
    const ds = typeof this.opts.data === 'string' ? await loadDataset(this.opts.data) : this.opts.data;
    const split = splitDataset(ds, {
      valFraction: this.cfg.valFraction,
      seed: deriveSeed(this.seed, 'split'),
    });
    this.train = split.train;
    this.val = split.val;
    const modelSpec = this.opts.model ?? defaultModelSpec(ds.inputShape, ds.numClasses);
    this.task = { spec: modelSpec, inputShape: [...ds.inputShape], numClasses: ds.numClasses };
    // Every peer starts from the same initial weights (shared seed), so round 0 is comparable.
    this.initModel = initWeights(modelSpec, this.task.inputShape, ds.numClasses, this.cfg.initSeed);
    this.spec = specHash(this.initModel);

    const privateKey = this.opts.privateKey ?? (await loadOrCreatePrivateKey(this.opts.dataDir));
    this.selfId = peerIdFromPrivateKey(privateKey).toString();
    this.log.setPeerId?.(this.selfId);

    const cp = await loadCheckpoint(this.opts.dataDir);
    if (cp.ok && cp.checkpoint !== undefined) {
      const c = cp.checkpoint;
      if (c.peerId === this.selfId && c.specHash === this.spec && c.clusterModel !== undefined) {
        this.restored = c;
        this.model = {
          cluster: c.cluster ?? '',
          round: c.round,
          term: c.term,
          weights: c.clusterModel,
          source: '',
        };
        this.global = c.globalModel;
        this.evaluatedRound = c.round;
        this.emit({ event: 'checkpoint_restored', round: c.round });
      }
    }

    // Fingerprint as it reads after the wire round trip, so every peer holds identical numbers.
    const fp = computeFingerprint(ds, { dims: this.cfg.fingerprintDims });
    this.fpMsg = roundTrip({
      kind: 'fingerprint',
      peerId: this.selfId,
      seq: 1,
      capacity: this.opts.capacity ?? 1,
      ...fp,
    });
    const now = Date.now();
    this.startedAt = now;
    this.bootstrapIds = (this.opts.bootstrap ?? [])
      .map((a) => /\/p2p\/([^/]+)/.exec(a)?.[1])
      .filter((id): id is string => id !== undefined && id !== this.selfId);
    this.view = new MembershipView<Fingerprint>({
      selfId: this.selfId,
      ttlMs: this.timing.viewTtlMs,
      self: { fingerprint: fingerprintOf(this.fpMsg), seq: this.fpMsg.seq, capacity: this.fpMsg.capacity },
      now,
    });
    this.lastViewChange = now;

    this.host = await createHost({
      privateKey,
      listen: this.opts.listen,
      bootstrap: this.opts.bootstrap,
      mdns: this.opts.mdns,
      oneHost: this.opts.oneHost,
      gossipMaxBytes: this.opts.gossipMaxBytes,
    });
    const lp = this.host.libp2p;
    lp.addEventListener('peer:connect', (e) => {
      this.emit({ event: 'peer_connected', remote: e.detail.toString() });
      this.nextFingerprint = Math.min(this.nextFingerprint, Date.now() + 300);
    });
    lp.addEventListener('peer:disconnect', (e) =>
      this.emit({ event: 'peer_disconnected', remote: e.detail.toString() }),
    );

    attachTraffic(lp, this.traffic);
    this.gossip = new Gossip(
      lp.services.pubsub,
      (r) => this.rejected(r),
      (r) => {
        // Stale or from a deposed head: ignored (not penalised); only the head question is worth a line.
        if (r.reason === 'not_head')
          this.notice('info', `ignored ${r.reason} message on ${r.topic} from ${r.from}`);
      },
      this.traffic,
    );
    this.gossip.join(TOPIC_FINGERPRINTS, {
      maxBytes: CONTROL_MAX_BYTES,
      decode: (b) => decodeGossip(b, { maxControlBytes: CONTROL_MAX_BYTES }),
      check: (m, from) => this.checkMembership(m, from),
      onMessage: (m, from) => this.onMembership(m, from),
    });
    const encodeErr = (code: string, message: string): Uint8Array =>
      encodeError({
        code: 'rejected',
        message: `${code}: ${message}`.slice(0, 500),
      });
    const onFailure =
      (protocol: string) =>
      (from: string, f: { reason: string; detail: string }): void =>
        this.emit({ event: 'message_rejected', protocol, from, reason: f.reason, detail: f.detail });
    await serve(lp, PROTOCOL_MODEL_FETCH, (b, from) => this.serveFetch(b, from), {
      limits: { maxBytes: 64 * 1024, timeoutMs: this.timing.fetchTimeoutMs },
      encodeError: encodeErr,
      onFailure: onFailure(PROTOCOL_MODEL_FETCH),
    });
    await serve(lp, PROTOCOL_UPDATE_PUSH, (b, from) => this.servePush(b, from), {
      limits: { maxBytes: this.streamLimits.maxBytes, timeoutMs: this.timing.pushTimeoutMs },
      encodeError: encodeErr,
      onFailure: onFailure(PROTOCOL_UPDATE_PUSH),
    });

    const pexInvalid = (from: string, reason: string, detail: string): void =>
      this.emit({ event: 'message_rejected', protocol: PROTOCOL_PEERS, from, reason, detail });
    this.pexInvalid = pexInvalid;
    await servePeerExchange(lp, pexInvalid);

    this.emit({
      event: 'peer_started',
      addrs: this.host.addrs(),
      backend,
      dataPath: typeof this.opts.data === 'string' ? this.opts.data : `<memory:${ds.name}>`,
      samples: ds.y.length,
      version: VERSION,
    });
    this.emit({ event: 'view_changed', peers: this.view.ids() });
    this.reclusterAt = now;
    this.timer = setInterval(() => this.tick(), this.timing.tickMs);
  }

  private async stop(reason: string): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopping = (async () => {
      if (this.timer) clearInterval(this.timer);
      await this.checkpoint().catch(() => undefined);
      this.stopped = true;
      this.gossip.close();
      await this.host.stop().catch(() => undefined);
      this.emit({
        event: 'peer_stopped',
        reason,
        bytesSent: this.traffic.totals.sentBytes,
        bytesReceived: this.traffic.totals.receivedBytes,
      });
      this.doneResolve();
    })();
    return this.stopping;
  }

  /** Runs a background task; a failure is reported, never an unhandled rejection. */
  private background(p: Promise<unknown>, what: string): void {
    p.catch((err: unknown) => {
      if (!this.stopped)
        process.emitWarning(`ppfm peer: ${what} failed: ${(err as Error)?.stack ?? String(err)}`);
    });
  }

  private emit(e: LogEvent): void {
    if (this.stopped && e.event !== 'peer_stopped') return;
    this.log.emit(e);
  }

  private rejected(r: RejectInfo): void {
    this.emit({
      event: 'message_rejected',
      topic: r.topic,
      from: r.from,
      reason: r.reason,
      detail: r.detail,
    });
  }

  // ------------------------------------------------------------------ timer

  private tick(): void {
    if (this.stopped) return;
    const now = Date.now();
    try {
      const removed = this.view.expire(now);
      if (removed.length > 0) this.viewChanged(now);
      if (this.reclusterAt !== undefined && now >= this.reclusterAt) {
        this.reclusterAt = undefined;
        this.recluster(now);
      }
      if (now >= this.nextHeartbeat) {
        this.nextHeartbeat = now + this.timing.heartbeatMs;
        this.publishHeartbeat();
        if (this.ownReport !== undefined)
          void this.gossip.publish(
            TOPIC_FINGERPRINTS,
            encodeGossip({ kind: 'loss_report', ...this.ownReport }),
          );
      }
      if (now >= this.nextFingerprint) {
        this.nextFingerprint = now + this.timing.fingerprintEveryMs;
        void this.gossip.publish(TOPIC_FINGERPRINTS, encodeGossip(this.fpMsg));
        this.discover();
      }
      if (this.refineWaiting && this.isReady(now)) {
        this.refineWaiting = false;
        this.reclusterAt = now;
      }
      if (this.election) this.act(this.election.tick(now), now);
      if (this.isReady(now) && this.pendingRound !== undefined && !this.memberBusy)
        this.background(this.memberLoop(), 'member round');
      this.headTick(now);
      this.endTick(now);
    } catch (err) {
      // keep the peer alive: a bug in one step must not stop heartbeats
      process.emitWarning(`ppfm peer tick failed: ${(err as Error).stack ?? String(err)}`);
    }
  }

  private notice(level: 'info' | 'warn', message: string): void {
    if (this.stopped) return;
    if (this.opts.notice) this.opts.notice(level, message);
    else if (level === 'warn') process.emitWarning(`ppfm peer: ${message}`);
  }

  /**
   * The start-up gate before a first round: at least --min-peers live peers in the view (self
   * included) and, with bootstrap addresses, a connection to one of them (or bootstrapWaitMs
   * passed). Latched: peers leaving later (a killed head) must not stop a running federation.
   */
  private isReady(now: number): boolean {
    if (this.readyAt !== undefined) return true;
    const need = this.opts.minPeers ?? 1;
    const have = this.view.ids().length;
    const waits: string[] = [];
    if (have < need) waits.push(`${have}/${need} peers in view (--min-peers ${need})`);
    const wait = this.timing.bootstrapWaitMs;
    if (this.bootstrapIds.length > 0 && wait > 0 && !this.bootstrapConnected()) {
      if (now - this.startedAt < wait) waits.push('no connection to a bootstrap peer yet');
      else if (!this.bootstrapGaveUp) {
        this.bootstrapGaveUp = true;
        this.notice(
          'warn',
          `no bootstrap peer reachable after ${Math.round(wait / 1000)} s; proceeding with the peers found so far`,
        );
      }
    }
    if (waits.length > 0) {
      const said = `waiting: ${waits.join(', ')}`;
      if (said !== this.waitingSaid) {
        this.waitingSaid = said;
        this.notice('info', said);
      }
      return false;
    }
    this.readyAt = now;
    if (this.waitingSaid.startsWith('waiting')) this.notice('info', `ready: ${have} peers in view`);
    return true;
  }

  private bootstrapConnected(): boolean {
    const connected = new Set(this.host.libp2p.getPeers().map((p) => p.toString()));
    return this.bootstrapIds.some((id) => connected.has(id) || this.view.has(id));
  }

  private pexInvalid: (from: string, reason: string, detail: string) => void = () => undefined;
  private discovering = false;

  /** Connects to view members we have no connection to (direct streams need one). */
  private discover(): void {
    if (this.discovering) return;
    this.discovering = true;
    connectMissing(this.host.libp2p, this.view.ids(), this.pexInvalid).finally(
      () => (this.discovering = false),
    );
  }

  private publishHeartbeat(): void {
    const role = this.isHead() ? 'head' : this.cluster ? 'member' : 'unassigned';
    const hb: GossipMessage = {
      kind: 'heartbeat',
      peerId: this.selfId,
      seq: ++this.hbSeq,
      ...(this.cluster ? { cluster: this.cluster } : {}),
      role,
      round: this.model?.round ?? 0,
      fingerprintSeq: this.fpMsg.seq,
    };
    void this.gossip.publish(TOPIC_FINGERPRINTS, encodeGossip(hb));
  }

  // ------------------------------------------------------------------ membership

  private checkMembership(m: GossipMessage, from: string): Verdict {
    if (m.kind !== 'fingerprint' && m.kind !== 'heartbeat' && m.kind !== 'loss_report')
      return { result: 'reject', reason: 'wrong_topic', detail: `${m.kind} on fingerprint topic` };
    if (m.peerId !== from)
      return { result: 'reject', reason: 'sender_mismatch', detail: `${m.peerId} sent by ${from}` };
    if (m.kind === 'loss_report') {
      const r = this.lossMatrix.add({
        peerId: m.peerId,
        seq: m.seq,
        round: m.round,
        candidates: m.candidates,
        losses: m.losses,
      });
      if (r === 'stale') return { result: 'ignore', reason: 'stale' };
      if (r === 'invalid') return { result: 'reject', reason: 'bad_value', detail: 'loss report' };
      return { result: 'accept' };
    }
    if (m.kind === 'fingerprint') {
      const known = this.view.get(from);
      if (known !== undefined && m.seq < known.seq) return { result: 'ignore', reason: 'stale' };
    }
    return { result: 'accept' };
  }

  private onMembership(m: GossipMessage, from: string): void {
    const now = Date.now();
    if (m.kind === 'fingerprint') {
      const r = this.view.upsert(
        from,
        { fingerprint: fingerprintOf(m), seq: m.seq, capacity: m.capacity },
        now,
      );
      if (r.kind === 'added' || (r.kind === 'updated' && r.fingerprintChanged)) {
        this.emit({ event: 'fingerprint_received', from, seq: m.seq });
        this.viewChanged(now);
        // A newcomer needs our fingerprint too; do not wait for the periodic re-publication.
        if (r.kind === 'added') this.nextFingerprint = Math.min(this.nextFingerprint, now + 100);
      }
    } else if (m.kind === 'heartbeat') {
      this.view.heartbeat(from, now, m.fingerprintSeq);
      // Heads of other clusters, for the global step (pulled when announcements were missed).
      if (m.role === 'head' && m.cluster !== undefined)
        this.remoteHeads.set(m.cluster, { head: from, round: m.round, at: now });
    }
  }

  private viewChanged(now: number): void {
    this.lastViewChange = now;
    this.reclusterAt = now + this.timing.reclusterDelayMs;
  }

  private recluster(now: number): void {
    // Done and only serving fetches for the grace period: peers leaving at the end of a run
    // must not reshuffle (and re-log) clusters.
    if (this.completed) return;
    this.emit({ event: 'view_changed', peers: this.view.ids() });
    // No `previous`: hysteresis makes the partition depend on each peer's history, and equal
    // views must give equal clusters on every peer (late joiners included).
    const fpMap = computeClusters(this.view.items());
    const map = this.refinement(fpMap, now);
    if (map === undefined) return; // --clustering loss: no cluster before the refinement is done
    const changed = this.clusterMap === undefined || !sameClusterMap(this.clusterMap, map);
    this.clusterMap = map;
    const items = this.view.items();
    const index = new Map(map.clusters.map((c, i) => [c.id, i]));
    this.sharedPart = chooseSharedPart(
      items.map((i) => i.fp),
      items.map((i) => index.get(map.byPeer.get(i.id) ?? '') ?? 0),
    );
    const mine = clusterOf(map, this.selfId);
    if (mine === undefined) return;
    if (mine.id !== this.cluster) {
      const first = this.cluster === undefined;
      this.switchCluster(mine.id, now);
      // Round-0 baseline: the shared initial model, personalised (not after a restore).
      if (first && this.restored === undefined && this.evaluatedRound < 0) {
        this.evaluatedRound = 0;
        this.evaluate(mine.id, 0, this.initModel).catch((e: Error) => process.emitWarning(e.message));
      }
    }
    this.members = mine.members;
    const outs = this.election?.setMembers(this.view.capacities(mine.members), now) ?? [];
    if (changed) {
      const head = this.election?.head ?? electCandidate(this.view.capacities(mine.members)) ?? this.selfId;
      this.emit({
        event: 'cluster_assigned',
        cluster: mine.id,
        members: mine.members,
        head,
        k: map.clusters.length,
      });
    }
    this.act(outs, now);
  }

  // ------------------------------------------------------------------ loss-based refinement

  /**
   * The cluster map for the current view: the fingerprint map, unless loss-based refinement is
   * triggered (fingerprints not separated, or --clustering loss) and split the view. Undefined:
   * keep the current assignment (a refinement is running and we must not churn meanwhile).
   */
  private refinement(fpMap: ClusterMap, now: number): ClusterMap | undefined {
    const force = this.opts.clustering === 'loss';
    if (!force && fpMap.separated) return fpMap;
    const ids = [...this.view.ids()].sort();
    const covered = this.refinedFor;
    // Peers only left since the split: keep it (no new warm-up round, no cluster churn).
    if (this.refined && covered !== undefined && ids.every((id) => covered.has(id)))
      return restrictMap(this.refined, ids);
    const ready = this.isReady(now);
    if (!ready || !shouldRefine(ids.length, false)) {
      this.refineWaiting = !ready;
      return force && !ready ? undefined : fpMap;
    }
    const key = ids.join(',');
    if (this.refineKey !== key) {
      this.refineKey = key;
      this.refined = undefined;
      this.lossMatrix.retain(ids);
      this.background(this.runRefinement(key, ids), 'loss refinement');
    }
    if (this.refined === undefined) return force || covered !== undefined ? undefined : fpMap;
    return this.refined === null ? fpMap : this.refined;
  }

  /**
   * One refinement of the view `members`: warm-up (train once alone from the shared init, as the
   * simulator does), score every member's warm-up model on our train split, gossip the report,
   * wait for every member's report (or a deadline), then cluster the loss matrix.
   */
  private async runRefinement(key: string, members: string[]): Promise<void> {
    const live = (): boolean => !this.stopped && this.refineKey === key;
    this.warmup ??= await trainInner(
      this.task,
      this.initModel,
      this.train,
      this.cfg,
      deriveSeed(this.seed, 'warmup'),
    );
    let deadline = Date.now() + this.timing.roundDeadlineMs;
    while (live()) {
      for (const id of members) {
        if (this.warmupLoss.has(id) || !live()) continue;
        const w = id === this.selfId ? this.warmup : (await this.fetchModel(id, warmupScope(id), 0))?.weights;
        if (w === undefined || !live()) continue;
        const { spec, inputShape, numClasses } = this.task;
        const r = await exclusive(() => evaluateModel(spec, inputShape, numClasses, w, this.train));
        this.warmupLoss.set(id, r.loss);
      }
      if (members.every((id) => this.warmupLoss.has(id)) || Date.now() >= deadline) break;
      await sleep(200);
    }
    if (!live()) return;
    const losses = new Map<string, number>();
    for (const id of members) {
      const l = this.warmupLoss.get(id);
      if (l !== undefined) losses.set(id, l);
    }
    const report = makeLossReport(this.selfId, ++this.lossSeq, 0, losses);
    this.lossMatrix.add(report);
    this.ownReport = report;
    await this.gossip.publish(TOPIC_FINGERPRINTS, encodeGossip({ kind: 'loss_report', ...report }));
    deadline = Date.now() + this.timing.roundDeadlineMs;
    const complete = (): boolean =>
      members.every((id) => {
        const r = this.lossMatrix.get(id);
        return r !== undefined && members.every((c) => r.candidates.includes(c));
      });
    while (live() && !complete() && Date.now() < deadline) await sleep(100);
    if (!live()) return;
    const r = refineClusters(this.lossMatrix.reports(0), { members, round: 0 });
    const split = r.separated && r.unplaced.length === 0;
    this.refined = split ? { clusters: r.clusters, byPeer: r.byPeer, separated: true } : null;
    this.refinedFor = split ? new Set(members) : undefined;
    this.notice(
      'info',
      split
        ? `loss refinement: ${r.clusters.length} clusters (${r.clusters.map((c) => c.members.length).join('+')})`
        : 'loss refinement: no split, keeping the fingerprint clusters',
    );
    this.reclusterAt = Date.now();
  }

  private switchCluster(id: string, now: number): void {
    if (this.cluster !== undefined) this.gossip.leave(clusterTopic(this.cluster));
    this.stopHeadWork();
    this.otherHeads.clear();
    this.headRound = 0;
    this.pendingRound = undefined;
    this.cluster = id;
    const term = this.restored?.cluster === id ? this.restored.term : 0;
    this.election = new ClusterElection({
      selfId: this.selfId,
      cluster: id,
      leaseIntervalMs: this.timing.leaseIntervalMs,
      leaseTtlMs: this.timing.leaseTtlMs,
      now,
      term,
    });
    this.gossip.join(clusterTopic(id), {
      maxBytes: CONTROL_MAX_BYTES,
      decode: (b) => decodeGossip(b, { maxControlBytes: CONTROL_MAX_BYTES }),
      check: (m, from) => this.checkCluster(id, m, from),
      onMessage: (m, from) => this.onCluster(id, m, from),
    });
  }

  // ------------------------------------------------------------------ election

  private isHead(): boolean {
    return this.election?.state.role === 'head';
  }

  private act(outs: ElectionOutput[], now: number): void {
    for (const o of outs) {
      switch (o.kind) {
        case 'publish_lease': {
          const m: HeadLeaseMsg = {
            kind: 'head_lease',
            cluster: o.lease.cluster,
            head: o.lease.head,
            term: o.lease.term,
            round: o.lease.round,
            leaseMs: this.timing.leaseTtlMs,
          };
          void this.gossip.publish(clusterTopic(o.lease.cluster), encodeGossip(m));
          break;
        }
        case 'became_head':
          this.emit({
            event: 'head_elected',
            cluster: o.cluster,
            head: this.selfId,
            term: o.term,
            ...(o.electionMs !== undefined ? { electionMs: o.electionMs } : {}),
            ...(o.failoverMs !== undefined ? { failoverMs: o.failoverMs } : {}),
          });
          this.becomeHead(now);
          break;
        case 'head_changed':
          this.emit({
            event: 'head_elected',
            cluster: o.cluster,
            head: o.head,
            term: o.term,
            ...(o.electionMs !== undefined ? { electionMs: o.electionMs } : {}),
            ...(o.failoverMs !== undefined ? { failoverMs: o.failoverMs } : {}),
          });
          break;
        case 'stepped_down':
          this.emit({ event: 'head_elected', cluster: o.cluster, head: o.newHead, term: o.term });
          this.stopHeadWork();
          break;
        case 'lease_expired':
          this.emit({ event: 'lease_expired', cluster: o.cluster, head: o.head, term: o.term });
          break;
      }
    }
  }

  /** No longer head (deposed, or cluster changed): cancel the open round and all in-flight head work at once. */
  private stopHeadWork(): void {
    this.headGen++;
    this.collector = undefined;
    this.gossip.leave(TOPIC_HEADS);
  }

  private becomeHead(now: number): void {
    const cluster = this.cluster as string;
    // Continue from the newest model we hold (as a member, or restored), else the shared init.
    const base = this.model ?? { cluster, round: 0, term: 0, weights: this.initModel, source: this.selfId };
    this.model = { ...base, cluster, term: this.election?.term ?? base.term };
    this.global ??= initGlobal([this.model.weights]);
    this.election?.setRound(this.model.round);
    this.nextRoundAt = Math.max(now, this.lastViewChange + this.timing.settleMs);
    this.gossip.join(TOPIC_HEADS, {
      maxBytes: CONTROL_MAX_BYTES,
      decode: (b) => decodeGossip(b, { maxControlBytes: CONTROL_MAX_BYTES }),
      check: (m, from) => this.checkHeads(m, from),
      onMessage: (m, from) => this.onHeads(m, from),
    });
  }

  // ------------------------------------------------------------------ cluster topic

  private checkCluster(cluster: string, m: GossipMessage, from: string): Verdict {
    switch (m.kind) {
      case 'head_lease':
        if (m.head !== from)
          return { result: 'reject', reason: 'sender_mismatch', detail: `lease for ${m.head}` };
        if (m.cluster !== cluster) return { result: 'reject', reason: 'wrong_cluster', detail: m.cluster };
        return { result: 'accept' };
      case 'round_open':
        if (m.head !== from)
          return { result: 'reject', reason: 'sender_mismatch', detail: `round of ${m.head}` };
        if (m.cluster !== cluster) return { result: 'reject', reason: 'wrong_cluster', detail: m.cluster };
        if (m.specHash !== this.spec)
          return { result: 'reject', reason: 'shape_mismatch', detail: 'spec hash' };
        if (this.election && m.term < this.election.term) return { result: 'ignore', reason: 'stale_term' };
        // Valid but from a deposed / losing head: not ours to follow (ignored, not rejected).
        if (this.election && !this.election.accepts(from, m.term, Date.now()))
          return { result: 'ignore', reason: 'not_head' };
        return { result: 'accept' };
      case 'model':
        if (m.scope.kind !== 'cluster' || m.scope.cluster !== cluster)
          return { result: 'reject', reason: 'wrong_cluster', detail: 'model scope' };
        if (this.election && !this.election.accepts(from, m.term, Date.now()))
          return { result: 'ignore', reason: 'not_head' };
        if (
          this.model &&
          this.model.source === from &&
          m.round <= this.model.round &&
          this.model.cluster === cluster
        )
          return { result: 'ignore', reason: 'stale_round' };
        return { result: 'accept' };
      default:
        return { result: 'reject', reason: 'wrong_topic', detail: `${m.kind} on cluster topic` };
    }
  }

  private onCluster(cluster: string, m: GossipMessage, from: string): void {
    if (this.cluster !== cluster || !this.election) return;
    const now = Date.now();
    if (m.kind === 'head_lease') {
      this.act(
        this.election.onLease(
          { cluster, head: m.head, term: m.term, round: m.round, expiry: now + m.leaseMs },
          now,
        ),
        now,
      );
      if (this.election.head === from) this.headRound = Math.max(this.headRound, m.round);
      // Late joiner / missed announcement: catch up with the head's newest model.
      const behind = m.round > (this.model?.round ?? 0) || this.model?.source !== from;
      if (this.election.head === from && behind && !this.isHead())
        this.background(this.catchUp(from, cluster), 'catch-up');
    } else if (m.kind === 'round_open') {
      // A RoundOpen vouches for its head like a lease does (a new head's first round may
      // overtake its first lease); a losing same-term head steps down on it at once.
      if (this.election.head !== from && this.election.accepts(from, m.term, now))
        this.act(
          this.election.onLease(
            { cluster, head: from, term: m.term, round: m.round - 1, expiry: now + this.timing.leaseTtlMs },
            now,
          ),
          now,
        );
      if (this.election.head !== from || this.isHead()) return this.ignored(cluster, from, 'not_head');
      this.pendingRound = m;
      // Before the start-up gate opens the round waits in pendingRound (the tick picks it up).
      if (this.isReady(now)) this.background(this.memberLoop(), 'member round');
    } else if (m.kind === 'model') {
      if (this.isHead() || this.election.head !== from) return this.ignored(cluster, from, 'not_head');
      this.background(this.catchUp(from, cluster), 'catch-up');
    }
  }

  /** A valid message from a peer that is not (or no longer) our head: dropped, not penalised. */
  private ignored(cluster: string, from: string, reason: string): void {
    this.notice('info', `ignored ${reason} message on ${clusterTopic(cluster)} from ${from}`);
  }

  private checkHeads(m: GossipMessage, _from: string): Verdict {
    if (m.kind !== 'model')
      return { result: 'reject', reason: 'wrong_topic', detail: `${m.kind} on heads topic` };
    if (m.scope.kind !== 'cluster') return { result: 'reject', reason: 'bad_value', detail: 'global scope' };
    const known = this.otherHeads.get(m.scope.cluster);
    if (known && known.round >= m.round && known.term >= m.term)
      return { result: 'ignore', reason: 'stale_round' };
    return { result: 'accept' };
  }

  private onHeads(m: GossipMessage, from: string): void {
    if (m.kind !== 'model' || m.scope.kind !== 'cluster' || m.scope.cluster === this.cluster) return;
    const cluster = m.scope.cluster;
    void (async () => {
      const got = await this.fetchModel(from, cluster, m.round);
      if (got === undefined) return;
      const known = this.otherHeads.get(cluster);
      if (known && known.round > got.round) return;
      this.otherHeads.set(cluster, { ...got, head: from });
    })();
  }

  // ------------------------------------------------------------------ models over streams

  /** Fetches `cluster`'s model (round >= minRound) from `peer`; undefined (logged) on failure. */
  private async fetchModel(peer: string, cluster: string, minRound: number): Promise<HeldModel | undefined> {
    let pid: PeerId;
    try {
      pid = peerIdFromString(peer);
    } catch {
      return undefined;
    }
    let bytes: Uint8Array;
    try {
      bytes = await request(
        this.host.libp2p,
        pid,
        PROTOCOL_MODEL_FETCH,
        encodeFetchRequest({ scope: { kind: 'cluster', cluster }, minRound, codec: this.codec }),
        { maxBytes: this.streamLimits.maxBytes, timeoutMs: this.timing.fetchTimeoutMs },
      );
    } catch (err) {
      if (err instanceof StreamError && err.code === 'too_large')
        this.emit({
          event: 'message_rejected',
          protocol: PROTOCOL_MODEL_FETCH,
          from: peer,
          reason: 'too_large',
          detail: err.message,
        });
      return undefined;
    }
    const r = decodeDirect(bytes, { maxBytes: this.streamLimits.maxBytes }, { specHash: this.spec });
    if (r.ok && cluster === this.cluster) this.modelBytes = bytes.byteLength;
    if (!r.ok) {
      this.emit({
        event: 'message_rejected',
        protocol: PROTOCOL_MODEL_FETCH,
        from: peer,
        reason: r.error.code,
        detail: r.error.message,
      });
      return undefined;
    }
    if (r.value.kind === 'error') return undefined;
    if (r.value.kind !== 'model') {
      this.emit({
        event: 'message_rejected',
        protocol: PROTOCOL_MODEL_FETCH,
        from: peer,
        reason: 'unknown_kind',
        detail: r.value.kind,
      });
      return undefined;
    }
    const m = r.value;
    if (
      !weightSetsCompatible(m.weights, this.initModel) ||
      m.scope.kind !== 'cluster' ||
      m.scope.cluster !== cluster
    ) {
      this.emit({
        event: 'message_rejected',
        protocol: PROTOCOL_MODEL_FETCH,
        from: peer,
        reason: 'shape_mismatch',
        detail: m.modelId,
      });
      return undefined;
    }
    return { cluster, round: m.round, term: m.term, weights: m.weights, source: peer };
  }

  /** Fetches the head's newest model when it is newer than ours, then evaluates and checkpoints. */
  private async catchUp(head: string, cluster: string): Promise<void> {
    if (this.fetching) return;
    this.fetching = true;
    try {
      const sameLine = this.model?.source === head && this.model.cluster === cluster;
      const got = await this.fetchModel(head, cluster, sameLine ? (this.model?.round ?? 0) + 1 : 0);
      if (got === undefined || this.cluster !== cluster || this.isHead() || !this.adopt(got)) return;
      await this.afterModel(got);
    } finally {
      this.fetching = false;
    }
  }

  /**
   * Takes `got` as our cluster model when it is newer in our lineage, or comes from another
   * head (a new head, or the winner of a merge: its lineage replaces ours even at a lower round).
   */
  private adopt(got: HeldModel): boolean {
    const m = this.model;
    if (m !== undefined && m.cluster === got.cluster && m.source === got.source && got.round <= m.round)
      return false;
    this.model = got;
    return true;
  }

  private async serveFetch(body: Uint8Array, from: string): Promise<Uint8Array> {
    const r = decodeFetchRequest(body);
    if (!r.ok) {
      this.emit({
        event: 'message_rejected',
        protocol: PROTOCOL_MODEL_FETCH,
        from,
        reason: r.error.code,
        detail: r.error.message,
      });
      return encodeError({ code: 'rejected', message: `${r.error.code}: ${r.error.message}`.slice(0, 500) });
    }
    const q = r.value;
    if (q.scope.kind === 'cluster' && q.scope.cluster === warmupScope(this.selfId)) {
      if (this.warmup === undefined)
        return encodeError({ code: 'not_found', message: 'no warm-up model yet' });
      return encodeModelEnvelope({
        modelId: `${q.scope.cluster}/round-0`,
        scope: q.scope,
        round: 0,
        term: 0,
        specHash: this.spec,
        codec: q.codec ?? this.codec,
        weights: this.warmup,
      });
    }
    const m = this.model;
    if (
      q.scope.kind !== 'cluster' ||
      m === undefined ||
      m.cluster !== q.scope.cluster ||
      m.round < q.minRound
    ) {
      return encodeError({ code: 'not_found', message: 'no such model here' });
    }
    // Who holds our final model (recorded before the head itself completes: members may fetch
    // while it still evaluates), so a finishing head knows when it may leave.
    if (this.opts.rounds !== undefined && m.source === this.selfId && m.round >= this.opts.rounds)
      this.finalFetched.add(from);
    const env: Omit<ModelEnvelopeMsg, 'kind'> = {
      modelId: `${m.cluster}/round-${m.round}`,
      scope: { kind: 'cluster', cluster: m.cluster },
      round: m.round,
      term: m.term,
      specHash: this.spec,
      codec: q.codec ?? this.codec,
      weights: m.weights,
    };
    return encodeModelEnvelope(env);
  }

  private async servePush(body: Uint8Array, from: string): Promise<Uint8Array> {
    const r = decodeUpdateEnvelope(body, { maxBytes: this.streamLimits.maxBytes }, { specHash: this.spec });
    const reject = (reason: string, detail: string): Uint8Array => {
      this.emit({ event: 'message_rejected', protocol: PROTOCOL_UPDATE_PUSH, from, reason, detail });
      return encodeError({ code: 'rejected', message: `${reason}: ${detail}`.slice(0, 500) });
    };
    if (!r.ok) return reject(r.error.code, r.error.message);
    const u = r.value;
    const c = this.collector;
    if (!this.isHead() || c === undefined || u.cluster !== this.cluster)
      return encodeError({ code: 'not_head', message: 'no open round here' });
    if (u.term !== c.term) return encodeError({ code: 'wrong_term', message: `term ${c.term}` });
    if (!weightSetsCompatible(u.weights, this.initModel)) return reject('shape_mismatch', 'update tensors');
    const v = c.add(u.baseRound, { from, samples: u.sampleCount, delta: u.weights }, Date.now());
    if (!v.ok) {
      if (v.reason === 'not_member' || v.reason === 'bad_samples') return reject(v.reason, v.detail);
      return encodeError({ code: 'stale_round', message: `${v.reason}: ${v.detail}` });
    }
    this.emit({ event: 'update_received', cluster: c.cluster, round: c.round, from, samples: u.sampleCount });
    return encodeAck({ cluster: c.cluster, round: c.round });
  }

  // ------------------------------------------------------------------ member side

  /** Processes the newest RoundOpen: fetch model, train, push the difference. One at a time. */
  private async memberLoop(): Promise<void> {
    if (this.memberBusy) return;
    this.memberBusy = true;
    try {
      while (this.pendingRound !== undefined && !this.stopped) {
        const ro = this.pendingRound;
        this.pendingRound = undefined;
        await this.contribute(ro);
      }
    } finally {
      this.memberBusy = false;
    }
  }

  private async contribute(ro: RoundOpenMsg): Promise<void> {
    // Only the current head's rounds (it may have been deposed while the round waited).
    if (this.cluster !== ro.cluster || this.election?.head !== ro.head || this.isHead()) return;
    let theta = this.model;
    // Train on exactly the head's base model of this round.
    if (
      theta === undefined ||
      theta.cluster !== ro.cluster ||
      theta.source !== ro.head ||
      theta.round !== ro.round - 1
    ) {
      const got = await this.fetchModel(ro.head, ro.cluster, ro.round - 1);
      if (got === undefined) return;
      theta = got;
      this.adopt(got);
    }
    const phi = await trainInner(
      this.task,
      theta.weights,
      this.train,
      this.cfg,
      deriveSeed(this.seed, 'round', ro.round),
    );
    if (this.stopped || this.cluster !== ro.cluster || this.election?.head !== ro.head) return;
    const delta = subtract(phi, theta.weights);
    let pid: PeerId;
    try {
      pid = peerIdFromString(ro.head);
    } catch {
      return;
    }
    try {
      const resp = await request(
        this.host.libp2p,
        pid,
        PROTOCOL_UPDATE_PUSH,
        encodeUpdateEnvelope({
          cluster: ro.cluster,
          baseRound: ro.round,
          term: ro.term,
          sampleCount: this.train.y.length,
          specHash: this.spec,
          codec: this.codec,
          weights: delta,
        }),
        { maxBytes: 64 * 1024, timeoutMs: this.timing.pushTimeoutMs },
      );
      decodeDirect(resp); // ack or error: nothing to do either way (the head logs)
    } catch {
      // head gone or deadline: the next head's round will include us
    }
  }

  /** A new cluster model arrived: personalise + log evaluation, checkpoint, stop after N rounds. */
  private async afterModel(m: HeldModel): Promise<void> {
    if (m.round > this.evaluatedRound) {
      this.evaluatedRound = m.round;
      const round = this.traffic.takeRound();
      const total = this.traffic.totals;
      this.emit({
        event: 'traffic',
        cluster: m.cluster,
        round: m.round,
        bytesSent: total.sentBytes,
        bytesReceived: total.receivedBytes,
        roundBytesSent: round.sentBytes,
        roundBytesReceived: round.receivedBytes,
        roundDirectBytesSent: round.directSentBytes,
        modelBytes: this.modelBytes,
        codec: this.codec,
      });
      try {
        await this.evaluate(m.cluster, m.round, m.weights);
        await this.checkpoint();
      } catch (err) {
        process.emitWarning(
          `ppfm: evaluation/checkpoint of round ${m.round} failed: ${(err as Error).message}`,
        );
      }
    }
    const target = this.opts.rounds;
    if (target !== undefined && !this.completed && m.round >= target) {
      this.completed = true;
      this.emit({ event: 'rounds_completed', cluster: m.cluster, round: m.round });
      if (this.isHead() && m.source === this.selfId) {
        // The head keeps leasing and serving the final model until every member fetched it
        // (endTick), at most 3 grace periods: members still training must not be left behind.
        this.finishingSince = Date.now();
      } else {
        // A member holding the final model has nothing left to do (members fetch from the head).
        this.background(this.stop('rounds_completed'), 'stop');
      }
    }
  }

  /**
   * End of a run. A finishing head stops once all live members fetched the final model (or after
   * 3 x graceMs). A member whose head announced the final round but disappeared before we got
   * the model ends too (after trying the other members) instead of running solo rounds.
   */
  private endTick(now: number): void {
    if (this.stopping) return;
    if (this.finishingSince !== undefined) {
      const pending = this.members.filter(
        (id) => id !== this.selfId && this.view.has(id) && !this.finalFetched.has(id),
      );
      const minGrace = Math.min(this.timing.graceMs, 1000);
      const elapsed = now - this.finishingSince;
      if ((pending.length === 0 && elapsed >= minGrace) || elapsed >= 3 * this.timing.graceMs)
        this.background(this.stop('rounds_completed'), 'stop');
      return;
    }
    const target = this.opts.rounds;
    if (target === undefined || this.completed || this.headRound < target || this.orphanFetching) return;
    if ((this.model?.round ?? 0) >= target) return; // final model held: afterModel completes
    if (this.election?.head !== undefined && !this.isHead()) return; // head still there: catch-up runs
    this.orphanFetching = true;
    this.background(this.finishOrphan(target), 'final model from members');
  }

  private orphanFetching = false;

  /** The head is gone after its final round: fetch the final model from a member, else end as is. */
  private async finishOrphan(target: number): Promise<void> {
    const cluster = this.cluster as string;
    for (const id of this.members) {
      if (id === this.selfId || !this.view.has(id)) continue;
      const got = await this.fetchModel(id, cluster, target);
      if (got !== undefined && this.cluster === cluster && got.round >= target) {
        this.model = got;
        await this.afterModel(got);
        return;
      }
    }
    if (this.completed) return;
    const round = this.model?.round ?? 0;
    this.notice('warn', `head left after the final round ${this.headRound}; ending at round ${round}`);
    this.completed = true;
    this.emit({ event: 'rounds_completed', cluster, round });
    await this.stop('rounds_completed');
  }

  private personal: WeightSet | undefined;

  private async evaluate(cluster: string, round: number, weights: WeightSet): Promise<void> {
    const r = await personaliseOn(
      this.task,
      weights,
      this.train,
      this.val,
      this.cfg,
      deriveSeed(this.seed, 'adapt', round),
    );
    if (!allFinite(weights)) process.emitWarning(`ppfm: non-finite cluster model at round ${round}`);
    if (allFinite(r.weights)) this.personal = r.weights;
    this.lastEval = { round, accBefore: r.before.acc, accAfter: r.after.acc };
    this.emit({
      event: 'evaluation',
      cluster,
      round,
      accBefore: r.before.acc,
      accAfter: r.after.acc,
      lossBefore: r.before.loss,
      lossAfter: r.after.loss,
    });
  }

  private async checkpoint(): Promise<void> {
    const m = this.model;
    if (m === undefined) return;
    const cp: Checkpoint = {
      version: 1,
      peerId: this.selfId,
      cluster: m.cluster,
      round: m.round,
      term: Math.max(m.term, this.election?.term ?? 0),
      specHash: this.spec,
      clusterModel: m.weights,
      ...(this.global ? { globalModel: this.global } : {}),
      ...(this.personal ? { personalModel: this.personal } : {}),
      savedAt: Date.now(),
    };
    const path = await saveCheckpoint(this.opts.dataDir, cp);
    this.emit({ event: 'checkpoint_saved', round: m.round, path });
  }

  // ------------------------------------------------------------------ head side

  private headTick(now: number): void {
    const c0 = this.collector;
    // The election no longer makes us head of this round's cluster/term: drop the round now.
    if (
      c0 !== undefined &&
      (!this.isHead() || c0.cluster !== this.cluster || c0.term !== this.election?.term)
    )
      this.stopHeadWork();
    if (!this.isHead() || this.model === undefined || this.cluster === undefined) return;
    const c = this.collector;
    if (c !== undefined) {
      if (c.shouldClose(now)) this.background(this.closeRound(c), 'round close');
      return;
    }
    if (this.opts.rounds !== undefined && this.model.round >= this.opts.rounds) return;
    // Our former head announced the final model: the run is over here, never go on alone.
    if (this.opts.rounds !== undefined && this.headRound >= this.opts.rounds) return;
    if (!this.isReady(now)) return;
    // A lone peer has nobody to federate with (and at start-up, views are still partial).
    if (this.members.length < (this.opts.minClusterSize ?? 2)) return;
    if (now < this.nextRoundAt || now - this.lastViewChange < this.timing.settleMs) return;
    this.openRound(now);
  }

  private openRound(now: number): void {
    const m = this.model as HeldModel;
    const cluster = this.cluster as string;
    const term = this.election?.term ?? m.term;
    const round = m.round + 1;
    const members = new Set(this.members.filter((id) => this.view.has(id)));
    members.add(this.selfId);
    const c = new RoundCollector<WeightSet>(cluster, round, term, members, now, {
      deadlineMs: this.timing.roundDeadlineMs,
      quorumFraction: this.timing.quorumFraction,
      quorumGraceMs: this.timing.quorumGraceMs,
    });
    this.collector = c;
    const ro: RoundOpenMsg = {
      kind: 'round_open',
      cluster,
      round,
      term,
      head: this.selfId,
      deadlineMs: this.timing.roundDeadlineMs,
      specHash: this.spec,
    };
    void this.gossip.publish(clusterTopic(cluster), encodeGossip(ro));
    this.emit({ event: 'round_opened', cluster, round, term, head: this.selfId });
    // The head is a member too: its own update goes straight into the collector.
    this.background(this.selfUpdate(c, m.weights), 'head self-update');
  }

  private async selfUpdate(c: RoundCollector<WeightSet>, theta: WeightSet): Promise<void> {
    const seed = deriveSeed(this.seed, 'round', c.round);
    // Training blocks the event loop: renew the lease right before, so it does not lapse.
    // (A head's tick only renews its lease; ticking it one interval ahead forces the renewal.)
    if (this.election && this.isHead())
      this.act(this.election.tick(Date.now() + this.timing.leaseIntervalMs), Date.now());
    const gen = this.headGen;
    const phi = await trainInner(this.task, theta, this.train, this.cfg, seed);
    if (this.collector !== c || this.headGen !== gen) return;
    const samples = this.train.y.length;
    if (c.add(c.round, { from: this.selfId, samples, delta: subtract(phi, theta) }, Date.now()).ok)
      this.emit({ event: 'update_received', cluster: c.cluster, round: c.round, from: this.selfId, samples });
  }

  private async closeRound(c: RoundCollector<WeightSet>): Promise<void> {
    const gen = this.headGen;
    const updates = c.close();
    const now = Date.now();
    this.emit({
      event: 'round_closed',
      cluster: c.cluster,
      round: c.round,
      updates: updates.length,
      quorum: c.quorum,
    });
    if (this.collector === c) this.collector = undefined;
    this.nextRoundAt = now + this.timing.roundGapMs;
    const m = this.model;
    if (updates.length === 0 || m === undefined || !this.isHead() || this.cluster !== c.cluster) return;

    // Global level: pull other heads' newest models we may have missed, then one step.
    await this.pullOtherHeads(c.cluster);
    // Deposed (or moved) while pulling: the round is cancelled, publish nothing.
    if (this.headGen !== gen || !this.isHead() || this.cluster !== c.cluster) return;
    const live = new Set((this.clusterMap?.clusters ?? []).map((x) => x.id));
    const others = [...this.otherHeads.values()].filter(
      (o) => o.cluster !== c.cluster && live.has(o.cluster),
    );
    const step = headStep({
      theta: m.weights,
      updates,
      others: others.map((o) => o.weights),
      global: this.global,
      sharedPart: this.sharedPart,
      cfg: this.cfg,
    });
    const theta = step.theta;
    this.global = step.global;
    this.emit({
      event: 'global_model_updated',
      round: c.round,
      clusters: [c.cluster, ...others.map((o) => o.cluster)].sort(),
    });

    const held: HeldModel = {
      cluster: c.cluster,
      round: c.round,
      term: c.term,
      weights: theta,
      source: this.selfId,
    };
    this.model = held;
    this.election?.setRound(c.round);
    const announce = encodeGossip({
      kind: 'model',
      modelId: `${c.cluster}/round-${c.round}`,
      scope: { kind: 'cluster', cluster: c.cluster },
      round: c.round,
      term: c.term,
      specHash: specHash([]),
      codec: this.codec,
      weights: [],
    });
    await this.gossip.publish(clusterTopic(c.cluster), announce);
    await this.gossip.publish(TOPIC_HEADS, announce);
    const bytes = encodeModelEnvelope({
      modelId: `${c.cluster}/round-${c.round}`,
      scope: { kind: 'cluster', cluster: c.cluster },
      round: c.round,
      term: c.term,
      specHash: this.spec,
      codec: this.codec,
      weights: theta,
    }).length;
    this.modelBytes = bytes;
    this.emit({ event: 'cluster_model_published', cluster: c.cluster, round: c.round, term: c.term, bytes });
    await this.afterModel(held);
  }

  /** Fetches other clusters' models we have not seen yet from their heads (known by heartbeat). */
  private async pullOtherHeads(own: string): Promise<void> {
    const now = Date.now();
    const jobs: Promise<void>[] = [];
    for (const [cluster, h] of this.remoteHeads) {
      if (now - h.at > this.timing.viewTtlMs) {
        this.remoteHeads.delete(cluster);
        continue;
      }
      const have = this.otherHeads.get(cluster);
      if (cluster === own || h.round === 0 || (have !== undefined && have.round >= h.round)) continue;
      jobs.push(
        this.fetchModel(h.head, cluster, 0).then((got) => {
          if (got !== undefined && (this.otherHeads.get(cluster)?.round ?? -1) < got.round)
            this.otherHeads.set(cluster, { ...got, head: h.head });
        }),
      );
    }
    await Promise.all(jobs);
  }

  // ------------------------------------------------------------------ status

  private status(): PeerStatus {
    const role: PeerStatus['role'] = this.isHead() ? 'head' : this.cluster ? 'member' : 'unassigned';
    return {
      peerId: this.selfId,
      view: this.view.ids(),
      viewDigest: this.view.digest(),
      ...(this.cluster ? { cluster: this.cluster } : {}),
      members: [...this.members],
      ...(this.election?.head ? { head: this.election.head } : {}),
      role,
      term: this.election?.term ?? 0,
      round: this.model?.round ?? 0,
      clusters: (this.clusterMap?.clusters ?? []).map((c) => ({ id: c.id, members: [...c.members] })),
      ...(this.lastEval ? { lastEvaluation: this.lastEval } : {}),
    };
  }
}

type MembershipViewT = MembershipView<Fingerprint>;

/**
 * Pseudo-cluster scope under which a peer serves its warm-up model over model-fetch. Cluster ids
 * are lowercase [a-z0-9-]{1,64}: the peer id lowercased (only its owner serves it, so the
 * case folding cannot collide), cut to 64 characters.
 */
function warmupScope(peerId: string): string {
  return `w-${peerId.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`.slice(0, 64);
}

/** A cluster map restricted to `ids` (empty clusters dropped). */
function restrictMap(map: ClusterMap, ids: readonly string[]): ClusterMap {
  const keep = new Set(ids);
  const clusters = map.clusters
    .map((c) => ({ id: c.id, members: c.members.filter((m) => keep.has(m)) }))
    .filter((c) => c.members.length > 0);
  const byPeer = new Map<string, string>();
  for (const c of clusters) for (const m of c.members) byPeer.set(m, c.id);
  return { clusters, byPeer, separated: clusters.length > 1 };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The meta fingerprint carried by a fingerprint message. */
function fingerprintOf(m: FingerprintMsg): Fingerprint {
  return {
    sampleCount: m.sampleCount,
    inputShape: m.inputShape,
    numClasses: m.numClasses,
    labelHist: m.labelHist,
    projMean: m.projMean,
    projStd: m.projStd,
    classMeans: m.classMeans,
    // Until the wire carries the input moments (protocol branch), peers pool none: identity scaler.
    featureMean: [],
    featureStd: [],
  };
}

/** Encodes and decodes a fingerprint message (numbers as every receiver will see them). */
function roundTrip(m: FingerprintMsg): FingerprintMsg {
  const r = decodeGossip(encodeGossip(m));
  if (!r.ok || r.value.kind !== 'fingerprint')
    throw new Error(`own fingerprint does not survive the wire: ${JSON.stringify(r)}`);
  return r.value;
}
