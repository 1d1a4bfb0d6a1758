/**
 * The testnet engine: partition the data, start N real `ppfm start` processes on 127.0.0.1 with
 * bootstrap addresses, follow their logs, inject faults, wait for the rounds, tear everything down,
 * compare with the local-only baseline and summarise. Used by the CLI, the e2e test and the benchmarks.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { runSimulate } from './baseline.js';
import { adjustedRandIndex } from '@ppfm/meta';
import { Churner, churnPlan, type ChurnOutcome } from './churn.js';
import { checkDataset, prepareData, type PreparedData } from './data.js';
import { LogFollower } from './follow.js';
import { createIdentities, freePort } from './identity.js';
import type { PeerEvent } from './events.js';
import type { TestnetOptions } from './options.js';
import { PeerPool, readRss, resolveCli, type PeerProcess } from './processes.js';
import { PlainProgress, TtyProgress, type ProgressContext } from './progress.js';
import { RunObserver } from './observe.js';
import { NetworkState } from './state.js';
import { pad, summarise, type TestnetSummary } from './summary.js';
import { TrafficMeter } from './traffic.js';

/** How the run reports while it goes. */
export interface RunHooks {
  /** 'tty': refreshing table on `stream`; 'plain': change lines via `log`; 'none': silent. */
  progress?: 'tty' | 'plain' | 'none';
  stream?: NodeJS.WriteStream;
  /** Where plain progress lines and notes go (default: stderr). */
  log?: (line: string) => void;
  /** Handle SIGINT/SIGTERM of this process by killing the peers (the CLI: yes; tests: no). */
  handleSignals?: boolean;
  /** Run the local-only baseline with `ppfm simulate` after the testnet (default true). */
  baseline?: boolean;
  /** Every event as it is read (tests, benchmarks). */
  onEvent?: (e: PeerEvent) => void;
  /** Path of the ppfm CLI (default: resolveCli()). */
  cli?: string;
  /** Called with the live dashboard's URL once it serves (with `opts.dashboard`). */
  onDashboard?: (url: string) => void;
}

/** Resource figures of the peer processes. */
export interface ResourceStats {
  /** Highest RSS each peer process reached, bytes, in peer index order. */
  peakRss: number[];
  /** Bytes each peer process sent over TCP (kernel socket counters), by peer index; empty if `ss` is missing. */
  socketBytes: number[];
}

