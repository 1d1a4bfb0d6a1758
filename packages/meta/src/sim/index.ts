/** Public API of the offline federation simulator. */
export { simulate, parseMethods } from './simulate.js';
export { formatSimulationTable, simulationJson } from './report.js';
export { ALL_METHODS } from './types.js';
export { mixSeed, subsetDataset } from './context.js';
export type {
  ByzantineOptions,
  MethodName,
  MethodResult,
  RuleEvents,
  SimulationOptions,
  SimulationProgress,
  SimulationResult,
  SimPrivacyOptions,
} from './types.js';
export * from './zeroshot/index.js';
