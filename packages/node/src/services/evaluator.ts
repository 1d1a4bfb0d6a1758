// After every new cluster model: the round's traffic, the evaluation (every personaliseEvery-th
// and the final round: the model adapted on the train split, scored on the held-out split; other
// rounds: the model scored as received), a checkpoint, and the run's completion check. One
// evaluation at a time; a newer model replaces a queued older one.
import { allFinite, ppfmSeeds, type WeightSet } from '@ppfm/meta/light';
import { logEvent, notice, type PeerComponents } from '../components.js';
import type { PersonalResult, ZsEvalResult } from '../learner/learner.js';
import type { Checkpointer } from './checkpointer.js';
import type { HeldModel } from './model-store.js';

export type EvaluatorComponents = Pick<PeerComponents, 'bus' | 'learner' | 'store' | 'settings' | 'traffic'>;

/** The last personalised evaluation (status, tests). */
export interface LastEvaluation {
  round: number;
  accBefore: number;
  accAfter: number;
}

/** Evaluates and checkpoints each new cluster model, then reports it as done. */
export class Evaluator {
  private evaluatedRound: number;
  private trafficRound: number;
  private running = false;
  private queued: HeldModel | undefined;
  last: LastEvaluation | undefined;
  /** Called after a model's evaluation and checkpoint (the run tracker decides completion). */
  onEvaluated: (m: HeldModel) => void = () => undefined;
  /** Epsilon this peer has spent (--dp-*), reported with each evaluation. */
  privacySpent: () => number | undefined = () => undefined;

  constructor(
    private readonly c: EvaluatorComponents,
    private readonly checkpointer: Checkpointer,
    private readonly term: () => number,
    /** Encoded size of the last cluster model fetched or published (traffic event). */
    private readonly modelBytes: () => number,
    restoredRound: number | undefined,
  ) {
    this.evaluatedRound = restoredRound ?? -1;
    this.trafficRound = restoredRound ?? 0;
  }

  /** A new model this peer holds: its round's traffic now, the evaluation when the engine is free. */
  offer(m: HeldModel): void {
    if (m.round > 0 && m.round > this.trafficRound) {
      this.trafficRound = m.round;
      this.traffic(m);
    }
    if (this.running) {
      if (this.queued === undefined || m.round >= this.queued.round) this.queued = m;
      return;
    }
    void this.run(m);
  }

  /** Round-0 baseline of a fresh peer: its cluster's initial model, personalised. */
  baseline(cluster: string, init: WeightSet): void {
    if (this.evaluatedRound >= 0) return;
    this.offer({ cluster, round: 0, term: 0, weights: init, source: '' });
  }

  private async run(m: HeldModel): Promise<void> {
    this.running = true;
    try {
      if (m.round > this.evaluatedRound) {
        this.evaluatedRound = m.round;
        await this.evaluate(m);
        if (m.round > 0) await this.checkpointer.save(this.term());
      }
      this.onEvaluated(m);
    } catch (err) {
      // The engine closed under it: the peer is stopping and saves its checkpoint itself.
      if ((err as Error).message === 'learner closed') return;
      notice(
        this.c,
        'warn',
        `evaluation/checkpoint of round ${m.round} failed: ${(err as Error).message}`,
        'evaluation_failed',
      );
    } finally {
      this.running = false;
      const next = this.queued;
      this.queued = undefined;
      if (next !== undefined) void this.run(next);
    }
  }

  private traffic(m: HeldModel): void {
    const round = this.c.traffic.takeRound();
    const total = this.c.traffic.totals;
    logEvent(this.c, {
      event: 'traffic',
      cluster: m.cluster,
      round: m.round,
      bytesSent: total.sentBytes,
      bytesReceived: total.receivedBytes,
      roundBytesSent: round.sentBytes,
      roundBytesReceived: round.receivedBytes,
      roundDirectBytesSent: round.directSentBytes,
      modelBytes: this.modelBytes(),
      codec: this.c.settings.codec,
    });
  }

  private async evaluate(m: HeldModel): Promise<void> {
    const adapt = personalisesAt(m.round, this.c.settings.rounds, this.c.settings.personaliseEvery);
    const r = adapt
      ? await this.c.learner.personalise(m.weights, ppfmSeeds.adapt(this.c.settings.seed, m.round))
      : await this.scoreAsIs(m.weights);
    if (adapt && allFinite(r.weights)) this.c.store.personal = r.weights;
    this.last = { round: m.round, accBefore: r.before.acc, accAfter: r.after.acc };
    logEvent(this.c, {
      event: 'evaluation',
      cluster: m.cluster,
      round: m.round,
      personalised: adapt,
      accBefore: r.before.acc,
      accAfter: r.after.acc,
      lossBefore: r.before.loss,
      lossAfter: r.after.loss,
      ...zsFields(r.after),
      ...optionalEpsilon(this.privacySpent()),
    });
  }

  /** A round between personalisations: the cluster model scored as received (before = after). */
  private async scoreAsIs(weights: WeightSet): Promise<PersonalResult> {
    const e = await this.c.learner.evaluate(weights, 'val');
    return { before: e, after: e, weights };
  }
}

/** Whether round `round` is personalised: the final round, and every `every`-th (0: final only). */
export function personalisesAt(round: number, target: number | undefined, every: number): boolean {
  if (target !== undefined && round >= target) return true;
  return every > 0 && round % every === 0;
}

/** Zero-shot mode: the personalised model's ZSL and GZSL figures on the held-out split. */
function zsFields(r: ZsEvalResult): { zsl?: number; gzslSeen?: number; gzslUnseen?: number; gzslH?: number } {
  return r.zs === undefined
    ? {}
    : { zsl: r.zs.zsl, gzslSeen: r.zs.seen, gzslUnseen: r.zs.unseen, gzslH: r.zs.h };
}

/** The `epsilon` field of an event, present only when DP is on and epsilon is finite. */
function optionalEpsilon(epsilon: number | undefined): { epsilon?: number } {
  return epsilon !== undefined && Number.isFinite(epsilon) ? { epsilon } : {};
}
