// `ppfm start`: runs one PPFM peer until it completes --rounds or receives SIGINT/SIGTERM.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { loadOrCreatePrivateKey } from '../identity.js';
import { createEventLog, type EventLog } from '../log/event-log.js';
import type { ModelSpec } from '@ppfm/meta';
import type { PeerOptions } from '../options.js';
import { isLoopback } from '../dashboard/loopback.js';
import { createPeerMetrics } from '../metrics/peer-metrics.js';
import {
  parseMetricsAddress,
  serveMetrics,
  type MetricsAddress,
  type MetricsServer,
} from '../metrics/server.js';
import { collectMultiaddr, nonNegativeInt, positiveInt, UsageError } from './errors.js';
import { AGGREGATOR_NAMES, type AggregatorName } from '@ppfm/meta';
import { PrivateNetworkError, readAllowList, readSwarmKey } from '../net/private-network.js';
import { addZeroShotOptions, zeroShotOptions, type ZsStartFlags } from './zs-start.js';

/** Reads --allow-peers / --swarm-key files; a bad file is a usage error naming the flag, file and line. */
async function privateNetwork(flags: StartFlags): Promise<Pick<PeerOptions, 'allowPeers' | 'swarmKey'>> {
  const out: Pick<PeerOptions, 'allowPeers' | 'swarmKey'> = {};
  try {
    if (flags.allowPeers !== undefined) out.allowPeers = await readAllowList(flags.allowPeers);
  } catch (err) {
    if (err instanceof PrivateNetworkError) throw new UsageError(`--allow-peers: ${err.message}`);
    throw err;
  }
  try {
    if (flags.swarmKey !== undefined) out.swarmKey = await readSwarmKey(flags.swarmKey);
  } catch (err) {
    if (err instanceof PrivateNetworkError) throw new UsageError(`--swarm-key: ${err.message}`);
    throw err;
  }
  return out;
}

export interface StartFlags extends ZsStartFlags {
  data: string;
  dataDir?: string;
  listen?: string[];
  bootstrap?: string[];
  mdns?: boolean;
  logDir?: string;
  logLevel: string;
  backend: 'auto' | 'node' | 'wasm' | 'cpu';
  model?: string;
  rounds?: number;
  quiet?: boolean;
  oneHost?: boolean;
  codec: 'float32' | 'float16' | 'int8';
  seed: number;
  minPeers: number;
  bootstrapWait: number;
  clustering: 'auto' | 'loss';
  metrics?: MetricsAddress;
  allowPeers?: string;
  swarmKey?: string;
  aggregator: AggregatorName;
}

/** Parses --metrics (commander argParser). */
function metricsAddress(value: string): MetricsAddress {
  try {
    return parseMetricsAddress(value);
  } catch (err) {
    throw new InvalidArgumentError(`${(err as Error).message}.`);
  }
}

export const DEFAULT_LISTEN = '/ip4/0.0.0.0/tcp/0';

/** Default data dir: `$PPFM_HOME/<basename of --data>`, PPFM_HOME defaulting to ~/.ppfm. */
export function defaultDataDir(dataPath: string): string {
  const home = process.env.PPFM_HOME ?? join(homedir(), '.ppfm');
  return join(home, basename(resolve(dataPath)));
}

