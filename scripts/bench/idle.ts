// CPU and memory of idle peers (issue 16): N peers join one network and wait at the start gate
// (`--min-peers N+1`, a peer that never comes), so no round ever opens and what they spend is the
// standing cost of membership: heartbeats, gossip relaying, leases, timers. CPU is read from
// /proc/<pid>/stat (user + system), which does not depend on how loaded the box is.
import { readdir, readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { benchRun, figure, out, type BenchOptions } from './common.js';

const MB = 1024 * 1024;
/** Time after the last peer started before the window opens (views settle, meshes form). */
const SETTLE_MS = 20_000;
/** The measuring window. */
const WINDOW_MS = 60_000;

interface ProcSample {
  cpuSeconds: number;
  rssBytes: number;
  /** When it was read (ms): on a starved box one pass over 64 processes takes seconds. */
  at: number;
}

/** CPU seconds and RSS of every process whose command line names `marker` (the run's peers). */
async function sampleProcs(marker: string): Promise<Map<number, ProcSample>> {
  const res = new Map<number, ProcSample>();
  for (const d of await readdir('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = await readFile(`/proc/${d}/cmdline`, 'utf8');
      if (!cmd.includes(marker) || !cmd.includes('\0start\0')) continue;
      const stat = await readFile(`/proc/${d}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime, stime are fields 14, 15 (index 11, 12 after the name); rss (pages) field 24.
      const cpu = (Number(rest[11]) + Number(rest[12])) / 100;
      const rss = Number(rest[21]) * 4096;
      res.set(Number(d), { cpuSeconds: cpu, rssBytes: rss, at: Date.now() });
    } catch {
      // the process ended between readdir and read
    }
  }
  return res;
}

/** Idle CPU (% of one core) and RSS per peer in networks of each size. */
export async function benchIdle(b: BenchOptions, sizes: number[]): Promise<Record<string, unknown>> {
  out(
    `\n== idle peers (sizes ${sizes.join(', ')}; ${WINDOW_MS / 1000} s window after all started + ${SETTLE_MS / 1000} s) ==`,
  );
  const rows: Record<string, unknown>[] = [];
  for (const n of sizes) {
    const ctl = new AbortController();
    let started = 0;
    let allStarted: () => void = () => {};
    const ready = new Promise<void>((r) => (allStarted = r));
    const name = `idle-${n}`;
    let row: Record<string, unknown> = { peers: n, measured: false };
    const measure = (async () => {
      await ready;
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      const marker = `/${name}/`;
      const a = await sampleProcs(marker);
      await new Promise((r) => setTimeout(r, WINDOW_MS));
      const z = await sampleProcs(marker);
      const pct: number[] = [];
      const rss: number[] = [];
      for (const [pid, s] of z) {
        const s0 = a.get(pid);
        if (s0 === undefined) continue;
        // Over the time between this process's two reads, not the nominal window: on a starved
        // box the timer and the reads come late (64 peers summed to 2.27 of 2 cores that way).
        pct.push(((s.cpuSeconds - s0.cpuSeconds) / (Math.max(1, s.at - s0.at) / 1000)) * 100);
        rss.push(s.rssBytes);
      }
      // Stop the peers ourselves and give them time to exit cleanly (a loaded box needs more than
      // the testnet's 5 s grace; a profiler started with the peers writes its profile at exit).
      for (const pid of z.keys()) {
        try {
          process.kill(pid, 'SIGINT');
        } catch {
          // already gone
        }
      }
      for (let i = 0; i < 120 && (await sampleProcs(marker)).size > 0; i++)
        await new Promise((r) => setTimeout(r, 500));
      ctl.abort();
      const mean = (x: number[]): number | null =>
        x.length > 0 ? x.reduce((p, c) => p + c, 0) / x.length : null;
      row = {
        peers: n,
        measured: pct.length,
        cpuPercentMean: mean(pct),
        cpuPercentMax: pct.length > 0 ? Math.max(...pct) : null,
        rssMeanBytes: mean(rss),
        totalCores: pct.reduce((p, c) => p + c, 0) / 100,
      };
    })();
    const r = await benchRun(
      { ...b, timeoutSeconds: Math.max(b.timeoutSeconds, 600) },
      name,
      { peers: n, rounds: 1, extraPeerArgs: ['--min-peers', String(n + 1)] },
      (e) => {
        if (e.event === 'peer_started' && ++started === n) allStarted();
      },
      ctl.signal,
    );
    allStarted(); // a run that ended before every peer started still lets the measure finish
    ctl.abort();
    await measure;
    const m = row as {
      cpuPercentMean?: number | null;
      cpuPercentMax?: number | null;
      rssMeanBytes?: number | null;
      totalCores?: number;
      measured: number | false;
    };
    out(
      figure(`N=${n} CPU per idle peer (% of a core)`, m.cpuPercentMean ?? null, ' %') +
        `  max ${m.cpuPercentMax?.toFixed(1) ?? 'n/a'} %, RSS ${m.rssMeanBytes ? (m.rssMeanBytes / MB).toFixed(0) : 'n/a'} MiB, ${m.measured || 0}/${n} peers measured, sum ${m.totalCores?.toFixed(2) ?? 'n/a'} of ${cpus().length} cores` +
        (started < n ? `  (only ${started} started; wall ${r.summary.wallSeconds.toFixed(0)} s)` : ''),
    );
    rows.push(row);
  }
  return { windowSeconds: WINDOW_MS / 1000, settleSeconds: SETTLE_MS / 1000, rows };
}
