// `npm run bench:learning -w @ppfm/meta -- [--only a,b] [--quick]`: the measurements behind the
// learning defaults (optimiser, scaler floor, robust aggregation) and the raw-units table. Prints
// figures; long (minutes per section on a loaded 2-core machine).
import {
  DEFAULT_PPFM_CONFIG,
  simulate,
  type MethodResult,
  type PpfmConfig,
  type SimulationResult,
} from '../src/index.js';
import { mnistRaw, mnistUnit, syntheticScaled, tabularRaw, type RawPartition } from './raw-data.js';

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1]!.split(',') : undefined;
const quick = args.includes('--quick');
const want = (s: string): boolean => only === undefined || only.includes(s);

const f3 = (v: number | undefined): string => (v === undefined ? '-' : v.toFixed(3));

async function run(
  data: RawPartition,
  methods: ('local' | 'fedavg' | 'ppfm' | 'oracle')[],
  rounds: number,
  config: Partial<PpfmConfig> = {},
  extra: { byzantine?: { fraction: number; attack: 'scale' | 'sign-flip'; factor?: number } } = {},
): Promise<SimulationResult> {
  return simulate({
    dataset: data.name,
    partition: 'given',
    peers: data.peers.length,
    rounds,
    seed: 1,
    backend: 'wasm',
    methods,
    config,
    partitioned: { peers: data.peers, truth: data.truth },
    ...extra,
  });
}

function row(label: string, m: MethodResult | undefined): string {
  if (!m) return `${label}: -`;
  const k = m.clusters ? ` k=${new Set(m.clusters).size}` : '';
  const ev = m.events
    ? ` diverged=${m.events.diverged} discarded=${m.events.discarded} rejected=${m.events.rejected}`
    : '';
  return `${label}: mean ${f3(m.meanAcc)} min ${f3(m.minAcc)} bal ${f3(m.balancedAcc)} ari ${m.ari?.toFixed(2) ?? '-'}${k}${ev} (${m.seconds.toFixed(0)} s)`;
}

async function datasets(): Promise<RawPartition[]> {
  const peers = 8;
  const max = quick ? 2400 : undefined;
  return [
    await mnistUnit('rotate:2', peers, 1, max),
    await mnistRaw('rotate:2', peers, 1, max),
    syntheticScaled(1, 1, 1000, peers, 1),
    tabularRaw({ peers, perPeer: 120, groups: 2, seed: 1 }),
  ];
}

/** Local-only training per optimiser and learning rate, with and without the input scaler. */
async function optimiser(): Promise<void> {
  console.log('\n## optimiser: local-only mean accuracy (8 peers, 5 rounds of 1 epoch)');
  const grid: [string, Partial<PpfmConfig>][] = [
    ['sgd 0.3', { optimizer: 'sgd', lr: 0.3, clipNorm: 0 }],
    ['sgd 0.05', { optimizer: 'sgd', lr: 0.05, clipNorm: 0 }],
    ['sgd 0.05 clip5', { optimizer: 'sgd', lr: 0.05, clipNorm: 5 }],
    ['momentum 0.9 @0.02 clip5', { optimizer: 'momentum', momentum: 0.9, lr: 0.02, clipNorm: 5 }],
    ['adam 1e-3', { optimizer: 'adam', lr: 0.001, clipNorm: 0 }],
    ['adam 1e-3 clip5', { optimizer: 'adam', lr: 0.001, clipNorm: 5 }],
    ['adam 3e-3 clip5', { optimizer: 'adam', lr: 0.003, clipNorm: 5 }],
  ];
  for (const data of await datasets()) {
    for (const scaling of ['pooled', 'none'] as const) {
      for (const [label, cfg] of grid) {
        const r = await run(data, ['local'], 5, { ...cfg, inputScaling: scaling });
        console.log(row(`${data.name} | scaling ${scaling} | ${label}`, r.methods.local));
      }
    }
  }
}

/**
 * The scaler's std floor on images already in [0, 1] (they must not get worse than unscaled): local
 * and ppfm. Raw 0-255 pixels standardise to the same numbers, so one data set tells.
 */
async function scaler(): Promise<void> {
  console.log('\n## scaler floor: mnist [0,1] rotate:2, 8 peers, 10 rounds');
  const unit = await mnistUnit('rotate:2', 8, 1, quick ? 2400 : 4000);
  const r0 = await run(unit, ['local', 'ppfm'], 10, { inputScaling: 'none' });
  console.log(row(`${unit.name} | no scaling | local`, r0.methods.local));
  console.log(row(`${unit.name} | no scaling | ppfm`, r0.methods.ppfm));
  for (const floor of [0.01, 0.1]) {
    const r = await run(unit, ['local', 'ppfm'], 10, { scalerFloor: floor });
    console.log(row(`${unit.name} | floor ${floor} | local`, r.methods.local));
    console.log(row(`${unit.name} | floor ${floor} | ppfm`, r.methods.ppfm));
  }
}

/** Robust aggregation: 20% of members sending x-50 or sign-flipped updates, mnist rotate:2. */
async function byzantine(): Promise<void> {
  console.log('\n## byzantine: mnist rotate:2, 10 peers (2 hostile), 10 rounds, ppfm per aggregator');
  const data = await mnistUnit('rotate:2', 10, 1, quick ? 3000 : 5000);
  const attacks = [
    ['clean', undefined],
    ['scale x-50', { fraction: 0.2, attack: 'scale' as const, factor: -50 }],
    ['sign-flip', { fraction: 0.2, attack: 'sign-flip' as const }],
  ] as const;
  for (const [label, b] of attacks) {
    for (const agg of ['mean', 'median', 'trimmed-mean', 'clip-mean'] as const) {
      const r = await run(data, ['ppfm'], 10, { aggregator: agg }, b ? { byzantine: b } : {});
      console.log(row(`${label} | ${agg}`, r.methods.ppfm));
    }
    // The norm bound off: what the robust rule alone does against the x-50 members.
    if (label === 'scale x-50') {
      const r = await run(
        data,
        ['ppfm'],
        10,
        { aggregator: 'mean', maxNormRatio: Infinity, maxNormToModel: Infinity },
        { byzantine: b! },
      );
      console.log(row(`${label} | mean, no norm bound`, r.methods.ppfm));
    }
  }
}

/** The raw-units table: local vs ppfm on four data sets in their own units. */
async function table(): Promise<void> {
  console.log('\n## raw-units table: 8 peers, 10 rounds, seed 1');
  for (const data of await datasets()) {
    const r = await run(data, ['local', 'ppfm'], 10);
    console.log(row(`${data.name} | local`, r.methods.local));
    console.log(row(`${data.name} | ppfm`, r.methods.ppfm));
  }
}

/** iid data stays one cluster through the loss fallback (mnist and raw tabular, 8 peers). */
async function iid(): Promise<void> {
  console.log('\n## iid: 8 peers, clusters found by ppfm');
  const data = [
    await mnistUnit('iid', 8, 1, 4000),
    tabularRaw({ peers: 8, perPeer: 120, groups: 1, seed: 2 }),
  ];
  for (const d of data) {
    const r = await run(d, ['local', 'ppfm'], 5);
    console.log(row(`${d.name} | local`, r.methods.local));
    console.log(row(`${d.name} | ppfm`, r.methods.ppfm));
  }
}

async function main(): Promise<void> {
  console.log(`defaults: ${JSON.stringify(DEFAULT_PPFM_CONFIG)}`);
  if (want('optimiser')) await optimiser();
  if (want('scaler')) await scaler();
  if (want('table')) await table();
  if (want('iid')) await iid();
  if (want('byzantine')) await byzantine();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