/** The outcome of a run. */
export interface RunResult {
  summary: TestnetSummary;
  outDir: string;
  resources: ResourceStats;
  /** When (ms epoch) the testnet killed a head, and which cluster's. */
  kill?: { at: number; cluster: string; peer: string; index: number };
  /** The static HTML report of the run (`<outDir>/report.html`). */
  report: string;
  /** `--churn`: each planned departure, its return and catch-up time. */
  churn?: ChurnOutcome[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Peers the testnet lets load at the same time (see startPeers). */
const STARTING_AT_ONCE = 4;

function timestamp(d = new Date()): string {
  return d.toISOString().replace(/[:]/g, '-').replace(/\..*$/, '');
}

/** The loopback TCP multiaddr (with /p2p/<id>) a peer announced, if any. */
export function dialableAddr(addrs: readonly string[], peerId: string): string | undefined {
  const a = addrs.find((x) => x.startsWith('/ip4/127.0.0.1/tcp/')) ?? addrs.find((x) => /\/tcp\/\d+/.test(x));
  if (a === undefined) return undefined;
  const local = a.replace(/^\/ip4\/0\.0\.0\.0\//, '/ip4/127.0.0.1/');
  return local.includes('/p2p/') ? local : `${local}/p2p/${peerId}`;
}

/** The cluster assignment `peer` held at time `t`, if it had one (events are applied file by file, not in time order). */
function assignmentAtTime(state: NetworkState, peer: string, t: number): { members: string[] } | undefined {
  const p = state.peers.get(peer);
  return p ? [...p.assignments].reverse().find((a) => a.time <= t) : undefined;
}

/** The `ppfm start --help` text (to detect optional flags), or '' if it cannot be read. */
export function startFlags(cli: string): string {
  try {
    return execFileSync(process.execPath, [cli, 'start', '--help'], { encoding: 'utf8', timeout: 30_000 });
  } catch {
    return '';
  }
}

/** Last lines of a captured stderr file, to explain a peer that died. */
function tail(file: string, lines = 5): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join(' | ');
  } catch {
    return '';
  }
}

/** Runs a whole testnet and resolves with its summary; never leaves a peer process running. */
export async function runTestnet(opts: TestnetOptions, hooks: RunHooks = {}): Promise<RunResult> {
  const log = hooks.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const outDir = resolve(opts.out ?? join('runs', timestamp()));
  const dataDir = join(outDir, 'data');
  const logDir = join(outDir, 'logs');
  const peersDir = join(outDir, 'peers');
  const total = opts.peers + opts.lateJoin;
  const cli = hooks.cli ?? resolveCli();
  if (!existsSync(cli)) throw new Error(`ppfm CLI not found at ${cli} (build packages/node first)`);
  checkDataset(opts.dataset);

  const notes: string[] = [];
  const note = (s: string): void => void notes.push(s);
  // A failed preparation leaves no run folder behind (unless it was there before).
  const outExisted = existsSync(outDir);
  let prepared: PreparedData;
  try {
    prepared = await prepareData({
      dataset: opts.dataset,
      partition: opts.partition,
      peers: total,
      seed: opts.seed,
      ...(opts.maxSamples !== undefined ? { maxSamples: opts.maxSamples } : {}),
      dir: dataDir,
    });
  } catch (err) {
    if (!outExisted) await rm(outDir, { recursive: true, force: true });
    throw err;
  }
  await mkdir(logDir, { recursive: true });
  await mkdir(peersDir, { recursive: true });

  const observer = await RunObserver.start({
    logDir,
    truthPath: prepared.truthPath,
    title: `testnet: ${total} peers, ${opts.dataset} ${opts.partition}, ${opts.rounds} rounds, seed ${opts.seed}`,
    ...(opts.dashboard !== undefined ? { port: opts.dashboard } : {}),
    log,
  });
  if (observer.url !== undefined) hooks.onDashboard?.(observer.url);

  const state = new NetworkState();
  // round_opened events of round R by heads with members, in the order read; the loop picks the
  // first whose head is still current (a deposed head that has not noticed yet is not a head).
  const killCandidates: { cluster: string; head: string; term: number }[] = [];
  const follower = new LogFollower(logDir, (e) => {
    state.apply(e);
    churner?.onEvent(e);
    if (
      opts.killHeadAtRound !== undefined &&
      e.event === 'round_opened' &&
      e.round >= opts.killHeadAtRound &&
      e.peer === e.head &&
      // Only a head with members can fail over (a lone peer's "cluster" has nobody to elect).
      (assignmentAtTime(state, e.head, e.time)?.members.length ?? 0) > 1
    )
      killCandidates.push({ cluster: e.cluster, head: e.head, term: e.term });
    hooks.onEvent?.(e);
  });
  const pool = new PeerPool(cli, hooks.handleSignals ?? false);
  let boots: string[] = [];
  const churner =
    opts.churn === undefined
      ? undefined
      : new Churner(churnPlan(opts.peers, opts.rounds, opts.churn, opts.seed), {
          peer: (i) => {
            const p = state.byIndex(i);
            const up = pool.procs.some((x) => x.index === i && !x.exited);
            return p === undefined ? undefined : { id: p.id, cluster: p.cluster ?? null, up };
          },
          kill: (i) => {
            const proc = pool.procs.find((x) => x.index === i && !x.exited);
            if (proc !== undefined) pool.killOnPurpose(proc);
            note(`churn: ${name(i)} left`);
          },
          restart: (i) => {
            spawnPeer(
              i,
              boots.filter((_, b) => b !== i),
            );
            note(`churn: ${name(i)} came back`);
          },
        });
  const traffic = new TrafficMeter();
  const peakRss = new Map<number, number>();
  const startedAt = Date.now();
  const pctx: ProgressContext = { rounds: opts.rounds, launched: opts.peers, startedAt, notes };
  const plain = new PlainProgress();
  const tty = hooks.progress === 'tty' && hooks.stream ? new TtyProgress(hooks.stream) : undefined;
  const showProgress = (): void => {
    pctx.now = Date.now();
    if (tty) tty.render(state, pctx);
    else if (hooks.progress === 'plain') for (const l of plain.update(state, pctx)) log(l);
  };

  const name = (i: number): string => `peer-${pad(i)}`;
  // A peer that supports it waits for the expected membership before its first round; otherwise
  // early peers may run rounds alone while the others are still booting.
  const minPeersFlag = startFlags(cli).includes('--min-peers');
  const spawnPeer = (i: number, bootstrap: string[], listen = '/ip4/127.0.0.1/tcp/0'): PeerProcess => {
    const args = [
      'start',
      '--data',
      prepared.peerDirs[i] as string,
      '--data-dir',
      join(peersDir, name(i)),
      '--log-dir',
      logDir,
      '--listen',
      listen,
      '--one-host',
      '--rounds',
      String(opts.rounds),
      '--seed',
      String(opts.seed),
      '--backend',
      opts.backend,
      '--codec',
      opts.codec,
      '--quiet',
      ...bootstrap.flatMap((b) => ['--bootstrap', b]),
      ...(minPeersFlag && i < opts.peers ? ['--min-peers', String(opts.peers)] : []),
      ...(opts.aggregator !== undefined ? ['--aggregator', opts.aggregator] : []),
      ...(opts.augment !== undefined ? ['--augment', opts.augment] : []),
      ...opts.extraPeerArgs,
    ];
    return pool.spawn(i, args, join(peersDir, `${name(i)}.stdout`), join(logDir, `${name(i)}.stderr`));
  };
  /**
   * Starts the first `opts.peers` peers. Identities are created up front, so every peer's bootstrap
   * list (peer-00 and peer-01 on fixed ports) is known and all peers start together: nobody runs
   * alone while the others boot.
   */
  const startPeers = async (): Promise<void> => {
    const ids = await createIdentities(Array.from({ length: total }, (_, i) => join(peersDir, name(i))));
    const ports = [await freePort(), await freePort()];
    while (ports[1] === ports[0]) ports[1] = await freePort();
    // A lone peer (--peers 1, no late joiners) has no one to bootstrap from.
    boots = ports
      .slice(0, Math.min(2, total))
      .map((port, i) => `/ip4/127.0.0.1/tcp/${port}/p2p/${ids[i] as string}`);
    for (let i = 0; i < opts.peers; i++) {
      const listen = i < 2 ? `/ip4/127.0.0.1/tcp/${ports[i] as number}` : undefined;
      spawnPeer(
        i,
        boots.filter((_, b) => b !== i),
        listen,
      );
      await sleep(50);
      // The bootstrap peers first, then at most STARTING_AT_ONCE peers loading at a time: on a
      // crowded box dozens of simultaneous start-ups (tfjs, wasm, data) starve the peers that are
      // already up of the CPU their handshakes and heartbeats need.
      if (i === 1) await startedUpTo(2, 120_000);
      else if (i >= 2) await startedUpTo(i + 1 - STARTING_AT_ONCE, 60_000);
    }
    note(`started ${opts.peers} peers (bootstrap ${boots.map((_, i) => name(i)).join(', ')})`);
  };

  /** Waits (following the logs) until `n` of the peers spawned so far have started, at most `ms`. */
  const startedUpTo = async (n: number, ms: number): Promise<void> => {
    const until = Date.now() + ms;
    const started = (): number => pool.procs.filter((p) => state.byIndex(p.index) !== undefined).length;
    while (Date.now() < until && started() < n) {
      await follower.poll();
      await sleep(200);
    }
  };

  let timedOut = false;
  let kill: RunResult['kill'];
  let headFailoverSeconds: number | null = null;
  let failoverMeasured = false;
  let killMembers: string[] = [];
  const failures: string[] = [];
  let wallSeconds = 0;

  try {
    await startPeers();
    let lateStarted = opts.lateJoin === 0;
    let lastTraffic = 0;
    let lastRss = 0;
    const deadline = startedAt + opts.timeoutSeconds * 1000;
    for (;;) {
      await follower.poll();
      const now = Date.now();

      // Fault injection: kill the head named by the first round_opened of round R (from the logs).
      while (killCandidates.length > 0 && kill === undefined) {
        const { cluster, head, term } = killCandidates.shift() as (typeof killCandidates)[number];
        if (term < (state.clusters.get(cluster)?.term ?? 0)) continue; // deposed already
        const hp = state.peers.get(head);
        const proc = hp?.index !== undefined ? pool.procs.find((p) => p.index === hp.index) : undefined;
        if (!proc || proc.exited) continue;
        // The head's cluster as its members see it: they name the same cluster id and the head.
        killMembers = [...state.peers.values()]
          .filter((p) => p.id !== head && p.cluster === cluster && p.members.includes(head))
          .map((p) => p.id);
        pool.killOnPurpose(proc);
        kill = { at: proc.killedAt as number, cluster, peer: head, index: proc.index };
        note(
          `killed head ${name(proc.index)} of cluster ${cluster} (term ${term}) as its round ${opts.killHeadAtRound} opened`,
        );
      }
      if (kill && !failoverMeasured) {
        const el = state.electionsAfter(kill.at, killMembers, kill.peer)[0];
        if (el) {
          failoverMeasured = true;
          headFailoverSeconds = Math.max(0, (el.time - kill.at) / 1000);
          const who = state.peers.get(el.head)?.index;
          note(
            `new head ${who !== undefined ? name(who) : el.head} after ${headFailoverSeconds.toFixed(2)} s`,
          );
        }
      }

      // Late joiners: once a first cluster model exists (round 1 is done).
      if (!lateStarted && [...state.clusters.values()].some((c) => c.published >= 1)) {
        lateStarted = true;
        const live = pool.procs
          .filter((p) => !p.exited)
          .map((p) => state.byIndex(p.index))
          .map((p) => (p ? dialableAddr(p.addrs, p.id) : undefined))
          .filter((a): a is string => a !== undefined)
          .slice(0, 2);
        for (let i = opts.peers; i < total; i++) {
          spawnPeer(i, live);
          await sleep(150);
        }
        pctx.launched = total;
        note(`late join: started ${opts.lateJoin} peer(s)`);
      }

      if (now - lastTraffic >= 1000) {
        lastTraffic = now;
        await traffic.sample(new Set(pool.running().map((p) => p.pid)));
      }
      if (now - lastRss >= 2000) {
        lastRss = now;
        for (const p of pool.running()) {
          const rss = await readRss(p.pid);
          if (rss !== undefined) peakRss.set(p.index, Math.max(peakRss.get(p.index) ?? 0, rss));
        }
      }
      churner?.tick(now);
      showProgress();

      const survivors = pool.procs.filter((p) => !p.killedOnPurpose);
      const waiting = survivors.filter((p) => !p.exited && !(state.byIndex(p.index)?.finished ?? false));
      if (lateStarted && waiting.length === 0 && (churner?.away() ?? 0) === 0) break;
      if (now > deadline) {
        timedOut = true;
        note(`timeout after ${opts.timeoutSeconds} s`);
        break;
      }
      await sleep(250);
    }
    wallSeconds = (Date.now() - startedAt) / 1000;
    // Finished peers exit 0 after a short grace period; give them the chance before stopping them.
    await traffic.sample(new Set(pool.running().map((p) => p.pid)));
    const graceEnd = Date.now() + 15_000;
    while (pool.running().length > 0 && Date.now() < graceEnd && !timedOut) await sleep(200);
  } catch (err) {
    await observer.close();
    throw err;
  } finally {
    await pool.stopAll(5000);
    await follower.stop();
    showProgress();
  }
  if (opts.killHeadAtRound !== undefined && kill === undefined)
    failures.push(`no head to kill at round ${opts.killHeadAtRound}`);
  if (kill && !failoverMeasured) failures.push('no new head was elected after the kill');

  const crashed = new Set<string>();
  for (const p of pool.procs) {
    if (p.killedOnPurpose) continue;
    const id = state.byIndex(p.index)?.id;
    // Exits caused by our own teardown (SIGTERM/SIGKILL after the end) are not crashes.
    const ours = p.signal === 'SIGTERM' || p.signal === 'SIGKILL';
    if (id !== undefined && p.exited && !ours && p.code !== 0 && !(state.peers.get(id)?.finished ?? false)) {
      crashed.add(id);
      log(`${name(p.index)} exited with code ${p.code}: ${tail(join(logDir, `${name(p.index)}.stderr`))}`);
    }
    if (id === undefined)
      log(`${name(p.index)} never started: ${tail(join(logDir, `${name(p.index)}.stderr`))}`);
  }
  const killed = new Set<string>(kill ? [kill.peer] : []);

  let localAcc: number | null = null;
  if (hooks.baseline !== false && !timedOut) {
    try {
      const sim = await runSimulate({
        cli,
        dataset: opts.dataset,
        partition: opts.partition,
        peers: total,
        rounds: opts.rounds,
        seed: opts.seed,
        backend: opts.backend,
        methods: ['local'],
        ...(opts.maxSamples !== undefined ? { maxSamples: opts.maxSamples } : {}),
      });
      localAcc = sim.methods.local?.meanAcc ?? null;
    } catch (err) {
      log(`local-only baseline unavailable: ${(err as Error).message}`);
    }
  }

  const socketBytesByIndex = traffic.perPid();
  const socketBytes = new Map<string, number>();
  const socketArr: number[] = [];
  for (const p of pool.procs) {
    const id = state.byIndex(p.index)?.id;
    const b = socketBytesByIndex.get(p.pid);
    if (b !== undefined) socketArr[p.index] = b;
    if (id !== undefined && b !== undefined) socketBytes.set(id, b);
  }
  const summary = summarise(state, {
    truth: prepared.truth,
    launched: pool.procs.length - (churner?.restarts() ?? 0),
    rounds: opts.rounds,
    wallSeconds,
    killed,
    crashed,
    localAcc,
    headFailoverSeconds,
    socketBytes,
    timedOut,
    ari: (a, b) => adjustedRandIndex(a, b),
    failures,
  });
  const resources: ResourceStats = {
    peakRss: Array.from({ length: pool.procs.length }, (_, i) => peakRss.get(i) ?? 0),
    socketBytes: Array.from({ length: pool.procs.length }, (_, i) => socketArr[i] ?? 0),
  };
  await writeFile(
    join(outDir, 'summary.json'),
    JSON.stringify({ ...summary, resources, options: opts, churn: churner?.outcomes }, null, 2) + '\n',
  );
  const report = await observer.finish(outDir, localAcc);
  return {
    summary,
    outDir,
    resources,
    report,
    ...(kill ? { kill } : {}),
    ...(churner ? { churn: churner.outcomes } : {}),
  };
}
