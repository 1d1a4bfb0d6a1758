/** Public API of the offline federation simulator. */
export { simulate, parseMethods } from './simulate.js';
export { formatSimulationTable, simulationJson } from './report.js';
export { ALL_METHODS, DEFAULT_METHODS } from './types.js';
export { mixSeed, subsetDataset } from './context.js';
export { runPpfmZda, runFedAvgFairness, ZDA_SIM_DEFAULTS, type ZdaMode } from './methods/zda.js';
export { balancedSetsOf, fairnessStats } from './methods/balanced.js';
export type {
  ByzantineOptions,
  FairnessReport,
  FairnessStats,
  ZdaSimOptions,
  MethodName,
  MethodResult,
  RuleEvents,
  SimulationOptions,
  SimulationProgress,
  SimulationResult,
  SimPrivacyOptions,
} from './types.js';
export * from './zeroshot/index.js';
