/** Command-line surface of `npm run testnet`: parsing, validation and help. */
import { parseArgs } from 'node:util';
import { parseSlow, type SlowSpec } from './slow.js';

export type Backend = 'auto' | 'node' | 'wasm' | 'cpu';
export type Codec = 'float32' | 'float16' | 'int8';
export type Aggregator = 'mean' | 'median' | 'trimmed-mean' | 'clip-mean' | 'auto';
const AGGREGATORS: readonly Aggregator[] = ['mean', 'median', 'trimmed-mean', 'clip-mean', 'auto'];

/** Everything a testnet run needs; also what the e2e test and benchmarks pass in-process. */
export interface TestnetOptions {
  peers: number;
  dataset: string;
  partition: string;
  rounds: number;
  seed: number;
  backend: Backend;
  codec: Codec;
  /** SIGKILL the head of one cluster when that cluster's round R opens. */
  killHeadAtRound?: number;
  /** Share of the peers (0..1) that leave at a seeded round and come back from their checkpoint. */
  churn?: number;
  /** `--slow K[:SHARE]`: K members run at SHARE of their CPU from round 1 (stragglers). */
  slow?: SlowSpec;
  /** Start this many extra peers (partitioned with the others) after round 1. */
  lateJoin: number;
  /** Use at most this many samples of the dataset (seeded subset), to make short runs. */
  maxSamples?: number;
  out?: string;
  json: boolean;
  timeoutSeconds: number;
  /** Extra arguments passed to every `ppfm start`. */
  extraPeerArgs: string[];
  /** How heads combine updates (`ppfm start --aggregator`); default: the peers' default (auto). */
  aggregator?: Aggregator;
  /** Serve the live dashboard of the run on this port of 127.0.0.1 (0: any free port). */
  dashboard?: number;
  /** Zero-shot augmentation on every peer (`ppfm start --augment`). */
  augment?: 'member' | 'head';
  /** Every peer runs without bootstrap addresses and --min-peers: N peers that never federate. */
  alone: boolean;
}

/** Port of `--dashboard` without a value. */
export const DEFAULT_DASHBOARD_PORT = 8080;

export const DEFAULTS: TestnetOptions = {
  peers: 8,
  dataset: 'mnist',
  partition: 'rotate:2',
  rounds: 10,
  seed: 1,
  backend: 'auto',
  codec: 'float32',
  lateJoin: 0,
  json: false,
  timeoutSeconds: 600,
  extraPeerArgs: [],
  alone: false,
};

export const HELP = `Usage: npm run testnet -- [options]

Partitions a dataset, starts N real \`ppfm start\` peers on 127.0.0.1, follows their logs live,
prints a summary and exits 0 if every surviving peer finished the rounds and the clusters match the
partition's truth (label-skew partitions, dirichlet: and classes:, have none: ARI is not judged);
1 if the run failed; 2 on a usage error.

Options:
  --peers N               number of peers started at once (default 8; 1 runs a lone peer)
  --dataset NAME|PATH     builtin dataset (mnist, synthetic, fashion-mnist) or a dataset path (default mnist)
  --partition SPEC        iid | dirichlet:a | rotate:k | labelswap:k | shift:k | classes:n | synthetic:a,b | zeroshot:u[,g] (default rotate:2)
  --rounds N              rounds each peer runs (default 10)
  --seed N                seed for partitioning and the peers (default 1)
  --backend B             auto | node | wasm | cpu (default auto)
  --codec C               float32 | float16 | int8 weights on the wire (default float32)
  --kill-head-at-round R  SIGKILL one cluster's head when that cluster opens round R; measures failover
  --late-join K           start K extra peers after round 1 (partitioned with the others)
  --churn F               a share F (0..1] of the peers leaves (SIGKILL) at a seeded round and comes
                          back 5 s later from its data dir; reports each return's catch-up seconds
  --slow K[:SHARE]        K members (never a head) run at SHARE (default 0.1) of their CPU from round 1,
                          by SIGSTOP/SIGCONT; checks rounds are not held for them past the deadline
  --max-samples N         use a seeded subset of N samples of the dataset (faster runs)
  --out DIR               run directory (default runs/<timestamp>); left for \`ppfm inspect DIR/logs\`
  --json                  print only the summary JSON on stdout (progress goes to stderr)
  --timeout S             give up after S seconds (default 600)
  --aggregator A          mean | median | trimmed-mean | clip-mean | auto: how heads combine updates
                          (default: the peers' default, auto)
  --augment ROLE          member | head: zero-shot data augmentation (FedZDA) on every peer
  --peer-arg ARG          extra argument for every \`ppfm start\` (repeatable)
  --alone                 start every peer without bootstrap addresses: N peers that never federate
                          (each trains local rounds; the truth is one cluster per peer)
  --dashboard [PORT]      serve the live dashboard on http://127.0.0.1:PORT/ (default 8080; 0 any free port);
                          every run also writes a static report.html into its run directory
  -h, --help              show this help
`;

export type ParseResult =
  { kind: 'run'; options: TestnetOptions } | { kind: 'help' } | { kind: 'error'; message: string };

function int(name: string, v: string | undefined, min: number): number | string {
  if (v === undefined) return `--${name} needs a value`;
  if (!/^-?\d+$/.test(v.trim())) return `--${name} must be an integer, got '${v}'`;
  const n = Number(v);
  if (n < min) return `--${name} must be >= ${min}, got ${n}`;
  return n;
}

/** `--dashboard` takes an optional port: give parseArgs (which has no optional values) an explicit one. */
function dashboardDefault(argv: string[]): string[] {
  return argv.map((a, i) =>
    a === '--dashboard' && !/^\d+$/.test(argv[i + 1] ?? '') ? `--dashboard=${DEFAULT_DASHBOARD_PORT}` : a,
  );
}

