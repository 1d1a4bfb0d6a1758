// The models a peer holds: its cluster model (with its lineage), its copy of the global model,
// its personalised model and its warm-up model. One owner, so the fetch handler, the round
// drivers and the checkpointer all see the same thing.
import type { WeightSet } from '@ppfm/meta';

/** A cluster model and where it came from. */
export interface HeldModel {
  cluster: string;
  round: number;
  term: number;
  weights: WeightSet;
  /** The head this model came from (its lineage); '' when restored from a checkpoint. */
  source: string;
}

/** Holds the peer's models and decides which cluster model is newer. */
export class ModelStore {
  private held: HeldModel | undefined;
  /** This head's copy of the global model (shared part only). */
  global: WeightSet | undefined;
  personal: WeightSet | undefined;
  warmup: WeightSet | undefined;

  /** `template`: the names and shapes every model of this task has (scaler included). */
  constructor(readonly template: WeightSet) {}

  /** The current cluster model, if any. */
  get model(): HeldModel | undefined {
    return this.held;
  }

  /**
   * Takes `got` when it is newer in our lineage, or comes from another head (a new head, or the
   * winner of a merge: its lineage replaces ours even at a lower round). Returns whether it did.
   */
  adopt(got: HeldModel): boolean {
    const m = this.held;
    if (m !== undefined && m.cluster === got.cluster && m.source === got.source && got.round <= m.round)
      return false;
    this.held = got;
    return true;
  }

  /** Replaces the cluster model unconditionally (a head's own step, a restore). */
  set(m: HeldModel): void {
    this.held = m;
  }

  /** The model to continue from as head of `cluster` (ours, else the cluster's initial model at round 0). */
  baseFor(cluster: string, self: string, term: number, init: WeightSet): HeldModel {
    const base = this.held ?? { cluster, round: 0, term: 0, weights: init, source: self };
    return { ...base, cluster, term };
  }
}
