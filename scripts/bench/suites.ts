/** The four system benchmarks of issue 5; each returns its figures as a plain object. */
import { runSimulate } from '../src/testnet/baseline.js';
import { resolveCli } from '../src/testnet/processes.js';
import { benchRun, childCpuSeconds, figure, out, type BenchOptions } from './common.js';

const MB = 1024 * 1024;

/** (1) Networked testnet vs `ppfm simulate`'s ppfm method on the same partition and seed. */
export async function benchCompare(b: BenchOptions): Promise<Record<string, unknown>> {
  out(`\n== testnet vs simulator (${b.peers} peers, ${b.partition}, ${b.rounds} rounds, seed ${b.seed}) ==`);
  // Training span: first round 1 opened by a head with company .. last round closed (boot, clustering
  // and teardown excluded), to separate the per-round cost from the fixed start-up cost.
  let firstOpen: number | undefined;
  let lastClose: number | undefined;
  // The same work as the simulator: it personalises once, after the last round; peers by default
  // also personalise every 5th round and at round 0 (--personalise-every).
  const cpu0 = await childCpuSeconds();
  const net = await benchRun(b, 'compare', { extraPeerArgs: ['--personalise-every', '0'] }, (e) => {
    if (e.event === 'round_opened' && e.round === 1 && e.peer === e.head)
      firstOpen = Math.min(firstOpen ?? e.time, e.time);
    if (e.event === 'round_closed' && e.updates > 1) lastClose = Math.max(lastClose ?? e.time, e.time);
  });
  const cpu1 = await childCpuSeconds();
  const span = firstOpen !== undefined && lastClose !== undefined ? (lastClose - firstOpen) / 1000 : null;
  const sim = await runSimulate({
    cli: resolveCli(),
    dataset: b.dataset,
    partition: b.partition,
    peers: b.peers,
    rounds: b.rounds,
    seed: b.seed,
    backend: b.backend,
    methods: ['ppfm'],
    ...(b.maxSamples !== undefined ? { maxSamples: b.maxSamples } : {}),
  });
  const cpu2 = await childCpuSeconds();
  const netCpu = cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null;
  const simCpu = cpu1 !== null && cpu2 !== null ? cpu2 - cpu1 : null;
  const ppfm = sim.methods.ppfm;
  const simSeconds = ppfm?.seconds ?? null;
  const ratio = simSeconds !== null && simSeconds > 0 ? net.summary.wallSeconds / simSeconds : null;
  const processRatio = sim.wallSeconds > 0 ? net.summary.wallSeconds / sim.wallSeconds : null;
  const cpuRatio = netCpu !== null && simCpu !== null && simCpu > 0 ? netCpu / simCpu : null;
  const accDiff = ppfm && net.summary.meanAcc !== null ? net.summary.meanAcc - ppfm.meanAcc : null;
  out(figure('testnet wall seconds', net.summary.wallSeconds, ' s'));
  out(figure('simulate ppfm seconds (method)', simSeconds, ' s'));
  out(figure('simulate process wall seconds', sim.wallSeconds, ' s'));
  out(figure('wall-time ratio testnet / simulate method', ratio, '', { max: 1.2 }));
  out(figure('wall-time ratio testnet / simulate process', processRatio, '', { max: 1.2 }));
  out(figure('testnet training span (round 1..last close)', span, ' s'));
  out(
    figure(
      'training-span ratio testnet / simulate',
      span !== null && simSeconds ? span / simSeconds : null,
      '',
    ),
  );
  out(figure('testnet CPU seconds (all peer processes)', netCpu, ' s'));
  out(figure('simulate CPU seconds (process)', simCpu, ' s'));
  out(figure('CPU ratio testnet / simulate', cpuRatio, ''));
  out(figure('testnet meanAcc', net.summary.meanAcc, ''));
  out(figure('simulate ppfm meanAcc', ppfm?.meanAcc ?? null, ''));
  out(figure('accuracy difference (testnet - simulate)', accDiff, '', { abs: 0.01 }));
  out(`  testnet ok: ${net.summary.ok}${net.summary.ok ? '' : ` (${net.summary.failures.join('; ')})`}`);
  return {
    testnetSeconds: net.summary.wallSeconds,
    testnetTrainingSpanSeconds: span,
    simulateSeconds: simSeconds,
    simulateWallSeconds: sim.wallSeconds,
    ratio,
    processRatio,
    testnetCpuSeconds: netCpu,
    simulateCpuSeconds: simCpu,
    cpuRatio,
    testnetAcc: net.summary.meanAcc,
    simulateAcc: ppfm?.meanAcc ?? null,
    accDiff,
    testnetOk: net.summary.ok,
  };
}

