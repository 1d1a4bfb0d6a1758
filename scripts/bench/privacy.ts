/**
 * Privacy benchmarks (issue 13): what secure aggregation costs per round on real peers, accuracy
 * against epsilon on mnist rotate:2 (testnet and simulator), and clustering (ARI) against
 * fingerprint noise. Each part prints a table and returns its figures for bench.json.
 */
import {
  adjustedRandIndex,
  clusterFingerprints,
  computeFingerprint,
  createRng,
  deriveSeed,
  DEFAULT_PPFM_CONFIG,
  loadBuiltin,
  noiseFingerprint,
  partitionDataset,
  splitDataset,
} from '@ppfm/meta';
import { runSimulate } from '../src/testnet/baseline.js';
import type { PeerEvent } from '../src/testnet/events.js';
import { resolveCli } from '../src/testnet/processes.js';
import { benchRun, out, type BenchOptions } from './common.js';

const mean = (xs: number[]): number | null =>
  xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;
const f = (v: number | null, digits = 3): string => (v === null ? 'n/a' : v.toFixed(digits));

/** Per-round figures of one run, folded from its events. */
export class RoundFold {
  private opened = new Map<string, number>();
  /** Who published each round (one cluster): its head (start-up elections may open rounds on several peers). */
  private publisher = new Map<number, string>();
  private traffic: { round: number; peer: string; received?: number; directSent?: number }[] = [];
  readonly roundSeconds: number[] = [];
  readonly secureMs: number[] = [];
  readonly dropped: number[] = [];

  apply(e: PeerEvent): void {
    if (e.event === 'round_opened' && e.peer === e.head) this.opened.set(`${e.cluster}/${e.round}`, e.time);
    if (e.event === 'cluster_model_published') {
      this.publisher.set(e.round, e.peer);
      const t0 = this.opened.get(`${e.cluster}/${e.round}`);
      if (t0 !== undefined && e.round >= 2) this.roundSeconds.push((e.time - t0) / 1000);
    }
    if (e.event === 'secagg_aggregated') {
      if (e.ms !== undefined) this.secureMs.push(e.ms);
      this.dropped.push(e.dropped);
    }
    // Round 1's window holds the start-up (fingerprints, clustering): count rounds 2+ only.
    if (e.event === 'traffic' && e.round !== undefined && e.round >= 2)
      this.traffic.push({
        round: e.round,
        peer: e.peer,
        ...(e.roundBytesReceived !== undefined ? { received: e.roundBytesReceived } : {}),
        ...(e.roundDirectBytesSent !== undefined ? { directSent: e.roundDirectBytesSent } : {}),
      });
  }

  /** Payload bytes the round's head received, per round. */
  get headReceived(): number[] {
    return this.traffic.flatMap((t) =>
      this.publisher.get(t.round) === t.peer && t.received !== undefined ? [t.received] : [],
    );
  }

  /** Direct-stream bytes each member sent (update or secagg messages), per member and round. */
  get memberDirectSent(): number[] {
    return this.traffic.flatMap((t) =>
      this.publisher.has(t.round) && this.publisher.get(t.round) !== t.peer && t.directSent !== undefined
        ? [t.directSent]
        : [],
    );
  }
}

