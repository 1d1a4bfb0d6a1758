/** Public API of the zero-shot simulator. */
export { simulateZeroShot } from './simulate.js';
export { formatZeroShotTable, zeroShotJson } from './report.js';
export {
  ZS_SETTINGS,
  type ZeroShotSimOptions,
  type ZeroShotSimResult,
  type ZsRow,
  type ZsSetting,
  type ZsSimProgress,
} from './types.js';
