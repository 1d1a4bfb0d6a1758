// The `ppfm` command line: builds the commander program and maps outcomes to exit codes
// (0 ok, 1 runtime failure, 2 usage error); errors are one line on stderr.
import { Command, CommanderError } from 'commander';
import { createRequire } from 'node:module';
import { registerDashboard } from './dashboard.js';
import { UsageError } from './errors.js';
import { registerClasses } from './classes.js';
import { registerExport } from './export.js';
import { registerInspect } from './inspect.js';
import { registerPartition } from './partition.js';
import { registerSimulate } from './simulate.js';
import { registerStart } from './start.js';

/** The package version, read from packages/node/package.json. */
export function packageVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('../../../package.json') as { version: string }).version;
}

/** Builds the `ppfm` program; `onExit` receives a command's exit code. */
export function createProgram(onExit: (code: number) => void): Command {
  const program = new Command('ppfm');
  program
    .description('PPFM: peer-to-peer federated meta-learning over libp2p (no server of any kind)')
    .version(packageVersion(), '-V, --version', 'print the version')
    .exitOverride()
    // An extra positional argument is a mistake (a value for a flag that takes none, a typo).
    .allowExcessArguments(false)
    .configureOutput({ outputError: (str, write) => write(`ppfm: ${str}`) })
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 runtime failure, 2 usage error. PPFM_DEBUG=1 prints stack traces.',
    );
  registerStart(program, onExit);
  registerInspect(program);
  registerPartition(program);
  registerSimulate(program);
  registerClasses(program);
  registerExport(program);
  registerDashboard(program, onExit);
  return program;
}

/** One line describing err (its stack with PPFM_DEBUG=1). */
export function errorLine(err: unknown): string {
  if (process.env.PPFM_DEBUG === '1' && err instanceof Error && err.stack !== undefined) return err.stack;
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0] ?? msg;
}

/** Runs the CLI on argv (process.argv style) and resolves with the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  let code = 0;
  const program = createProgram((c) => (code = c));
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed its message; help/version are successes.
      if (err.exitCode === 0) return 0;
      return 2;
    }
    process.stderr.write(`ppfm: error: ${errorLine(err)}\n`);
    return err instanceof UsageError ? 2 : 1;
  }
}
