// The messages between a peer and its learning worker: one request per call, answered once.
import type { EvalResult, WeightSet } from '@ppfm/meta';
import type {
  AugmentArgs,
  AugmentOutcome,
  HeadRoundArgs,
  HeadRoundResult,
  LearnerInfo,
  LearnerInit,
  PersonalResult,
  SharedSet,
  TrainResult,
} from './learner.js';

/** A call into the engine and the type of its answer. */
export interface LearnerCalls {
  init: { args: LearnerInit; result: LearnerInfo };
  train: { args: { theta: WeightSet; seed: number }; result: TrainResult };
  warmup: { args: { init: WeightSet; seed: number }; result: WeightSet };
  evaluate: { args: { weights: WeightSet; split: 'train' | 'val' }; result: EvalResult };
  personalise: { args: { theta: WeightSet; seed: number }; result: PersonalResult };
  headRound: { args: HeadRoundArgs; result: HeadRoundResult };
  augment: { args: AugmentArgs; result: AugmentOutcome };
  share: { args: SharedSet; result: void };
}

export type CallName = keyof LearnerCalls;

/** Peer -> worker. */
export type WorkerRequest = {
  [K in CallName]: { id: number; op: K; args: LearnerCalls[K]['args'] };
}[CallName];

/** Worker -> peer. */
export type WorkerResponse =
  { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string; name?: string };

/** The buffers of a result that can be moved instead of copied. */
export function transferables(value: unknown): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  const seen = new Set<ArrayBuffer>();
  const visit = (v: unknown, depth: number): void => {
    if (depth > 4 || v === null || typeof v !== 'object') return;
    if (v instanceof Float32Array || v instanceof Int32Array) {
      const b = v.buffer;
      // Only whole, plain buffers: a view into a larger (e.g. pooled) buffer must be copied.
      if (b instanceof ArrayBuffer && v.byteOffset === 0 && v.byteLength === b.byteLength && !seen.has(b)) {
        seen.add(b);
        out.push(b);
      }
      return;
    }
    if (Array.isArray(v)) for (const x of v) visit(x, depth + 1);
    else for (const x of Object.values(v as Record<string, unknown>)) visit(x, depth + 1);
  };
  visit(value, 0);
  return out;
}