async function readModelSpec(path: string): Promise<ModelSpec> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--model: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--model: ${path} is not valid JSON (${(err as Error).message})`);
  }
  const { parseModelSpec } = await import('@ppfm/meta');
  try {
    return parseModelSpec(value);
  } catch (err) {
    throw new UsageError(`--model: ${path}: ${(err as Error).message}`);
  }
}

/** Validates flags that commander cannot check alone (paths, files). */
async function checkPaths(flags: StartFlags): Promise<void> {
  try {
    await fs.stat(flags.data);
  } catch {
    throw new UsageError(`--data: ${flags.data} does not exist`);
  }
  if (flags.dataDir !== undefined) {
    const st = await fs.stat(flags.dataDir).catch(() => undefined);
    if (st !== undefined && !st.isDirectory())
      throw new UsageError(`--data-dir: ${flags.dataDir} is not a directory`);
  }
}

/** Starts a peer and resolves with its exit code once it has stopped. */
export async function runStart(flags: StartFlags): Promise<number> {
  await checkPaths(flags);
  const privateNet = await privateNetwork(flags);
  const model = flags.model !== undefined ? await readModelSpec(flags.model) : undefined;
  const dataDir = resolve(flags.dataDir ?? defaultDataDir(flags.data));
  const privateKey = await loadOrCreatePrivateKey(dataDir);
  const peerId = peerIdFromPrivateKey(privateKey).toString();
  const toStdout = flags.logDir === '-';
  const logFile = toStdout
    ? undefined
    : join(resolve(flags.logDir ?? join(dataDir, 'logs')), `${peerId}.log`);
  const log: EventLog = createEventLog({
    ...(logFile !== undefined ? { file: logFile } : {}),
    peerId,
    stdout: toStdout,
    level: flags.logLevel,
    pretty: !toStdout,
    quiet: flags.quiet === true,
  });
  // Human output goes to stdout unless stdout carries the JSON log.
  const say = (line: string): void => {
    if (flags.quiet === true) return;
    (toStdout ? process.stderr : process.stdout).write(line + '\n');
  };

  // Metrics first: a port in use should fail before the peer joins the network.
  const metrics = flags.metrics !== undefined ? createPeerMetrics({ peerId }) : undefined;
  let metricsServer: MetricsServer | undefined;
  if (metrics !== undefined && flags.metrics !== undefined) {
    try {
      metricsServer = await serveMetrics(metrics.registry, flags.metrics);
    } catch (err) {
      await log.close();
      throw new UsageError(
        `--metrics: cannot listen on ${flags.metrics.host}:${flags.metrics.port}: ${(err as Error).message}`,
      );
    }
    if (!isLoopback(flags.metrics.host))
      process.stderr.write(
        `ppfm: warning: metrics on ${metricsServer.url} are readable by anyone who can reach that address\n`,
      );
  }

  const zeroShot = await zeroShotOptions(flags, resolve(flags.data));
  const opts: PeerOptions = {
    data: resolve(flags.data),
    dataDir,
    privateKey,
    listen: flags.listen && flags.listen.length > 0 ? flags.listen : [DEFAULT_LISTEN],
    bootstrap: flags.bootstrap ?? [],
    mdns: flags.mdns === true,
    backend: flags.backend,
    ...(model !== undefined ? { model } : {}),
    ...(flags.rounds !== undefined ? { rounds: flags.rounds } : {}),
    oneHost: flags.oneHost === true,
    codec: flags.codec,
    seed: flags.seed,
    minPeers: flags.minPeers,
    clustering: flags.clustering,
    ...(zeroShot !== undefined ? { zeroShot } : {}),
    ...(metrics !== undefined ? { metrics } : {}),
    ...privateNet,
    aggregator: flags.aggregator,
    timing: { bootstrapWaitMs: flags.bootstrapWait * 1000 },
    // Waiting states are human output; warnings go to stderr even with --quiet.
    notice: (level, message) => {
      if (level === 'warn') process.stderr.write(`ppfm: warning: ${message}\n`);
      else if (flags.quiet !== true) process.stderr.write(`ppfm: ${message}\n`);
    },
  };
  const { startPeer } = await import('../peer.js');
  let peer;
  try {
    peer = await startPeer(opts, log);
  } catch (err) {
    await metricsServer?.close();
    await log.close();
    throw err;
  }
  say(`peer ${peer.peerId.toString()}`);
  for (const a of peer.addrs) say(a.toString());
  if (logFile !== undefined) say(`log: ${logFile}`);
  if (metricsServer !== undefined) say(`metrics: ${metricsServer.url}`);

  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) {
      // A second Ctrl-C means "now": skip the graceful shutdown.
      process.stderr.write(`ppfm: ${sig} again, exiting immediately\n`);
      process.exit(130);
    }
    process.stderr.write(`ppfm: ${sig}, stopping (saving checkpoint); press Ctrl-C again to exit now\n`);
    void peer.stop('signal').catch((err: unknown) => {
      process.stderr.write(`ppfm: error while stopping: ${(err as Error).message}\n`);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await peer.done;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await metricsServer?.close();
    await log.close();
  }
  return 0;
}

/** Registers the start subcommand. */
export function registerStart(program: Command, onExit: (code: number) => void): void {
  const cmd = program
    .command('start')
    .description('Start a PPFM peer on a local dataset. Runs until --rounds are done or SIGINT/SIGTERM.')
    .requiredOption(
      '--data <path>',
      'local dataset: a directory or file (csv, jsonl, idx, image folders, ppfm.json)',
    )
    .option(
      '--data-dir <dir>',
      'identity key (peer.key), checkpoints and default logs; created if missing ' +
        '(default: $PPFM_HOME/<basename of --data>, PPFM_HOME defaults to ~/.ppfm)',
    )
    .option(
      '--listen <multiaddr>',
      `listen address, repeatable (default: ${DEFAULT_LISTEN})`,
      collectMultiaddr,
    )
    .option('--bootstrap <multiaddr>', 'peer to connect to, with /p2p/<id>; repeatable', collectMultiaddr)
    .option('--mdns', 'discover peers on the local network with mDNS')
    .option(
      '--log-dir <dir>',
      'write the JSON-lines event log to <dir>/<peerId>.log; "-" writes it to stdout instead ' +
        '(default: <data-dir>/logs)',
    )
    .addOption(
      new Option('--log-level <level>', 'minimum log level')
        .choices(['trace', 'debug', 'info', 'warn', 'error'])
        .default('info'),
    )
    .addOption(
      new Option('--backend <name>', 'tensor backend')
        .choices(['auto', 'node', 'wasm', 'cpu'])
        .default('auto'),
    )
    .option('--model <spec.json>', 'model spec {"layers":[...]} (default: an MLP sized for the dataset)')
    .option('--rounds <n>', 'stop after N rounds (default: run until stopped)', positiveInt)
    .option('--quiet', 'print nothing but errors (the event log is still written)')
    .option(
      '--one-host',
      'loopback testnet settings: no gossipsub IP-colocation penalty, loopback not rate-limited',
    )
    .addOption(
      new Option('--codec <codec>', 'model transfer encoding')
        .choices(['float32', 'float16', 'int8'])
        .default('float32'),
    )
    .option('--seed <n>', 'random seed (training, splits)', nonNegativeInt, 1)
    .option(
      '--min-peers <n>',
      'do not open or join a first round before the view holds N live peers, self included ' +
        '(prints "waiting: ..." meanwhile; once reached, peers may leave)',
      positiveInt,
      1,
    )
    .option(
      '--bootstrap-wait <seconds>',
      'with --bootstrap: before the first round, wait up to this long for a connection to a ' +
        'bootstrap peer, then proceed with a warning; 0 disables',
      nonNegativeInt,
      30,
    )
    .addOption(
      new Option(
        '--clustering <mode>',
        'auto: refine by loss only when fingerprints do not separate the tasks; ' +
          'loss: always refine by loss (warm-up models + loss reports)',
      )
        .choices(['auto', 'loss'])
        .default('auto'),
    )
    .option(
      '--metrics <[host:]port>',
      'serve Prometheus metrics at http://HOST:PORT/metrics (host default 127.0.0.1; another address ' +
        'exposes them to whoever can reach it)',
      metricsAddress,
    )
    .option(
      '--allow-peers <file>',
      'private network: only the peer ids listed in FILE (one per line, # comments) may connect; ' +
        'list every peer, this one included',
    )
    .option(
      '--swarm-key <file>',
      'private network: a pre-shared key (libp2p pnet, "/key/swarm/psk/1.0.0/" format) every peer ' +
        'must hold; connections without it fail at once',
    )
    .addOption(
      new Option(
        '--aggregator <name>',
        "how a head combines its members' updates (after dropping non-finite and norm outliers); " +
          'auto: mean below 3 updates, clip-mean for 3-4, median from 5',
      )
        .choices([...AGGREGATOR_NAMES])
        .default('auto'),
    );
  addZeroShotOptions(cmd, positiveInt);
  cmd.action(async (flags: StartFlags) => onExit(await runStart(flags)));
}
