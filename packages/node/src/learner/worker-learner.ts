// The default learning engine: a worker thread per peer, so training never blocks the peer's
// event loop (heartbeats, leases and gossip validation keep their timing while it trains).
import { Worker } from 'node:worker_threads';
import type { EvalResult, WeightSet } from '@ppfm/meta';
import {
  LearnerError,
  type AugmentArgs,
  type AugmentOutcome,
  type SharedSet,
  type HeadRoundArgs,
  type HeadRoundResult,
  type Learner,
  type LearnerInfo,
  type LearnerInit,
  type PersonalResult,
  type TrainResult,
} from './learner.js';
import type { CallName, LearnerCalls, WorkerRequest, WorkerResponse } from './messages.js';

interface Pending {
  op: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

/** A call waiting for the worker: round work goes first, personalisation last. */
interface Queued extends Pending {
  id: number;
  request: WorkerRequest;
  low: boolean;
}

/**
 * Personalisation (200 fine-tuning steps) is ~15x a round's training: queued behind it, a
 * member's update or a head's round step would wait for it and hold the cluster's round.
 */
const LOW_PRIORITY: ReadonlySet<CallName> = new Set<CallName>(['personalise']);

/** Starts a worker, loads the data there and resolves once the engine is ready. */
export async function startWorkerLearner(init: LearnerInit): Promise<Learner> {
  const w = new WorkerLearner();
  try {
    await w.start(init);
  } catch (err) {
    await w.close();
    throw err;
  }
  return w;
}

class WorkerLearner implements Learner {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  /** Calls not yet posted: the worker runs one at a time, so it gets one at a time. */
  private readonly queue: Queued[] = [];
  private nextId = 1;
  private failed: Error | undefined;
  private infoValue: LearnerInfo | undefined;

  constructor() {
    this.worker = new Worker(new URL('./worker-main.js', import.meta.url));
    this.worker.on('message', (res: WorkerResponse) => {
      const p = this.pending.get(res.id);
      if (p === undefined) return;
      this.pending.delete(res.id);
      this.dispatch();
      if (this.pending.size === 0) this.worker.unref();
      if (res.ok) p.resolve(res.value);
      else p.reject(new LearnerError(p.op, res.error, res.name));
    });
    this.worker.on('error', (err) => this.fail(new LearnerError('worker', err.message)));
    this.worker.on('exit', (code) =>
      this.fail(new LearnerError('worker', `learning worker exited (code ${code})`)),
    );
    // An idle worker must not keep a stopped peer's process alive; a busy one must.
    this.worker.unref();
  }

  get info(): LearnerInfo {
    if (this.infoValue === undefined) throw new Error('learner not started');
    return this.infoValue;
  }

  async start(init: LearnerInit): Promise<void> {
    this.infoValue = await this.call('init', init);
  }

  train(theta: WeightSet, seed: number): Promise<TrainResult> {
    return this.call('train', { theta, seed });
  }
  warmup(init: WeightSet, seed: number): Promise<WeightSet> {
    return this.call('warmup', { init, seed });
  }
  evaluate(weights: WeightSet, split: 'train' | 'val'): Promise<EvalResult> {
    return this.call('evaluate', { weights, split });
  }
  personalise(theta: WeightSet, seed: number): Promise<PersonalResult> {
    return this.call('personalise', { theta, seed });
  }

  headRound(args: HeadRoundArgs): Promise<HeadRoundResult> {
    return this.call('headRound', args);
  }

  augment(args: AugmentArgs): Promise<AugmentOutcome> {
    return this.call('augment', args);
  }

  share(set: SharedSet): Promise<void> {
    return this.call('share', set);
  }

  async close(): Promise<void> {
    this.fail(new LearnerError('close', 'learner closed'));
    await this.worker.terminate().catch(() => undefined);
  }

  private call<K extends CallName>(op: K, args: LearnerCalls[K]['args']): Promise<LearnerCalls[K]['result']> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const request = { id, op, args } as WorkerRequest;
      this.queue.push({
        id,
        op,
        request,
        low: LOW_PRIORITY.has(op),
        resolve: resolve as (v: unknown) => void,
        reject,
      });
      this.worker.ref();
      this.dispatch();
    });
  }

  /** Posts the next queued call when the worker is idle: the oldest urgent one, else the oldest. */
  private dispatch(): void {
    if (this.pending.size > 0 || this.queue.length === 0) return;
    const urgent = this.queue.findIndex((q) => !q.low);
    const [next] = this.queue.splice(urgent >= 0 ? urgent : 0, 1);
    if (next === undefined) return;
    this.pending.set(next.id, next);
    // Arguments are copied (structured clone): the caller keeps its weights.
    this.worker.postMessage(next.request);
  }

  private fail(err: Error): void {
    this.failed ??= err;
    for (const p of this.pending.values()) p.reject(err);
    for (const q of this.queue) q.reject(err);
    this.pending.clear();
    this.queue.length = 0;
    this.worker.unref();
  }
}
