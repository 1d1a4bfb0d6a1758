/**
 * The testnet engine: partition the data, start N real `ppfm start` processes on 127.0.0.1 with
 * bootstrap addresses, follow their logs, inject faults, wait for the rounds, tear everything down,
 * compare with the local-only baseline and summarise. Used by the CLI, the e2e test and the benchmarks.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Churner, churnPlan, type ChurnOutcome } from './churn.js';
import { SlowFault, type StragglerReport } from './slow.js';
import { checkDataset, prepareData, type PreparedData } from './data.js';
import { LogFollower } from './follow.js';
import { HeadKiller, type HeadKill } from './head-kill.js';
import { createIdentities, freePort } from './identity.js';
import { bootstrapFor, dialableAddr, peerArgs, peerName, startFlags } from './launch.js';
import type { PeerEvent } from './events.js';
import type { TestnetOptions } from './options.js';
import { runOutcome, type ResourceStats } from './outcome.js';
import { PeerPool, readRss, resolveCli, type PeerProcess } from './processes.js';
import { PlainProgress, TtyProgress, type ProgressContext } from './progress.js';
import { RunObserver } from './observe.js';
import { NetworkState } from './state.js';
import type { TestnetSummary } from './summary.js';
import { TrafficMeter } from './traffic.js';
import { expectedTruth } from './verdict.js';

// Re-exported: the package index, tests and benchmarks import them from here.
export { dialableAddr, startFlags } from './launch.js';
export type { ResourceStats } from './outcome.js';

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
  /** Ends the run early: its peers are stopped as after a timeout (benchmarks that measure idle peers). */
  signal?: AbortSignal;
}

/** The outcome of a run. */
export interface RunResult {
  summary: TestnetSummary;
  outDir: string;
  resources: ResourceStats;
  /** When (ms epoch) the testnet killed a head, and which cluster's. */
  kill?: HeadKill;
  /** The static HTML report of the run (`<outDir>/report.html`). */
  report: string;
  /** `--churn`: each planned departure, its return and catch-up time. */
  churn?: ChurnOutcome[];
  /** `--slow`: what the slowed members did and how long their clusters' rounds took. */
  stragglers?: StragglerReport;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Peers the testnet lets load at the same time (see startPeers). */
const STARTING_AT_ONCE = 4;

function timestamp(d = new Date()): string {
  return d.toISOString().replace(/[:]/g, '-').replace(/\..*$/, '');
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
  const name = peerName;
  const killer = new HeadKiller(opts.killHeadAtRound, state, note, name);
  // Clusters that opened round 1 since the last loop turn: their peers' start-up ends there.
  const roundOneOpened = new Set<string>();
  const follower = new LogFollower(logDir, (e) => {
    state.apply(e);
    if (e.event === 'round_opened' && e.round === 1) roundOneOpened.add(e.cluster);
    churner?.onEvent(e);
    slow?.onEvent(e);
    killer.onEvent(e);
    hooks.onEvent?.(e);
  });
  const pool = new PeerPool(cli, hooks.handleSignals ?? false);
  const slow =
    opts.slow === undefined
      ? undefined
      : new SlowFault(opts.slow, opts.seed, {
          pidOf: (id) => {
            const idx = state.peers.get(id)?.index;
            return pool.procs.find((p) => p.index === idx && !p.exited)?.pid;
          },
          note,
        });
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

  // A peer that supports it waits for the expected membership before its first round; otherwise
  // early peers may run rounds alone while the others are still booting.
  const minPeersFlag = startFlags(cli).includes('--min-peers');
  const spawnPeer = (i: number, bootstrap: string[], listen = '/ip4/127.0.0.1/tcp/0'): PeerProcess => {
    const args = peerArgs(opts, {
      index: i,
      data: prepared.peerDirs[i] as string,
      dataDir: join(peersDir, name(i)),
      logDir,
      listen,
      bootstrap,
      minPeers: minPeersFlag && i < opts.peers,
    });
    return pool.spawn(i, args, join(peersDir, `${name(i)}.stdout`), join(logDir, `${name(i)}.stderr`));
  };
  /**
   * Starts the first `opts.peers` peers. Identities are created up front, so the bootstrap peers'
   * addresses (peer-00 and peer-01 on fixed ports) are known and all peers start together: nobody
   * runs alone while the others boot. Larger testnets also join through peers already up
   * (`bootstrapFor`).
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
      spawnPeer(i, bootstrapFor(i, boots, liveAddrs(2)), listen);
      await sleep(50);
      // The bootstrap peers first, then at most STARTING_AT_ONCE peers loading at a time: on a
      // crowded box dozens of simultaneous start-ups (tfjs, wasm, data) starve the peers that are
      // already up of the CPU their handshakes and heartbeats need.
      if (i === 1) await startedUpTo(2, 120_000);
      else if (i >= 2) await startedUpTo(i + 1 - STARTING_AT_ONCE, 60_000);
    }
    note(
      opts.alone
        ? `started ${opts.peers} peers alone (no bootstrap)`
        : `started ${opts.peers} peers (bootstrap ${boots.map((_, i) => name(i)).join(', ')})`,
    );
  };

  /** Dialable addresses of the peers from index `from` on that have started and not exited. */
  const liveAddrs = (from = 0): string[] =>
    pool.procs
      .filter((p) => p.index >= from && !p.exited)
      .map((p) => state.byIndex(p.index))
      .map((p) => (p ? dialableAddr(p.addrs, p.id) : undefined))
      .filter((a): a is string => a !== undefined);

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
      killer.tick(pool);

      // Late joiners: once a first cluster model exists (round 1 is done).
      if (!lateStarted && [...state.clusters.values()].some((c) => c.published >= 1)) {
        lateStarted = true;
        const live = liveAddrs().slice(0, 2);
        for (let i = opts.peers; i < total; i++) {
          spawnPeer(i, live);
          await sleep(150);
        }
        pctx.launched = total;
        note(`late join: started ${opts.lateJoin} peer(s)`);
      }

      if (now - lastTraffic >= 1000 || roundOneOpened.size > 0) {
        lastTraffic = now;
        await traffic.sample(new Set(pool.running().map((p) => p.pid)));
        // Start-up (everything before round 1 opens) is reported apart from the rounds' bytes.
        const opened = pool
          .running()
          .filter((p) => roundOneOpened.has(state.byIndex(p.index)?.cluster ?? ''))
          .map((p) => p.pid);
        traffic.markStartup(opened);
        roundOneOpened.clear();
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
      if (hooks.signal?.aborted === true) {
        note('aborted by the caller');
        break;
      }
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
    slow?.close();
    await pool.stopAll(5000);
    await follower.stop();
    showProgress();
  }
  const { summary, resources, localAcc } = await runOutcome({
    opts,
    cli,
    outDir,
    logDir,
    total,
    truth: expectedTruth(opts, prepared.truth),
    partitionTruth: prepared.truth,
    state,
    pool,
    traffic,
    peakRss,
    killer,
    churner,
    slow,
    wallSeconds,
    timedOut,
    baseline: hooks.baseline !== false,
    log,
  });
  const report = await observer.finish(outDir, localAcc);
  return {
    summary,
    outDir,
    resources,
    report,
    ...(killer.kill ? { kill: killer.kill } : {}),
    ...(churner ? { churn: churner.outcomes } : {}),
    ...(slow ? { stragglers: slow.report } : {}),
  };
}
