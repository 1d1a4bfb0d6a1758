#!/usr/bin/env node
// The `ppfm` bin. The polyfill must run before anything imports libp2p (Node 20).
import './polyfill.js';
import { errorLine, runCli } from './commands/program.js';

// A failure nobody awaited (e.g. in a background task of a running peer) is still one clear
// line and exit code 1, not a stack dump.
const fatal = (err: unknown): void => {
  process.stderr.write(`ppfm: error: ${errorLine(err)}\n`);
  process.exit(1);
};
process.on('unhandledRejection', fatal);
process.on('uncaughtException', fatal);

// A reader that went away (`ppfm start | head`) must not kill a running peer: drop the output.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') fatal(err);
  });

// Node's own warnings (deprecations, listener leaks in a dependency) as one line each, once.
const warned = new Set<string>();
process.removeAllListeners('warning');
process.on('warning', (w: Error) => {
  const line = `${w.name}: ${w.message.split('\n')[0] ?? ''}`;
  if (warned.has(line) && process.env.PPFM_DEBUG !== '1') return;
  warned.add(line);
  process.stderr.write(`ppfm: warning: node: ${process.env.PPFM_DEBUG === '1' ? errorLine(w) : line}\n`);
});

// stdout/stderr are flushed by Node before exit when we set exitCode instead of exit().
process.exitCode = await runCli(process.argv);
// A finished peer must not linger on open handles (timers, sockets of a stopped host).
if (process.argv[2] === 'start') process.exit(process.exitCode);