/**
 * Per-peer share of a scale run's time budget: on one box the wall time grows with N (64 peers on
 * 2 cores took 1,391 s), so a fixed budget would judge the box, not the network.
 */
const SCALE_SECONDS_PER_PEER = 30;

/** (3) The largest number of peers on this host that completes 3 rounds, with RSS per peer. */
export async function benchScale(b: BenchOptions, sizes: number[]): Promise<Record<string, unknown>> {
  out(`\n== peers on one host (3 rounds each; sizes ${sizes.join(', ')}) ==`);
  const rows: Record<string, unknown>[] = [];
  let largest: number | null = null;
  for (const n of sizes) {
    const timeoutSeconds = Math.max(b.timeoutSeconds, SCALE_SECONDS_PER_PEER * n);
    const r = await benchRun({ ...b, timeoutSeconds }, `scale-${n}`, { peers: n, rounds: 3 });
    const rss = r.resources.peakRss.filter((x) => x > 0);
    const meanRss = rss.length > 0 ? rss.reduce((a, c) => a + c, 0) / rss.length : null;
    const maxRss = rss.length > 0 ? Math.max(...rss) : null;
    out(
      `  N=${String(n).padEnd(3)} ${r.summary.ok ? 'ok    ' : 'FAILED'} wall ${r.summary.wallSeconds.toFixed(1)} s  ` +
        `RSS/peer mean ${meanRss === null ? 'n/a' : (meanRss / MB).toFixed(0)} MiB, max ${maxRss === null ? 'n/a' : (maxRss / MB).toFixed(0)} MiB, ` +
        `ARI ${r.summary.ari === null ? '-' : r.summary.ari.toFixed(3)}, budget ${timeoutSeconds} s` +
        (r.summary.ok ? '' : `  (${r.summary.failures.slice(0, 2).join('; ')})`),
    );
    rows.push({
      peers: n,
      ok: r.summary.ok,
      wallSeconds: r.summary.wallSeconds,
      timeoutSeconds,
      ari: r.summary.ari,
      meanRssBytes: meanRss,
      maxRssBytes: maxRss,
    });
    if (!r.summary.ok) break;
    largest = n;
  }
  out(`  largest N that completed: ${largest ?? 'none'}`);
  return { largest, rows };
}

/** (4) Head failover: kill a head when its cluster opens round 2; time until the next head_elected. */
export async function benchFailover(b: BenchOptions, repeats: number): Promise<Record<string, unknown>> {
  out(`\n== head failover (${b.peers} peers, kill at round 2, ${repeats} run(s)) ==`);
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const r = await benchRun(b, `failover-${i}`, {
      killHeadAtRound: 2,
      rounds: Math.max(3, b.rounds),
      seed: b.seed + i,
    });
    const t = r.summary.headFailoverSeconds;
    out(figure(`run ${i + 1} failover`, t, ' s') + `  ok=${r.summary.ok}`);
    if (t !== null) times.push(t);
  }
  const mean = times.length > 0 ? times.reduce((a, c) => a + c, 0) / times.length : null;
  out(figure('mean failover', mean, ' s'));
  return { seconds: times, mean };
}
