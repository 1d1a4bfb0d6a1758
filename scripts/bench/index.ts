// `npm run bench -w @ppfm/scripts -- [--only compare,bytes,scale,failover] [...]`: system benchmarks of
// real testnets on this machine. Prints figures and ratios (not timed tests) and writes bench.json.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { BenchOptions } from './common.js';
import { benchDpSimulate, benchDpTestnet, benchFingerprintAri, benchSecAggCost } from './privacy.js';
import { benchNetns } from './netns.js';
import { benchIdle } from './idle.js';
import { benchBytes } from './bytes.js';
import { benchCompare, benchFailover, benchScale } from './suites.js';
import { benchZeroShot, parseZsRows, parseZsSettings, type ZsRowSpec, type ZsSetting } from './zeroshot.js';

const ALL = ['compare', 'bytes', 'scale', 'idle', 'failover', 'privacy', 'netns', 'zeroshot'] as const;
/** Parts of the privacy suite. */
const PRIVACY_PARTS = ['cost', 'dp', 'dp-sim', 'fingerprint'] as const;
type Suite = (typeof ALL)[number];

const HELP = `Usage: npm run bench -w @ppfm/scripts -- [options]
  --only LIST        comma-separated subset of ${ALL.join(',')} (default: all; the full set is long)
  --peers N          peers for compare/bytes/failover (default 8)
  --rounds N         rounds for compare/bytes (default 5)
  --sizes LIST       peer counts tried by scale (default 8,12,16,24,32) and idle (default 8,16)
  --repeats N        failover runs (default 3)
  --privacy LIST     parts of the privacy suite: ${PRIVACY_PARTS.join(',')} (default all)
  --secagg-sizes L   cluster sizes of the secure-aggregation cost runs (default 4,8,16)
  --dp-clip C        L2 clip of the accuracy-against-epsilon runs (default 1)
  --zs-rows LIST     zeroshot: model:vectors rows, e.g. compat:name+wordnet,generator:name
                     (default: compat:name+wordnet,generator:name,compat:name,generator:name+wordnet)
  --zs-settings LIST zeroshot: alone,federated,pooled and federated-mean (--aggregator mean, the
                     simulator's rule) (default alone,federated,pooled)
  --zs-steps N       zeroshot: --zs-steps of each peer (default 12; pooled gets N x peers)
                     zeroshot's own defaults: --dataset fashion-mnist --partition zeroshot:3
                     --rounds 12 --max-samples 8000 (the simulator's table)
  --dataset NAME     (default mnist)   --partition SPEC (default rotate:2)   --seed N (default 1)
  --max-samples N    dataset subset (default: all)
  --backend B        auto|node|wasm|cpu (default auto)
  --out DIR          where run directories and bench.json go (default runs/bench-<timestamp>)
  --timeout S        per-run timeout (default 900; scale runs get at least 30 s per peer)
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
        privacy: { type: 'string' },
        'secagg-sizes': { type: 'string' },
        'dp-clip': { type: 'string' },
        'zs-rows': { type: 'string' },
        'zs-settings': { type: 'string' },
        'zs-steps': { type: 'string' },
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
  let privacyParts: string[];
  let secaggSizes: number[];
  let dpClip: number;
  let zsB: BenchOptions;
  let zsRows: ZsRowSpec[];
  let zsSettings: ZsSetting[];
  let zsSteps: number;
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
    privacyParts = (v.privacy ?? PRIVACY_PARTS.join(',')).split(',').map((s) => s.trim());
    const badParts = privacyParts.filter((p) => !(PRIVACY_PARTS as readonly string[]).includes(p));
    if (badParts.length > 0) throw new Error(`--privacy: unknown ${badParts.join(',')}`);
    secaggSizes = (v['secagg-sizes'] ?? '4,8,16').split(',').map((s) => int(s, 0));
    dpClip = v['dp-clip'] === undefined ? 1 : Number(v['dp-clip']);
    if (!(dpClip > 0)) throw new Error(`--dp-clip: expected a number > 0, got '${v['dp-clip']}'`);
    // The zero-shot table's settings are the simulator's unless given.
    zsB = {
      ...b,
      dataset: v.dataset ?? 'fashion-mnist',
      partition: v.partition ?? 'zeroshot:3',
      rounds: int(v.rounds, 12),
      maxSamples: int(v['max-samples'], 8000),
    };
    zsRows = parseZsRows(v['zs-rows']);
    zsSettings = parseZsSettings(v['zs-settings']);
    zsSteps = int(v['zs-steps'], 12);
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
        // Issue 16 asks for 10+ rounds so start-up traffic weighs little: --rounds is taken as given.
        results.bytes = await benchBytes({ ...b, peers: Math.min(b.peers, 6) });
      if (s === 'scale') results.scale = await benchScale(b, sizes);
      if (s === 'idle') results.idle = await benchIdle(b, v.sizes === undefined ? [8, 16] : sizes);
      if (s === 'failover')
        results.failover = await benchFailover({ ...b, peers: Math.min(b.peers, 6) }, repeats);
      if (s === 'netns') results.netns = await benchNetns(b);
      if (s === 'zeroshot') results.zeroshot = await benchZeroShot(zsB, zsRows, zsSettings, zsSteps);
      if (s === 'privacy') {
        const r: Record<string, unknown> = {};
        results.privacy = r;
        if (privacyParts.includes('fingerprint'))
          r.fingerprint = await benchFingerprintAri(b, [8, 16], [0, 0.5, 1, 1.5, 2, 3, 5, 10]);
        if (privacyParts.includes('cost')) r.cost = await benchSecAggCost(b, secaggSizes);
        if (privacyParts.includes('dp')) r.dp = await benchDpTestnet(b, dpClip);
        if (privacyParts.includes('dp-sim')) r.dpSimulate = await benchDpSimulate(b, dpClip);
      }
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
