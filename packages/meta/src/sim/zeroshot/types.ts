import type { BackendName } from '../../backend.js';
import type { SemanticVariant } from '../../zeroshot/embed.js';
import type { ZsScores } from '../../zeroshot/metrics.js';
import type { ZsConfig, ZsMethod } from '../../zeroshot/task.js';

/**
 * How the zero-shot learners are organised: each peer `alone`; `federated` (one cluster of every peer
 * sharing the input space and the class table: the zero-shot rule); `grouped` (one cluster per label group,
 * what clustering on label statistics would give); `pooled` (every seen sample in one place).
 */
export type ZsSetting = 'alone' | 'federated' | 'grouped' | 'pooled';
export const ZS_SETTINGS: readonly ZsSetting[] = ['alone', 'federated', 'grouped', 'pooled'];

/** What `simulateZeroShot` runs. */
export interface ZeroShotSimOptions {
  /** `fashion-mnist`, `mnist` or a dataset path (then `classTable` is required). */
  dataset: string;
  /** `zeroshot:<unseen>[,<groups>]`. */
  partition: string;
  peers: number;
  rounds: number;
  seed: number;
  backend?: 'auto' | BackendName;
  /** Use only N samples of the dataset (seeded subset). */
  maxSamples?: number;
  model?: ZsMethod;
  config?: Partial<ZsConfig>;
  /** Semantic variants of the built-in table (default both). */
  variants?: SemanticVariant[];
  /** A class-table file (`ppfm classes embed` output or a ppfm.json with classEmbeddings). */
  classTable?: string;
  settings?: ZsSetting[];
  /** Choose the GZSL seen penalty on pseudo-unseen validation classes before the runs (default true). */
  calibrate?: boolean;
  onProgress?: (e: ZsSimProgress) => void;
  /** Called with each row as soon as its setting has finished. */
  onRow?: (row: ZsRow) => void;
}

/** Progress after each round of a setting. */
export interface ZsSimProgress {
  variant: string;
  setting: ZsSetting | 'calibrate';
  round: number;
  rounds: number;
  note?: string;
}

/** Mean over peers of one setting's scores. */
export interface ZsRow {
  setting: ZsSetting;
  variant: string;
  /** Uncalibrated GZSL and ZSL. */
  raw: ZsScores;
  /** GZSL with the variant's seen penalty (same ZSL). */
  calibrated: ZsScores;
  /** Per peer: ZSL accuracy and calibrated H. */
  peerZsl: number[];
  peerH: number[];
  seconds: number;
}

/** The outcome of simulateZeroShot. */
export interface ZeroShotSimResult {
  dataset: string;
  partition: string;
  peers: number;
  rounds: number;
  seed: number;
  backend: BackendName;
  model: ZsMethod;
  classNames: string[];
  unseen: number[];
  classGroups: number[][];
  /** What fingerprint clustering (label statistics) does on this partition: its cluster count and ARI vs the label groups. */
  fingerprintClusters: { k: number; ari: number };
  /** Per variant: the GZSL seen penalty chosen on validation classes, and those classes. */
  calibration: Record<string, { penalty: number; validationClasses: number[]; h: number }>;
  rows: ZsRow[];
}
