// Turns the failures of starting a peer into one line naming the flag at fault: a dataset the
// engine refused, a model the backend cannot train, a listen address in use, an unwritable log.
import { UsageError } from './errors.js';

/** The libp2p error when some listen address could not be bound (its message lists each address). */
const LISTEN_FAILED = 'UnsupportedListenAddressesError';

/** A start-up failure as the CLI reports it: usage errors (exit 2) name the flag; others pass. */
export function describeStartError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const cause = (err as { causeName?: string }).causeName;
  if (err.name === 'LearnerError' && cause === 'DataError') return new UsageError(`--data: ${err.message}`);
  if (err.name === 'LearnerError' && (cause === 'UnsupportedModelError' || cause === 'BackendError'))
    return new UsageError(`--backend: ${err.message}`);
  if (err.name === LISTEN_FAILED) return new UsageError(listenProblem(err.message));
  return err;
}

/**
 * One line from libp2p's listen failure, e.g. `--listen /ip4/127.0.0.1/tcp/4001: address already
 * in use (EADDRINUSE)`. libp2p lists `  <addr>: <error stack>` per failed address.
 */
export function listenProblem(message: string): string {
  const failures: string[] = [];
  const lines = message.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s+(\/\S+): (.*)$/.exec(lines[i] ?? '');
    if (m === null) continue;
    const [, addr, first] = m as unknown as [string, string, string];
    failures.push(`${addr}: ${explainListen(first)}`);
  }
  if (failures.length === 0) return `--listen: cannot listen (${message.split('\n')[0] ?? message})`;
  return `--listen ${failures.join('; ')}`;
}

function explainListen(text: string): string {
  const code = /\b(E[A-Z]{3,})\b/.exec(text)?.[1];
  switch (code) {
    case 'EADDRINUSE':
      return 'address already in use (EADDRINUSE): another process listens there; pick another port or stop it';
    case 'EADDRNOTAVAIL':
      return 'address not available on this machine (EADDRNOTAVAIL)';
    case 'EACCES':
      return 'permission denied (EACCES): ports below 1024 need privileges';
    default:
      if (/UnsupportedListenAddress|not supported|no transport/i.test(text))
        return 'no transport for this address (ppfm listens on TCP: /ip4/<ip>/tcp/<port>)';
      return text.replace(/^\w*Error: /, '');
  }
}
