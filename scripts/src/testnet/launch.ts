// How the testnet launches a peer: its name, its `ppfm start` command line, the address others
// dial it at, and what its stderr said when it died.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { TestnetOptions } from './options.js';
import { pad } from './summary.js';

/** The testnet's name of peer `i` (its data dir, log and stderr files). */
export function peerName(i: number): string {
  return `peer-${pad(i)}`;
}

/** The loopback TCP multiaddr (with /p2p/<id>) a peer announced, if any. */
export function dialableAddr(addrs: readonly string[], peerId: string): string | undefined {
  const a = addrs.find((x) => x.startsWith('/ip4/127.0.0.1/tcp/')) ?? addrs.find((x) => /\/tcp\/\d+/.test(x));
  if (a === undefined) return undefined;
  const local = a.replace(/^\/ip4\/0\.0\.0\.0\//, '/ip4/127.0.0.1/');
  return local.includes('/p2p/') ? local : `${local}/p2p/${peerId}`;
}

/** Peers from this index on bootstrap through peers already up, not only peer-00 and peer-01. */
export const SPREAD_BOOTSTRAP_FROM = 16;

/**
 * Whom peer `i` dials to join. Up to SPREAD_BOOTSTRAP_FROM peers, the two bootstrap peers (but
 * itself). From there, one of them (alternating) and two peers already up, picked by index: with
 * 64 peers on 2 cores, every joiner's handshake on peer-00 and peer-01 filled their listen queues
 * (73-119 connections waiting) and a dozen late joiners never got in.
 */
export function bootstrapFor(i: number, boots: readonly string[], up: readonly string[]): string[] {
  if (i < SPREAD_BOOTSTRAP_FROM || up.length === 0 || boots.length === 0)
    return boots.filter((_, b) => b !== i);
  const picks = new Set([up[i % up.length] as string, up[(i * 7 + 3) % up.length] as string]);
  return [boots[i % boots.length] as string, ...picks];
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
export function tail(file: string, lines = 5): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join(' | ');
  } catch {
    return '';
  }
}

/** Where one peer's files go and whom it dials. */
export interface PeerLaunch {
  index: number;
  data: string;
  dataDir: string;
  logDir: string;
  listen: string;
  bootstrap: string[];
  /** Pass --min-peers (the CLI supports it and the peer is one of the first `opts.peers`). */
  minPeers: boolean;
}

/** The `ppfm start` arguments of one testnet peer (with --alone: no bootstrap, no --min-peers). */
export function peerArgs(opts: TestnetOptions, p: PeerLaunch): string[] {
  const bootstrap = opts.alone ? [] : p.bootstrap;
  const minPeers = p.minPeers && !opts.alone;
  return [
    'start',
    '--data',
    p.data,
    '--data-dir',
    p.dataDir,
    '--log-dir',
    p.logDir,
    '--listen',
    p.listen,
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
    ...(minPeers ? ['--min-peers', String(opts.peers)] : []),
    ...(opts.aggregator !== undefined ? ['--aggregator', opts.aggregator] : []),
    ...(opts.augment !== undefined ? ['--augment', opts.augment] : []),
    ...opts.extraPeerArgs,
  ];
}
