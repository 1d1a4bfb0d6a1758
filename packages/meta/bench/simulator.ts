import { ALL_METHODS, simulate } from '../src/sim/index.js';
import type { BackendName } from '../src/index.js';

/** Per-round wall time of each simulator method on one configuration. */
export interface SimulatorBenchRow {
  method: string;
  rounds: number;
  seconds: number;
  secondsPerRound: number;
  meanAcc: number;
}

/**
 * Times every simulator method on MNIST rotate:4 (16 peers by default, ~500 training samples each);
 * seconds per round include the method's one-off work (clustering, fine-tuning) spread over the rounds.
 */
export async function benchSimulator(
  opts: { peers?: number; rounds?: number; backend?: BackendName } = {},
): Promise<{ backend: BackendName; rows: SimulatorBenchRow[] }> {
  const rounds = opts.rounds ?? 3;
  const r = await simulate({
    dataset: 'mnist',
    partition: 'rotate:4',
    peers: opts.peers ?? 16,
    rounds,
    seed: 1,
    backend: opts.backend ?? 'wasm',
  });
  const rows: SimulatorBenchRow[] = [];
  for (const method of ALL_METHODS) {
    const m = r.methods[method];
    if (!m) continue;
    rows.push({
      method,
      rounds,
      seconds: m.seconds,
      secondsPerRound: m.seconds / rounds,
      meanAcc: m.meanAcc,
    });
  }
  return { backend: r.backend, rows };
}
