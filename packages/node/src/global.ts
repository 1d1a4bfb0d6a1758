// The head's model update at the end of a round: cluster-level Reptile step on the members'
// differences, then the global-level step toward the other clusters' models on the shared part,
// blended back into the cluster model. Pure (no I/O), the same rule as meta's simulator.
import {
  aggregate,
  blendBack,
  globalStep,
  initGlobal,
  reptileStep,
  sharedTensors,
  type PpfmConfig,
  type SharedPart,
  type WeightSet,
} from '@ppfm/meta';

export interface HeadStepInput {
  /** The cluster model the round started from. */
  theta: WeightSet;
  /** Members' differences (phi_i - theta) with their sample counts. */
  updates: { delta: WeightSet; samples: number }[];
  /** The newest known models of the other clusters. */
  others: WeightSet[];
  /** This head's copy of the global model (undefined: start from this cluster's model). */
  global: WeightSet | undefined;
  /** What clusters have in common (meta's chooseSharedPart over the view). */
  sharedPart: SharedPart;
  cfg: PpfmConfig;
}

/** Cluster step then global step + blend-back; returns the new cluster and global models. */
export function headStep(inp: HeadStepInput): { theta: WeightSet; global: WeightSet } {
  const { cfg } = inp;
  const agg = aggregate(
    inp.updates.map((u) => ({ delta: u.delta, weight: u.samples })),
    cfg.aggregator,
    cfg.trim,
  );
  const theta = reptileStep(inp.theta, agg, cfg.eps);
  // Only the shared part goes global: the body when inputs agree and labellings differ, else
  // the output layer (the task stays in the cluster).
  const only = sharedTensors(theta, inp.sharedPart).map((t) => t.name);
  const global = globalStep(
    inp.global ?? initGlobal([theta]),
    [theta, ...inp.others],
    cfg.globalEps,
    undefined,
    only,
  );
  return { theta: blendBack(theta, global, cfg.blendBeta, only), global };
}
