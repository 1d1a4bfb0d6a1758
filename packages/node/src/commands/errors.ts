// CLI error kinds and option parsers shared by the subcommands. Exit codes: 0 ok, 1 runtime
// failure, 2 usage error (bad flags or arguments).
import { InvalidArgumentError } from 'commander';
import { multiaddr } from '@multiformats/multiaddr';

/** A bad flag or argument: exit code 2. The message names the flag. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parses a positive integer option value (commander argParser). */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n <= 0) {
    throw new InvalidArgumentError('must be a positive integer.');
  }
  return n;
}

/** Parses a non-negative integer option value (commander argParser). */
export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError('must be a non-negative integer.');
  }
  return n;
}

/** Parses a repeatable multiaddr option, accumulating values (commander argParser). */
export function collectMultiaddr(value: string, previous: string[] | undefined): string[] {
  try {
    multiaddr(value);
  } catch (err) {
    throw new InvalidArgumentError(`not a valid multiaddr (${(err as Error).message}).`);
  }
  return [...(previous ?? []), value];
}

/** Parses a repeatable --bootstrap address: a multiaddr that names its peer (`/p2p/<id>`). */
export function collectBootstrap(value: string, previous: string[] | undefined): string[] {
  const all = collectMultiaddr(value, previous);
  // Without the peer id libp2p cannot dial it as a bootstrap peer and would skip it in silence.
  if (multiaddr(value).getPeerId() === null) {
    throw new InvalidArgumentError(
      `It lacks /p2p/<peer id>: give the full address a peer prints at start ` +
        '(e.g. /ip4/192.0.2.10/tcp/4001/p2p/12D3KooW...).',
    );
  }
  return all;
}