/** Parses and validates the testnet's arguments (without the node/script prefix). */
export function parseTestnetArgs(argv: string[]): ParseResult {
  let parsed;
  try {
    parsed = parseArgs({
      args: dashboardDefault(argv),
      strict: true,
      allowPositionals: false,
      options: {
        peers: { type: 'string' },
        dataset: { type: 'string' },
        partition: { type: 'string' },
        rounds: { type: 'string' },
        seed: { type: 'string' },
        backend: { type: 'string' },
        codec: { type: 'string' },
        'kill-head-at-round': { type: 'string' },
        'late-join': { type: 'string' },
        churn: { type: 'string' },
        slow: { type: 'string' },
        'max-samples': { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean' },
        timeout: { type: 'string' },
        'peer-arg': { type: 'string', multiple: true },
        aggregator: { type: 'string' },
        augment: { type: 'string' },
        dashboard: { type: 'string' },
        alone: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    return { kind: 'error', message: (err as Error).message };
  }
  const v = parsed.values;
  if (v.help === true) return { kind: 'help' };
  const o: TestnetOptions = { ...DEFAULTS, extraPeerArgs: [...(v['peer-arg'] ?? [])] };
  const ints: [keyof typeof v, number, (n: number) => void][] = [
    ['peers', 1, (n) => (o.peers = n)],
    ['rounds', 1, (n) => (o.rounds = n)],
    ['seed', 0, (n) => (o.seed = n)],
    ['kill-head-at-round', 1, (n) => (o.killHeadAtRound = n)],
    ['late-join', 0, (n) => (o.lateJoin = n)],
    ['max-samples', 10, (n) => (o.maxSamples = n)],
  ];
  for (const [name, min, set] of ints) {
    const raw = v[name];
    if (raw === undefined) continue;
    const r = int(String(name), raw as string, min);
    if (typeof r === 'string') return { kind: 'error', message: r };
    set(r);
  }
  if (v.dataset !== undefined) {
    if (v.dataset.trim() === '') return { kind: 'error', message: '--dataset must not be empty' };
    o.dataset = v.dataset;
  }
  if (v.partition !== undefined) {
    if (
      !/^(iid|dirichlet:[0-9.]+|rotate:\d+|labelswap:\d+|shift:\d+|classes:\d+|synthetic:[0-9.]+,[0-9.]+|zeroshot:\d+(,\d+)?)$/.test(
        v.partition,
      )
    )
      return {
        kind: 'error',
        message: `--partition must be iid | dirichlet:a | rotate:k | labelswap:k | shift:k | classes:n | synthetic:a,b | zeroshot:u[,g], got '${v.partition}'`,
      };
    o.partition = v.partition;
  }
  if (v.backend !== undefined) {
    if (!['auto', 'node', 'wasm', 'cpu'].includes(v.backend))
      return { kind: 'error', message: `--backend must be auto | node | wasm | cpu, got '${v.backend}'` };
    o.backend = v.backend as Backend;
  }
  if (v.codec !== undefined) {
    if (!['float32', 'float16', 'int8'].includes(v.codec))
      return { kind: 'error', message: `--codec must be float32 | float16 | int8, got '${v.codec}'` };
    o.codec = v.codec as Codec;
  }
  if (v.aggregator !== undefined) {
    if (!(AGGREGATORS as readonly string[]).includes(v.aggregator))
      return {
        kind: 'error',
        message: `--aggregator must be ${AGGREGATORS.join(' | ')}, got '${v.aggregator}'`,
      };
    o.aggregator = v.aggregator as Aggregator;
  }
  if (v.augment !== undefined) {
    if (v.augment !== 'member' && v.augment !== 'head')
      return { kind: 'error', message: `--augment must be member | head, got '${v.augment}'` };
    o.augment = v.augment;
  }
  if (v.timeout !== undefined) {
    const t = Number(v.timeout);
    if (!Number.isFinite(t) || t <= 0)
      return { kind: 'error', message: `--timeout must be a positive number of seconds, got '${v.timeout}'` };
    o.timeoutSeconds = t;
  }
  if (o.killHeadAtRound !== undefined && o.killHeadAtRound > o.rounds)
    return {
      kind: 'error',
      message: `--kill-head-at-round ${o.killHeadAtRound} is beyond --rounds ${o.rounds}`,
    };
  if (v.churn !== undefined) {
    const f = Number(v.churn);
    if (!Number.isFinite(f) || f <= 0 || f > 1)
      return { kind: 'error', message: `--churn must be a share in (0, 1], got '${v.churn}'` };
    o.churn = f;
  }
  if (v.slow !== undefined) {
    const spec = parseSlow(v.slow, o.peers);
    if (typeof spec === 'string') return { kind: 'error', message: spec };
    o.slow = spec;
  }
  if (v.dashboard !== undefined) {
    const port = int('dashboard', v.dashboard, 0);
    if (typeof port === 'string' || port > 65535)
      return { kind: 'error', message: `--dashboard takes a port 0..65535, got '${v.dashboard}'` };
    o.dashboard = port;
  }
  if (v.alone === true) {
    // Faults, stragglers and joiners need peers that find each other; alone peers never do.
    const clash = [
      o.killHeadAtRound !== undefined ? '--kill-head-at-round' : '',
      o.churn !== undefined ? '--churn' : '',
      o.lateJoin > 0 ? '--late-join' : '',
      o.slow !== undefined ? '--slow' : '',
    ].filter((x) => x !== '');
    if (clash.length > 0)
      return { kind: 'error', message: `--alone cannot be combined with ${clash.join(', ')}` };
    o.alone = true;
  }
  if (v.out !== undefined) o.out = v.out;
  o.json = v.json === true;
  return { kind: 'run', options: o };
}
