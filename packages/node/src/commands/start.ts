// `ppfm start`: runs one PPFM peer until it completes --rounds or receives SIGINT/SIGTERM.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { createHash } from 'node:crypto';
import { existsSync, promises as fs, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { createEventLog, fsReason, type EventLog } from '../log/event-log.js';
import { KEY_FILE, loadOrCreatePrivateKey } from '../identity.js';
import type { ModelSpec } from '@ppfm/meta';
import { DEFAULT_PERSONALISE_EVERY, type PeerOptions } from '../options.js';
import { isLoopback } from '../dashboard/loopback.js';
import { createPeerMetrics } from '../metrics/peer-metrics.js';
import {
  parseMetricsAddress,
  serveMetrics,
  type MetricsAddress,
  type MetricsServer,
} from '../metrics/server.js';
import { collectBootstrap, collectMultiaddr, nonNegativeInt, positiveInt, UsageError } from './errors.js';
import { describeStartError } from './start-errors.js';
import { AUGMENT_SETTINGS_DEFAULTS } from '../learner/learner.js';
import { privacyFromFlags, registerPrivacyFlags, type PrivacyFlags } from './privacy-flags.js';
import { AGGREGATOR_NAMES, type AggregatorName } from '@ppfm/meta/light';
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

export interface StartFlags extends PrivacyFlags, ZsStartFlags {
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
  personaliseEvery: number;
  seed: number;
  minPeers: number;
  bootstrapWait: number;
  clustering: 'auto' | 'loss';
  metrics?: MetricsAddress;
  fresh?: boolean;
  allowPeers?: string;
  swarmKey?: string;
  aggregator: AggregatorName;
  augment?: 'member' | 'head';
  augmentThreshold: number;
  augmentPerClass: number;
  augmentSteps: number;
  augmentTime: number;
}

/** Parses --augment-threshold: a share in [0, 1). */
function share(value: string): number {
  const v = Number(value);
  if (value.trim() === '' || !(v >= 0 && v < 1))
    throw new InvalidArgumentError('expected a number in [0, 1).');
  return v;
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

/** `$PPFM_HOME`, defaulting to ~/.ppfm. */
function ppfmHome(): string {
  return process.env.PPFM_HOME ?? join(homedir(), '.ppfm');
}

/**
 * Default data dir: `$PPFM_HOME/<basename of --data>-<8 hex of sha256(real path of --data)>`, so
 * two datasets with the same folder name never share an identity, a log or a checkpoint.
 */
export function defaultDataDir(dataPath: string): string {
  let real = resolve(dataPath);
  try {
    real = realpathSync(real);
  } catch {
    // a path that cannot be resolved is refused by checkPaths; hash it as given
  }
  const hash = createHash('sha256').update(real).digest('hex').slice(0, 8);
  return join(ppfmHome(), `${basename(real)}-${hash}`);
}

/** The default of older versions (`$PPFM_HOME/<basename>`), when it holds an identity. */
function legacyDataDir(dataPath: string): string | undefined {
  const old = join(ppfmHome(), basename(resolve(dataPath)));
  return existsSync(join(old, KEY_FILE)) ? old : undefined;
}

/** Reads and checks a --model spec file (a usage error naming the file otherwise). */
export async function readModelSpec(path: string): Promise<ModelSpec> {
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
  const { parseModelSpec } = await import('@ppfm/meta/light');
  try {
    return parseModelSpec(value);
  } catch (err) {
    throw new UsageError(`--model: ${path}: ${(err as Error).message}`);
  }
}

/** Why a path cannot be used, for an error naming it. */
function pathProblem(err: unknown): string {
  return (err as NodeJS.ErrnoException).code === 'ENOENT' ? ' does not exist' : `: ${fsReason(err)}`;
}

/** Validates flags that commander cannot check alone (paths, files). */
async function checkPaths(flags: StartFlags): Promise<void> {
  try {
    await fs.stat(flags.data);
  } catch (err) {
    throw new UsageError(`--data: ${flags.data}${pathProblem(err)}`);
  }
  if (flags.dataDir !== undefined) {
    const st = await fs.stat(flags.dataDir).catch(() => undefined);
    if (st !== undefined && !st.isDirectory())
      throw new UsageError(`--data-dir: ${flags.dataDir} is not a directory`);
  }
}

/** Creates the data dir and loads the identity, naming the flag when the place is unusable. */
async function loadIdentity(dataDir: string, flag: string): ReturnType<typeof loadOrCreatePrivateKey> {
  try {
    return await loadOrCreatePrivateKey(dataDir);
  } catch (err) {
    if ((err as Error).name === 'IdentityError') throw err;
    throw new UsageError(`${flag}: cannot use ${dataDir}: ${fsReason(err)}`);
  }
}

/** Starts a peer and resolves with its exit code once it has stopped. */
export async function runStart(flags: StartFlags): Promise<number> {
  await checkPaths(flags);
  if (flags.personaliseEvery === 0 && flags.rounds === undefined)
    throw new UsageError(
      '--personalise-every 0 personalises at the final round only and needs --rounds N ' +
        '(without it the peer would never personalise)',
    );
  const privacy = privacyFromFlags(flags, { rounds: flags.rounds, aggregator: flags.aggregator });
  const privateNet = await privateNetwork(flags);
  const model = flags.model !== undefined ? await readModelSpec(flags.model) : undefined;
  const dataDir = resolve(flags.dataDir ?? defaultDataDir(flags.data));
  const privateKey = await loadIdentity(dataDir, flags.dataDir !== undefined ? '--data-dir' : 'data dir');
  const peerId = peerIdFromPrivateKey(privateKey).toString();
  const toStdout = flags.logDir === '-';
  const logFile = toStdout
    ? undefined
    : join(resolve(flags.logDir ?? join(dataDir, 'logs')), `${peerId}.log`);
  let log: EventLog;
  try {
    log = createEventLog({
      ...(logFile !== undefined ? { file: logFile } : {}),
      peerId,
      stdout: toStdout,
      level: flags.logLevel,
      // Human lines go to stderr in every mode (with `--log-dir -` stdout carries the JSON).
      pretty: true,
      quiet: flags.quiet === true,
    });
  } catch (err) {
    if ((err as Error).name !== 'LogFileError') throw err;
    throw new UsageError(
      `${flags.logDir !== undefined ? '--log-dir' : '--data-dir'}: ${(err as Error).message}`,
    );
  }
  // Human output goes to stdout unless stdout carries the JSON log.
  const say = (line: string): void => {
    if (flags.quiet === true) return;
    (toStdout ? process.stderr : process.stdout).write(line + '\n');
  };
  say(`data dir: ${dataDir}`);
  const legacy = flags.dataDir === undefined ? legacyDataDir(flags.data) : undefined;
  if (legacy !== undefined && !existsSync(join(dataDir, KEY_FILE)))
    process.stderr.write(
      `ppfm: note: ${legacy} (the default data dir of older versions) holds an identity; ` +
        `pass --data-dir ${legacy} to keep that peer id and its checkpoints\n`,
    );

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
  if (zeroShot !== undefined && flags.augment !== undefined)
    throw new UsageError(
      '--augment: zero-shot data augmentation needs a classification task, not --task zero-shot',
    );
  const opts: PeerOptions = {
    data: resolve(flags.data),
    dataDir,
    privateKey,
    listen: flags.listen && flags.listen.length > 0 ? flags.listen : [DEFAULT_LISTEN],
    bootstrap: flags.bootstrap ?? [],
    mdns: flags.mdns === true,
    backend: flags.backend,
    ...(model !== undefined ? { model } : {}),
    ...(flags.augment !== undefined
      ? {
          augment: {
            mode: flags.augment,
            threshold: flags.augmentThreshold,
            perClass: flags.augmentPerClass,
            steps: flags.augmentSteps,
            timeBudgetMs: flags.augmentTime * 1000,
          },
        }
      : {}),
    ...(flags.rounds !== undefined ? { rounds: flags.rounds } : {}),
    oneHost: flags.oneHost === true,
    codec: flags.codec,
    personaliseEvery: flags.personaliseEvery,
    seed: flags.seed,
    minPeers: flags.minPeers,
    clustering: flags.clustering,
    ...(zeroShot !== undefined ? { zeroShot } : {}),
    ...(metrics !== undefined ? { metrics } : {}),
    ...(privacy !== undefined ? { privacy } : {}),
    ...privateNet,
    aggregator: flags.aggregator,
    timing: { bootstrapWaitMs: flags.bootstrapWait * 1000 },
    fresh: flags.fresh === true,
    // Notices reach the terminal through the event log's human lines (warnings even with --quiet).
  };
  const { startPeer } = await import('../peer.js');
  let peer;
  try {
    peer = await startPeer(opts, log);
  } catch (err) {
    await metricsServer?.close();
    await log.close();
    throw describeStartError(err);
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
  const start = program
    .command('start')
    .description('Start a PPFM peer on a local dataset. Runs until --rounds are done or SIGINT/SIGTERM.')
    .requiredOption(
      '--data <path>',
      'local dataset: a directory or file (csv, jsonl, idx, image folders, ppfm.json)',
    )
    .option(
      '--data-dir <dir>',
      'identity key (peer.key), checkpoints, address book (peers.json) and default logs; created ' +
        'if missing; one running peer per data dir (default: $PPFM_HOME/<basename of --data>-<hash of ' +
        'its path>, PPFM_HOME defaults to ~/.ppfm)',
    )
    .option(
      '--listen <multiaddr>',
      `listen address, repeatable (default: ${DEFAULT_LISTEN})`,
      collectMultiaddr,
    )
    .option('--bootstrap <multiaddr>', 'peer to connect to, with /p2p/<id>; repeatable', collectBootstrap)
    .option('--mdns', 'discover peers on the local network with mDNS')
    .option(
      '--log-dir <dir>',
      'write the JSON-lines event log to <dir>/<peerId>.log; "-" writes it to stdout instead (the ' +
        'human lines stay on stderr) (default: <data-dir>/logs)',
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
    .option(
      '--model <spec.json>',
      'model spec {"layers":[...]} (default: an MLP sized for the dataset; with --augment, with batch norm)',
    )
    .option('--rounds <n>', 'stop after N rounds (default: run until stopped)', positiveInt)
    .option('--quiet', 'print nothing but warnings and errors (the event log is still written)')
    .option(
      '--one-host',
      'loopback testnet settings: no gossipsub IP-colocation penalty, loopback not rate-limited',
    )
    .addOption(
      new Option('--codec <codec>', 'model transfer encoding')
        .choices(['float32', 'float16', 'int8'])
        .default('float32'),
    )
    .option(
      '--personalise-every <n>',
      'personalise (fine-tune on local data, then score) every N rounds and at the final round; ' +
        'the rounds between score the cluster model as is; 0: the final --rounds round only',
      nonNegativeInt,
      DEFAULT_PERSONALISE_EVERY,
    )
    .option('--seed <n>', 'random seed (training, splits)', nonNegativeInt, 1)
    .option(
      '--min-peers <n>',
      'do not open or join a first round before the view holds N live peers, self included ' +
        '(prints "waiting for ..." meanwhile; once reached, peers may leave; a peer resuming from ' +
        'a checkpoint is past its first round and skips this)',
      positiveInt,
      1,
    )
    .option(
      '--bootstrap-wait <seconds>',
      'with --bootstrap (or, resuming, known peers in peers.json): before the first round, wait ' +
        'up to this long to hear from one of them, then proceed with a warning; 0 disables',
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
      '--fresh',
      'start over from round 0: existing checkpoints are kept aside (checkpoint.bin.old-<time>), ' +
        'the identity and address book stay',
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
    )
    .addOption(
      new Option(
        '--augment <role>',
        'zero-shot data augmentation from batch-norm statistics (FedZDA): member: top up rare classes ' +
          'with samples synthesised from the cluster model before local training; head: fine-tune the ' +
          'aggregate on a class-balanced synthetic set before publishing (default model: an MLP with batch norm)',
      ).choices(['member', 'head']),
    )
    .option(
      '--augment-threshold <share>',
      'with --augment member: classes below this share of the train split are topped up to it',
      share,
      AUGMENT_SETTINGS_DEFAULTS.threshold,
    )
    .option(
      '--augment-per-class <n>',
      'with --augment head: synthetic samples per class',
      positiveInt,
      AUGMENT_SETTINGS_DEFAULTS.perClass,
    )
    .option(
      '--augment-steps <n>',
      'with --augment: synthesis optimisation steps',
      positiveInt,
      AUGMENT_SETTINGS_DEFAULTS.steps,
    )
    .option(
      '--augment-time <seconds>',
      'with --augment: wall-time bound of one synthesis (no step starts after it)',
      positiveInt,
      AUGMENT_SETTINGS_DEFAULTS.timeBudgetMs / 1000,
    );
  addZeroShotOptions(start, positiveInt);
  registerPrivacyFlags(start).action(async (flags: StartFlags) => onExit(await runStart(flags)));
}
