// Zero-shot augmentation cost: `npm run bench -w @ppfm/meta` prints seconds of synthesis per round.
// `node dist/bench/augment.js --table [--max-samples N] [--rounds R] [--only a,b] [partition...]` runs the FedZDA
// comparison table instead (minutes).
import { pathToFileURL } from 'node:url';
import { augmentMember, headFineTune, inputStatsOf } from '../src/augment/index.js';
import type { AugmentReport, TaskModel } from '../src/augment/index.js';
import { selectBackend, type BackendName } from '../src/backend.js';
import { loadBuiltin, selectSamples, splitDataset } from '../src/data/index.js';
import { defaultAugmentSpec } from '../src/model-spec.js';
import { initWeights } from '../src/model.js';
import { createContext } from '../src/sim/context.js';
import { runFedAvgFairness, runPpfmZda, type ZdaMode } from '../src/sim/methods/zda.js';
import type { FairnessStats, MethodResult } from '../src/sim/types.js';
import { trainLocal } from '../src/train.js';

/** One synthesis measurement: what a member or head makes in one round, and what it costs. */
export interface AugmentBenchRow {
  role: 'member' | 'head';
  made: number;
  steps: number;
  /** Wall seconds and CPU seconds of this process (the box is shared: CPU time is the steadier figure). */
  seconds: number;
  cpuSeconds: number;
  hitRate: number;
  bnMeanGap: number;
  bnVarGap: number;
}

/**
 * Times one round's synthesis on the MNIST batch-norm MLP: a member holding 2 of 10 classes tops up the
 * other 8 (threshold 5 % of 500 samples: 25 each, 200 samples) and a head makes 20 per class (200), each
 * with `steps` optimisation steps. Members synthesise in parallel on their own machines, so a round's
 * added latency is one member's or one head's time.
 */
export async function benchAugment(
  opts: { backend?: BackendName; steps?: number[] } = {},
): Promise<{ backend: BackendName; rows: AugmentBenchRow[] }> {
  const backend = await selectBackend(opts.backend ?? 'wasm');
  const mnist = await loadBuiltin('mnist');
  const { train } = splitDataset(selectSamples(mnist, [...Array(3000).keys()]), {
    valFraction: 0.2,
    seed: 1,
  });
  const task: TaskModel = {
    spec: defaultAugmentSpec([28, 28, 1], 10),
    inputShape: [28, 28, 1],
    numClasses: 10,
  };
  const theta = await trainLocal(
    task.spec,
    task.inputShape,
    10,
    initWeights(task.spec, task.inputShape, 10, 1),
    train,
    {
      epochs: 1,
      batchSize: 32,
      lr: 0.3,
      seed: 1,
    },
  );
  const stats = inputStatsOf(train);
  const member = selectSamples(train, [...train.y.keys()].filter((i) => train.y[i]! < 2).slice(0, 500));
  const rows: AugmentBenchRow[] = [];
  const measure = async (
    role: AugmentBenchRow['role'],
    steps: number,
    run: () => Promise<AugmentReport>,
  ): Promise<void> => {
    const cpu0 = process.cpuUsage();
    const r = await run();
    const cpu = process.cpuUsage(cpu0);
    rows.push({
      role,
      made: r.made,
      steps,
      seconds: r.ms / 1000,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      hitRate: r.diagnostics?.hitRate ?? 0,
      bnMeanGap: r.diagnostics?.bnMeanGap ?? 0,
      bnVarGap: r.diagnostics?.bnVarGap ?? 0,
    });
  };
  for (const steps of opts.steps ?? [50, 100]) {
    await measure(
      'member',
      steps,
      async () => (await augmentMember(task, theta, member, { seed: 1, steps, inputStats: stats })).report,
    );
    await measure(
      'head',
      steps,
      async () => (await headFineTune(task, theta, { seed: 1, steps, inputStats: stats })).report,
    );
  }
  return { backend, rows };
}

const fmt = (s: FairnessStats): string => `${s.mean.toFixed(3)} | ${s.min.toFixed(3)} | ${s.std.toFixed(3)}`;

/** Size of a table run (the full table: all 10,000 digits, 10 rounds). */
interface TableSize {
  maxSamples?: number;
  rounds: number;
  /** Rows to run (default all four: fedavg, ppfm, ppfm+zda-member, ppfm+zda-head). */
  only?: string[];
}

/** The FedZDA table: mnist, 16 peers, seed 1, the batch-norm MLP, four methods per partition. */
async function table(partitions: string[], size: TableSize): Promise<void> {
  console.log(`mnist, 16 peers, ${size.maxSamples ?? 'all'} digits, ${size.rounds} rounds, seed 1, wasm`);
  console.log(
    '| partition | method | own: mean, worst, std | balanced: mean, worst, std | synthesis | seconds |',
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const partition of partitions) {
    const ctx = await createContext({
      dataset: 'mnist',
      partition,
      peers: 16,
      rounds: size.rounds,
      seed: 1,
      backend: 'wasm',
      model: defaultAugmentSpec([28, 28, 1], 10),
      ...(size.maxSamples !== undefined ? { maxSamples: size.maxSamples } : {}),
    });
    const runs: [string, () => Promise<MethodResult>][] = [
      ['fedavg', () => runFedAvgFairness(ctx)],
      ...(['none', 'member', 'head'] as ZdaMode[]).map((m): [string, () => Promise<MethodResult>] => [
        m === 'none' ? 'ppfm' : `ppfm+zda-${m}`,
        () => runPpfmZda(ctx, m),
      ]),
    ];
    for (const [name, run] of runs) {
      if (size.only !== undefined && !size.only.includes(name)) continue;
      const r = await run();
      const f = r.fairness!;
      const synth = f.synthesis ? `${f.synthesis.made} samples, ${f.synthesis.seconds.toFixed(0)} s` : '-';
      console.log(
        `| ${partition} | ${name} | ${fmt(f.own)} | ${fmt(f.balanced)} | ${synth} | ${r.seconds.toFixed(0)} |`,
      );
    }
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--table') {
    // --table [--max-samples N] [--rounds R] [partition...]
    const size: TableSize = { rounds: 10 };
    const partitions: string[] = [];
    for (let i = 1; i < args.length; i++) {
      const a = args[i]!;
      const v = Number(args[i + 1]);
      if (a === '--only') {
        size.only = (args[++i] ?? '').split(',');
        continue;
      }
      if (a === '--max-samples' || a === '--rounds') {
        if (!Number.isInteger(v) || v < 1)
          throw new Error(`${a} needs a positive integer, got '${args[i + 1]}'`);
        if (a === '--rounds') size.rounds = v;
        else size.maxSamples = v;
        i++;
      } else partitions.push(a);
    }
    await table(partitions.length > 0 ? partitions : ['dirichlet:0.1', 'classes:2'], size);
    return;
  }
  const r = await benchAugment();
  console.log(`Zero-shot synthesis per round, MNIST batch-norm MLP, backend ${r.backend}`);
  for (const row of r.rows)
    console.log(
      `${row.role.padEnd(6)} ${String(row.made).padStart(4)} samples ${String(row.steps).padStart(4)} steps ` +
        `${row.seconds.toFixed(2).padStart(6)} s wall ${row.cpuSeconds.toFixed(2).padStart(6)} s cpu  ` +
        `hit ${row.hitRate.toFixed(2)} gaps ${row.bnMeanGap.toFixed(3)}/${row.bnVarGap.toFixed(3)}`,
    );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
