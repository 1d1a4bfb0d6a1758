import { createContext } from './context.js';
import { runFedAvg } from './methods/fedavg.js';
import { runIfca } from './methods/ifca.js';
import { runLocal } from './methods/local.js';
import { runOracle } from './methods/oracle.js';
import { runPpfm } from './methods/ppfm.js';
import { runPpfmZda } from './methods/zda.js';
import { ALL_METHODS, DEFAULT_METHODS } from './types.js';
import type { MethodName, SimulationOptions, SimulationResult } from './types.js';

/** Parses a comma-separated method list (e.g. from a CLI flag); throws on an unknown name. */
export function parseMethods(list: string): MethodName[] {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const n of names) {
    if (!(ALL_METHODS as readonly string[]).includes(n))
      throw new Error(`unknown method '${n}' (expected one of ${ALL_METHODS.join(', ')})`);
  }
  return names as MethodName[];
}

/**
 * Runs the requested federation methods (default: the six of DEFAULT_METHODS) on one partition with identical
 * per-peer splits, initial weights and per-round seeds, and scores each on the peers' held-out
 * splits. `fedavg` and `fedavg-ft` share one FedAvg run.
 */
export async function simulate(opts: SimulationOptions): Promise<SimulationResult> {
  const wanted = new Set(opts.methods ?? DEFAULT_METHODS);
  const ctx = await createContext(opts);
  const result: SimulationResult = {
    dataset: opts.dataset,
    partition: opts.partition,
    peers: opts.peers,
    rounds: opts.rounds,
    seed: opts.seed,
    backend: ctx.backend,
    truth: ctx.truth,
    methods: {},
  };
  for (const method of ALL_METHODS) {
    if (!wanted.has(method)) continue;
    switch (method) {
      case 'local':
        result.methods.local = await runLocal(ctx);
        break;
      case 'fedavg':
      case 'fedavg-ft': {
        if (result.methods.fedavg || result.methods['fedavg-ft']) break;
        const r = await runFedAvg(ctx, wanted.has('fedavg-ft'));
        if (wanted.has('fedavg')) result.methods.fedavg = r.fedavg;
        if ('fedavgFt' in r) result.methods['fedavg-ft'] = r.fedavgFt;
        break;
      }
      case 'ifca':
        result.methods.ifca = await runIfca(ctx);
        break;
      case 'oracle':
        result.methods.oracle = await runOracle(ctx);
        break;
      case 'ppfm':
        result.methods.ppfm = await runPpfm(ctx);
        break;
      case 'ppfm+zda-member':
        result.methods[method] = await runPpfmZda(ctx, 'member', opts.augment);
        break;
      case 'ppfm+zda-head':
        result.methods[method] = await runPpfmZda(ctx, 'head', opts.augment);
        break;
    }
  }
  return result;
}
