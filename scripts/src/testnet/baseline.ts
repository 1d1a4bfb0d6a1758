/**
 * The offline simulator as a comparison point: `ppfm simulate --json` in a child process (so its
 * TensorFlow.js memory and CPU are not mixed into the testnet's own process), on the same dataset,
 * partition, peer count, rounds, seed and sample subset as the testnet.
 */
import { execFile } from 'node:child_process';

/** One method's figures from `ppfm simulate --json`. */
export interface SimMethodResult {
  meanAcc: number;
  minAcc: number;
  ari?: number;
  rounds: number;
  seconds: number;
}

/** What to simulate. */
export interface SimulateRequest {
  cli: string;
  dataset: string;
  partition: string;
  peers: number;
  rounds: number;
  seed: number;
  backend: string;
  maxSamples?: number;
  methods: string[];
  timeoutMs?: number;
  /** More `ppfm simulate` arguments (e.g. --dp-clip 1 --dp-epsilon 4). */
  extraArgs?: string[];
}

/** Runs `ppfm simulate ... --json` and returns its methods' figures plus the process's wall time. */
export async function runSimulate(
  req: SimulateRequest,
): Promise<{ methods: Record<string, SimMethodResult>; wallSeconds: number }> {
  const args = [
    req.cli,
    'simulate',
    '--dataset',
    req.dataset,
    '--partition',
    req.partition,
    '--peers',
    String(req.peers),
    '--rounds',
    String(req.rounds),
    '--seed',
    String(req.seed),
    '--backend',
    req.backend,
    '--methods',
    req.methods.join(','),
    '--json',
  ];
  if (req.maxSamples !== undefined) args.push('--max-samples', String(req.maxSamples));
  args.push(...(req.extraArgs ?? []));
  const t0 = Date.now();
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      args,
      { timeout: req.timeoutMs ?? 20 * 60_000, maxBuffer: 16 * 1024 * 1024 },
      (err, out, errOut) => {
        if (err) reject(new Error(`ppfm simulate failed: ${lastLine(errOut) || err.message}`));
        else resolve(out);
      },
    );
  });
  const wallSeconds = (Date.now() - t0) / 1000;
  const line = stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.trim().startsWith('{'));
  if (line === undefined) throw new Error('ppfm simulate printed no JSON');
  const parsed = JSON.parse(line) as { methods?: Record<string, SimMethodResult> };
  return { methods: parsed.methods ?? {}, wallSeconds };
}

function lastLine(s: string): string {
  return (
    s
      .trim()
      .split('\n')
      .filter((l) => l.trim() !== '')
      .pop() ?? ''
  );
}
