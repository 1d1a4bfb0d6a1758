// `npm run bench -w @ppfm/meta`: training throughput per backend, then the simulator's per-round time.
import { benchAugment } from './augment.js';
import { benchSimulator } from './simulator.js';
import { benchTraining } from './train.js';

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  console.log('Training throughput, MLP 784-128-10 (samples/s)');
  const train = await benchTraining({ backends: ['cpu', 'wasm', 'node'] });
  console.log(
    table(
      ['backend', 'batch', 'samples/s', 'note'],
      train.map((r) => [
        r.backend,
        String(r.batchSize),
        r.samplesPerSec.toFixed(0),
        r.error ? 'unavailable' : '',
      ]),
    ),
  );
  const peers = 16;
  const rounds = 3;
  console.log(`\nSimulator, mnist rotate:4, ${peers} peers, ${rounds} rounds (seconds per round)`);
  const sim = await benchSimulator({ peers, rounds, backend: 'wasm' });
  console.log(
    table(
      ['method', 'backend', 's/round', 'total s', 'meanAcc'],
      sim.rows.map((r) => [
        r.method,
        sim.backend,
        r.secondsPerRound.toFixed(2),
        r.seconds.toFixed(1),
        r.meanAcc.toFixed(3),
      ]),
    ),
  );
  console.log(
    '\nZero-shot synthesis per round, MNIST batch-norm MLP (a member tops up 8 classes; a head makes 20 per class)',
  );
  const aug = await benchAugment({ backend: 'wasm' });
  console.log(
    table(
      ['role', 'backend', 'samples', 'steps', 's/round', 'cpu s', 'hit rate', 'BN gaps'],
      aug.rows.map((r) => [
        r.role,
        aug.backend,
        String(r.made),
        String(r.steps),
        r.seconds.toFixed(2),
        r.cpuSeconds.toFixed(2),
        r.hitRate.toFixed(2),
        `${r.bnMeanGap.toFixed(3)}/${r.bnVarGap.toFixed(3)}`,
      ]),
    ),
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
