// `npm run bench -w @ppfm/scripts -- [--only compare,bytes,scale,failover] [...]`: system benchmarks of
// real testnets on this machine. Prints figures and ratios (not timed tests) and writes bench.json.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { BenchOptions } from './common.js';
import { benchBytes, benchCompare, benchFailover, benchScale } from './suites.js';

const ALL = ['compare', 'bytes', 'scale', 'failover'] as const;
type Suite = (typeof ALL)[number];

const HELP = `Usage: npm run bench -w @ppfm/scripts -- [options]
  --only LIST        comma-separated subset of ${ALL.join(',')} (default: all; the full set is long)
  --peers N          peers for compare/bytes/failover (default 8)
  --rounds N         rounds for compare/bytes (default 5)
  --sizes LIST       peer counts tried by scale (default 8,12,16,24,32)
  --repeats N        failover runs (default 3)
  --dataset NAME     (default mnist)   --partition SPEC (default rotate:2)   --seed N (default 1)
  --max-samples N    dataset subset (default: all)
  --backend B        auto|node|wasm|cpu (default auto)
  --out DIR          where run directories and bench.json go (default runs/bench-<timestamp>)
  --timeout S        per-run timeout (default 900)
  --verbose          progress lines of every run on stderr
`;

function int(v: string | undefined, d: number): number {
  if (v === undefined) return d;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive integer, got '${v}'`);
  return n;
}

async function main(): Promise<number> {
  let v;
  try {
    v = parseArgs({
      args: process.argv.slice(2),
      options: {
        only: { type: 'string' },
        peers: { type: 'string' },
        rounds: { type: 'string' },
        sizes: { type: 'string' },
        repeats: { type: 'string' },
        dataset: { type: 'string' },
        partition: { type: 'string' },
        seed: { type: 'string' },
        'max-samples': { type: 'string' },
        backend: { type: 'string' },
        out: { type: 'string' },
        timeout: { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n${HELP}`);
    return 2;
  }
  if (v.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  let suites: Suite[];
  let b: BenchOptions;
  let sizes: number[];
  let repeats: number;
  try {
    suites = v.only === undefined ? [...ALL] : (v.only.split(',').map((s) => s.trim()) as Suite[]);
    const bad = suites.filter((s) => !ALL.includes(s));
    if (bad.length > 0) throw new Error(`--only: unknown ${bad.join(',')} (expected ${ALL.join(',')})`);
    const backend = v.backend ?? 'auto';
    if (!['auto', 'node', 'wasm', 'cpu'].includes(backend)) throw new Error(`--backend: ${backend}`);
    b = {
      dataset: v.dataset ?? 'mnist',
      partition: v.partition ?? 'rotate:2',
      seed: v.seed === undefined ? 1 : Number(v.seed),
      rounds: int(v.rounds, 5),
      peers: int(v.peers, 8),
      backend: backend as BenchOptions['backend'],
      outDir: resolve(
        v.out ?? join('runs', `bench-${new Date().toISOString().replace(/[:]/g, '-').replace(/\..*$/, '')}`),
      ),
      timeoutSeconds: int(v.timeout, 900),
      verbose: v.verbose === true,
      ...(v['max-samples'] !== undefined ? { maxSamples: int(v['max-samples'], 0) } : {}),
    };
    sizes = (v.sizes ?? '8,12,16,24,32').split(',').map((s) => int(s, 0));
    repeats = int(v.repeats, 3);
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n`);
    return 2;
  }
  await mkdir(b.outDir, { recursive: true });
  process.stdout.write(`ppfm system benchmarks -> ${b.outDir}\n`);
  const results: Record<string, unknown> = { options: b };
  for (const s of suites) {
    try {
      if (s === 'compare') results.compare = await benchCompare(b);
      if (s === 'bytes')
        results.bytes = await benchBytes({
          ...b,
          rounds: Math.min(b.rounds, 3),
          peers: Math.min(b.peers, 6),
        });
      if (s === 'scale') results.scale = await benchScale(b, sizes);
      if (s === 'failover')
        results.failover = await benchFailover({ ...b, peers: Math.min(b.peers, 6) }, repeats);
    } catch (err) {
      process.stdout.write(`  ${s}: error: ${(err as Error).message}\n`);
      results[s] = { error: (err as Error).message };
    }
    await writeFile(join(b.outDir, 'bench.json'), JSON.stringify(results, null, 2) + '\n');
  }
  return 0;
}

process.exitCode = await main();
process.exit(process.exitCode);