/** (1) Bytes and seconds per round with and without --secure-agg, one cluster of N real peers. */
export async function benchSecAggCost(b: BenchOptions, sizes: number[]): Promise<Record<string, unknown>> {
  out(
    `\n== secure aggregation cost (one iid cluster of N real peers, 200 samples each, ${Math.min(b.rounds, 3)} rounds) ==`,
  );
  out('  N   mode    s/round  secagg ms  dropped  member KiB sent/round  head KiB recv/round  acc    ok');
  const rows: Record<string, unknown>[] = [];
  for (const n of sizes) {
    for (const secure of [false, true]) {
      const fold = new RoundFold();
      const r = await benchRun(
        b,
        `secagg-${n}-${secure ? 'secure' : 'plain'}`,
        {
          peers: n,
          partition: 'iid',
          rounds: Math.min(b.rounds, 3),
          maxSamples: 200 * n,
          extraPeerArgs: secure ? ['--secure-agg'] : [],
        },
        (e) => fold.apply(e),
      );
      const row = {
        peers: n,
        secure,
        secondsPerRound: mean(fold.roundSeconds),
        secureMs: mean(fold.secureMs),
        dropped: fold.dropped.reduce((a, c) => a + c, 0),
        memberKiBSentPerRound: (mean(fold.memberDirectSent) ?? NaN) / 1024,
        headKiBReceivedPerRound: (mean(fold.headReceived) ?? NaN) / 1024,
        meanAcc: r.summary.meanAcc,
        ok: r.summary.ok,
      };
      rows.push(row);
      out(
        `  ${String(n).padEnd(3)} ${(secure ? 'secure' : 'plain').padEnd(7)} ${f(row.secondsPerRound, 2).padStart(7)}  ` +
          `${f(row.secureMs, 0).padStart(9)}  ${String(row.dropped).padStart(7)}  ` +
          `${f(row.memberKiBSentPerRound, 0).padStart(21)}  ${f(row.headKiBReceivedPerRound, 0).padStart(19)}  ` +
          `${f(row.meanAcc)}  ${row.ok ? 'ok' : `FAILED (${r.summary.failures.slice(0, 2).join('; ')})`}`,
      );
    }
  }
  return { rows };
}

/** The epsilons of the accuracy curve; Infinity = no DP (secure aggregation alone). */
const EPSILONS = [1, 4, 8, Infinity];

/** (2) Personalised accuracy against epsilon, mnist rotate:2, in a testnet (secure aggregation + DP). */
export async function benchDpTestnet(b: BenchOptions, clip: number): Promise<Record<string, unknown>> {
  const rounds = b.rounds;
  out(
    `\n== accuracy against epsilon: testnet, ${b.peers} peers, ${b.partition}, ${rounds} rounds, ` +
      `clip ${clip}, delta 1e-5 (secure aggregation; the noise is shared by the members) ==`,
  );
  out('  epsilon  secure  meanAcc  minAcc  max eps spent  ok');
  const rows: Record<string, unknown>[] = [];
  const runs: [number, boolean][] = [...EPSILONS.map((e): [number, boolean] => [e, true]), [4, false]];
  for (const [eps, secure] of runs) {
    const dp = Number.isFinite(eps) ? ['--dp-clip', String(clip), '--dp-epsilon', String(eps)] : [];
    const r = await benchRun(b, `dp-${eps}-${secure ? 'secure' : 'plain'}`, {
      extraPeerArgs: [...(secure ? ['--secure-agg'] : []), ...dp],
    });
    const s = r.summary;
    const row = {
      epsilon: Number.isFinite(eps) ? eps : null,
      secure,
      meanAcc: s.meanAcc,
      minAcc: s.minAcc,
      spent: s.privacy?.maxEpsilon ?? null,
      localAcc: s.localAcc,
      ok: s.ok,
    };
    rows.push(row);
    out(
      `  ${(Number.isFinite(eps) ? String(eps) : 'inf').padEnd(7)}  ${(secure ? 'yes' : 'no').padEnd(6)}  ` +
        `${f(row.meanAcc).padStart(7)}  ${f(row.minAcc).padStart(6)}  ${f(row.spent).padStart(13)}  ` +
        `${s.ok ? 'ok' : `FAILED (${s.failures.slice(0, 2).join('; ')})`}`,
    );
  }
  return { clip, rounds, rows };
}

/** (2b) The same curve in the offline simulator (`ppfm simulate --secure-agg --dp-...`), ppfm and local. */
export async function benchDpSimulate(b: BenchOptions, clip: number): Promise<Record<string, unknown>> {
  out(
    `\n== accuracy against epsilon: simulate, ${b.peers} peers, ${b.partition}, ${b.rounds} rounds, clip ${clip} ==`,
  );
  out('  epsilon  ppfm meanAcc  minAcc  local meanAcc');
  const rows: Record<string, unknown>[] = [];
  for (const eps of EPSILONS) {
    const dp = Number.isFinite(eps)
      ? ['--secure-agg', '--dp-clip', String(clip), '--dp-epsilon', String(eps)]
      : [];
    const sim = await runSimulate({
      cli: resolveCli(),
      dataset: b.dataset,
      partition: b.partition,
      peers: b.peers,
      rounds: b.rounds,
      seed: b.seed,
      backend: b.backend,
      methods: ['ppfm', 'local'],
      extraArgs: dp,
      ...(b.maxSamples !== undefined ? { maxSamples: b.maxSamples } : {}),
    });
    const p = sim.methods.ppfm;
    const row = {
      epsilon: Number.isFinite(eps) ? eps : null,
      meanAcc: p?.meanAcc ?? null,
      minAcc: p?.minAcc ?? null,
    };
    rows.push({ ...row, localAcc: sim.methods.local?.meanAcc ?? null });
    out(
      `  ${(Number.isFinite(eps) ? String(eps) : 'inf').padEnd(7)}  ${f(row.meanAcc).padStart(12)}  ` +
        `${f(row.minAcc).padStart(6)}  ${f(sim.methods.local?.meanAcc ?? null).padStart(13)}`,
    );
  }
  return { clip, rounds: b.rounds, rows };
}

