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

// stdout/stderr are flushed by Node before exit when we set exitCode instead of exit().
process.exitCode = await runCli(process.argv);
// A finished peer must not linger on open handles (timers, sockets of a stopped host).
if (process.argv[2] === 'start') process.exit(process.exitCode);
