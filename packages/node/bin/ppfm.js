#!/usr/bin/env node
// The `ppfm` command. A committed launcher (not dist/src/cli.js itself), so that `npm ci` links
// it before anything is built; it runs the built CLI, or says how to build it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/src/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('ppfm: error: not built yet; run `npm run build` at the root of the checkout\n');
  process.exit(1);
}
await import(cli.href);