/**
 * (3) Fingerprint clustering against fingerprint noise (offline: the peers' own fingerprints and
 * meta's clusterFingerprints, as every peer runs it): ARI against the true groups, clusters found,
 * and whether the statistics still separate the peers (if not, a peer falls back on loss-based
 * clustering), over 5 noise seeds.
 */
export async function benchFingerprintAri(
  b: BenchOptions,
  peerCounts: number[],
  scales: number[],
): Promise<Record<string, unknown>> {
  out(
    `\n== clustering against fingerprint noise (${b.dataset} ${b.partition}, fingerprints only, 5 noise seeds) ==`,
  );
  out('  peers  scale  mean ARI  clusters found      separated');
  // The whole dataset, as the default testnet partitions it.
  const ds = await loadBuiltin(b.dataset === 'synthetic' ? 'synthetic' : 'mnist');
  const rows: Record<string, unknown>[] = [];
  for (const n of peerCounts) {
    const part = partitionDataset(ds, b.partition, n, b.seed);
    // The fingerprint a peer publishes is its training split's.
    const fps = part.peers.map((d, i) => {
      const { train } = splitDataset(d, {
        valFraction: DEFAULT_PPFM_CONFIG.valFraction,
        seed: deriveSeed(b.seed + i, 'split'),
      });
      return computeFingerprint(train, { dims: DEFAULT_PPFM_CONFIG.fingerprintDims });
    });
    for (const scale of scales) {
      const aris: number[] = [];
      const ks: number[] = [];
      let separated = 0;
      for (let s = 0; s < 5; s++) {
        const rng = createRng(deriveSeed(b.seed, 'fingerprint-noise', s * 1000 + scale * 10 + n));
        const items = fps.map((fp, i) => ({
          id: `p${String(i).padStart(3, '0')}`,
          fp: noiseFingerprint(fp, scale, rng),
        }));
        const r = clusterFingerprints(items);
        const labels = items.map((it) => r.assignment.get(it.id) ?? -1);
        aris.push(adjustedRandIndex(part.truth, labels));
        ks.push(r.k);
        if (r.separated) separated++;
      }
      const row = { peers: n, scale, ari: mean(aris), k: ks, separated };
      rows.push(row);
      out(
        `  ${String(n).padEnd(5)}  ${String(scale).padEnd(5)}  ${f(row.ari).padStart(8)}  ${ks.join(',').padEnd(18)}  ${separated}/5`,
      );
    }
  }
  // End to end: real peers publish noised fingerprints; where the statistics no longer separate the
  // groups the peers fall back on loss-based clustering.
  const scale = scales.find((s) => s >= 5) ?? scales[scales.length - 1] ?? 0;
  const r = await benchRun(b, `fingerprint-noise-${scale}`, {
    rounds: Math.min(b.rounds, 3),
    extraPeerArgs: ['--fingerprint-noise', String(scale)],
  });
  out(
    `  testnet, ${b.peers} peers, --fingerprint-noise ${scale}: ARI ${f(r.summary.ari)}, clusters ${r.summary.clusters}, ` +
      `meanAcc ${f(r.summary.meanAcc)} ${r.summary.ok ? 'ok' : `FAILED (${r.summary.failures.slice(0, 2).join('; ')})`}`,
  );
  return {
    rows,
    testnet: {
      peers: b.peers,
      scale,
      ari: r.summary.ari,
      clusters: r.summary.clusters,
      meanAcc: r.summary.meanAcc,
      ok: r.summary.ok,
    },
  };
}
