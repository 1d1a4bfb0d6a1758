/** Public API of the offline federation simulator. */
export { simulate, parseMethods } from './simulate.js';
export { formatSimulationTable, simulationJson } from './report.js';
export { ALL_METHODS } from './types.js';
export { mixSeed, subsetDataset } from './context.js';
export { agglomerate } from './linkage.js';
export { chooseSharedPart, sharedTensors, type SharedPart } from './methods/ppfm.js';
export type {
  MethodName,
  MethodResult,
  SimulationOptions,
  SimulationProgress,
  SimulationResult,
} from './types.js';
export * from './zeroshot/index.js';
