// Bundles the dashboard page (src/dashboard/page, type-checked by `tsc -b`) with its libraries
// (d3-force, uPlot) into dist/src/dashboard/assets/page.{js,css}, which the server and the static
// report inline: the page loads nothing from the internet.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
await build({
  entryPoints: { page: join(root, 'src/dashboard/page/main.ts') },
  outdir: join(root, 'dist/src/dashboard/assets'),
  bundle: true,
  format: 'iife',
  minify: true,
  target: ['chrome100', 'firefox100', 'safari15'],
  legalComments: 'eof',
  logLevel: 'warning',
});
