// The options of `ppfm start`, as one data table: a new option is a row here (and a field of
// StartFlags), in the order `ppfm start --help` lists them. Zero-shot and privacy flags are
// registered by zs-start.ts and privacy-flags.ts.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { AGGREGATOR_NAMES, MAX_SNAP_LOW, type AggregatorName } from '@ppfm/meta/light';
import { AUGMENT_SETTINGS_DEFAULTS, augmentSnapOk, augmentThresholdOk } from '../learner/learner.js';
import { DEFAULT_PERSONALISE_EVERY } from '../options.js';
import { parseMetricsAddress, type MetricsAddress } from '../metrics/server.js';
import { collectBootstrap, collectMultiaddr, nonNegativeInt, positiveInt } from './errors.js';
import type { PrivacyFlags } from './privacy-flags.js';
import type { ZsStartFlags } from './zs-start.js';

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
  augmentSnap: number;
}

export const DEFAULT_LISTEN = '/ip4/0.0.0.0/tcp/0';

/** Parses --augment-threshold: a share in [0, 1). */
function share(value: string): number {
  const v = Number(value);
  if (value.trim() === '' || !augmentThresholdOk(v))
    throw new InvalidArgumentError('expected a number in [0, 1).');
  return v;
}

/** Parses --augment-snap: a share of the value range in [0, MAX_SNAP_LOW]. */
export function snapShare(value: string): number {
  const v = Number(value);
  if (value.trim() === '' || !augmentSnapOk(v))
    throw new InvalidArgumentError(`expected a number in [0, ${MAX_SNAP_LOW}].`);
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

/** One row of the table: commander's flags and help, and what it parses, defaults to or allows. */
export interface StartOption {
  flags: string;
  description: string;
  /** Commander argParser; `previous` is the value so far (repeatable options collect). */
  parse?: ((value: string) => unknown) | ((value: string, previous: string[] | undefined) => string[]);
  default?: string | number;
  choices?: readonly string[];
  required?: true;
}

/** Every option of `ppfm start` (before the zero-shot and privacy flags). */
export const START_OPTIONS: readonly StartOption[] = [
  {
    flags: '--data <path>',
    description: 'local dataset: a directory or file (csv, jsonl, idx, image folders, ppfm.json)',
    required: true,
  },
  {
    flags: '--data-dir <dir>',
    description:
      'identity key (peer.key), checkpoints, address book (peers.json) and default logs; created ' +
      'if missing; one running peer per data dir (default: $PPFM_HOME/<basename of --data>-<hash of ' +
      'its path>, PPFM_HOME defaults to ~/.ppfm)',
  },
  {
    flags: '--listen <multiaddr>',
    description: `listen address, repeatable (default: ${DEFAULT_LISTEN})`,
    parse: collectMultiaddr,
  },
  {
    flags: '--bootstrap <multiaddr>',
    description: 'peer to connect to, with /p2p/<id>; repeatable',
    parse: collectBootstrap,
  },
  { flags: '--mdns', description: 'discover peers on the local network with mDNS' },
  {
    flags: '--log-dir <dir>',
    description:
      'write the JSON-lines event log to <dir>/<peerId>.log; "-" writes it to stdout instead (the ' +
      'human lines stay on stderr) (default: <data-dir>/logs)',
  },
  {
    flags: '--log-level <level>',
    description: 'minimum log level',
    choices: ['trace', 'debug', 'info', 'warn', 'error'],
    default: 'info',
  },
  {
    flags: '--backend <name>',
    description: 'tensor backend',
    choices: ['auto', 'node', 'wasm', 'cpu'],
    default: 'auto',
  },
  {
    flags: '--model <spec.json>',
    description:
      'model spec {"layers":[...]} (default: an MLP sized for the dataset; with --augment, with batch norm)',
  },
  {
    flags: '--rounds <n>',
    description: 'stop after N rounds (default: run until stopped)',
    parse: positiveInt,
  },
  {
    flags: '--quiet',
    description: 'print nothing but warnings and errors (the event log is still written)',
  },
  {
    flags: '--one-host',
    description: 'loopback testnet settings: no gossipsub IP-colocation penalty, loopback not rate-limited',
  },
  {
    flags: '--codec <codec>',
    description: 'model transfer encoding',
    choices: ['float32', 'float16', 'int8'],
    default: 'float32',
  },
  {
    flags: '--personalise-every <n>',
    description:
      'personalise (fine-tune on local data, then score) every N rounds and at the final round; ' +
      'the rounds between score the cluster model as is; 0: the final --rounds round only',
    parse: nonNegativeInt,
    default: DEFAULT_PERSONALISE_EVERY,
  },
  { flags: '--seed <n>', description: 'random seed (training, splits)', parse: nonNegativeInt, default: 1 },
  {
    flags: '--min-peers <n>',
    description:
      'do not open or join a first round before the view holds N live peers, self included ' +
      '(prints "waiting for ..." meanwhile; once reached, peers may leave; a peer resuming from ' +
      'a checkpoint is past its first round and skips this)',
    parse: positiveInt,
    default: 1,
  },
  {
    flags: '--bootstrap-wait <seconds>',
    description:
      'with --bootstrap (or, resuming, known peers in peers.json): before the first round, wait ' +
      'up to this long to hear from one of them, then proceed with a warning; 0 disables',
    parse: nonNegativeInt,
    default: 30,
  },
  {
    flags: '--clustering <mode>',
    description:
      'auto: refine by loss only when fingerprints do not separate the tasks; ' +
      'loss: always refine by loss (warm-up models + loss reports)',
    choices: ['auto', 'loss'],
    default: 'auto',
  },
  {
    flags: '--metrics <[host:]port>',
    description:
      'serve Prometheus metrics at http://HOST:PORT/metrics (host default 127.0.0.1; another address ' +
      'exposes them to whoever can reach it)',
    parse: metricsAddress,
  },
  {
    flags: '--fresh',
    description:
      'start over from round 0: existing checkpoints are kept aside (checkpoint.bin.old-<time>), ' +
      'the identity and address book stay',
  },
  {
    flags: '--allow-peers <file>',
    description:
      'private network: only the peer ids listed in FILE (one per line, # comments) may connect; ' +
      'list every peer, this one included',
  },
  {
    flags: '--swarm-key <file>',
    description:
      'private network: a pre-shared key (libp2p pnet, "/key/swarm/psk/1.0.0/" format) every peer ' +
      'must hold; connections without it fail at once',
  },
  {
    flags: '--aggregator <name>',
    description:
      "how a head combines its members' updates (after dropping non-finite and norm outliers); " +
      'auto: mean below 3 updates, clip-mean for 3-4, median from 5',
    choices: [...AGGREGATOR_NAMES],
    default: 'auto',
  },
  {
    flags: '--augment <role>',
    description:
      'zero-shot data augmentation from batch-norm statistics (FedZDA): member: top up rare classes ' +
      'with samples synthesised from the cluster model before local training; head: fine-tune the ' +
      'aggregate on a class-balanced synthetic set before publishing (default model: an MLP with batch norm)',
    choices: ['member', 'head'],
  },
  {
    flags: '--augment-threshold <share>',
    description: 'with --augment member: classes below this share of the train split are topped up to it',
    parse: share,
    default: AUGMENT_SETTINGS_DEFAULTS.threshold,
  },
  {
    flags: '--augment-per-class <n>',
    description: 'with --augment head: synthetic samples per class',
    parse: positiveInt,
    default: AUGMENT_SETTINGS_DEFAULTS.perClass,
  },
  {
    flags: '--augment-steps <n>',
    description: 'with --augment: synthesis optimisation steps',
    parse: positiveInt,
    default: AUGMENT_SETTINGS_DEFAULTS.steps,
  },
  {
    flags: '--augment-time <seconds>',
    description: 'with --augment: wall-time bound of one synthesis (no step starts after it)',
    parse: positiveInt,
    default: AUGMENT_SETTINGS_DEFAULTS.timeBudgetMs / 1000,
  },
  {
    flags: '--augment-snap <share>',
    description:
      'with --augment: synthetic input values within this share of the value range above its low end are ' +
      'set to it (no faint background; images: the background is the low end; 0 turns it off; at most ' +
      `${MAX_SNAP_LOW}; the simulator's default)`,
    parse: snapShare,
    default: AUGMENT_SETTINGS_DEFAULTS.snapLow,
  },
];

/** Adds the table's options to `cmd`, in table order. */
export function addStartOptions(cmd: Command, table: readonly StartOption[] = START_OPTIONS): Command {
  for (const row of table) {
    const opt = new Option(row.flags, row.description);
    if (row.choices !== undefined) opt.choices(row.choices);
    if (row.parse !== undefined) opt.argParser(row.parse as (value: string, previous: unknown) => unknown);
    if (row.default !== undefined) opt.default(row.default);
    if (row.required === true) opt.makeOptionMandatory();
    cmd.addOption(opt);
  }
  return cmd;
}
