/** Public API of the @ppfm/meta data layer. */
export {
  type Dataset,
  type DataErrorLocation,
  DataError,
  datasetSize,
  sampleLength,
  selectSamples,
  concatDatasets,
  validateDataset,
} from './dataset.js';
export { loadBuiltin, type BuiltinName, type BuiltinOptions } from './builtin.js';
export { BUILTIN_NAMES, isBuiltinName } from './builtin.js';
export {
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_DIR,
  FASHION_MNIST_ENV,
  fashionMnistAvailable,
  fashionMnistDir,
  loadFashionMnist,
} from './fashion.js';
export { splitDataset, type SplitOptions } from './split.js';
export {
  generateSynthetic,
  type SyntheticOptions,
  SYNTHETIC_FEATURES,
  SYNTHETIC_CLASSES,
} from './synthetic.js';
export { rotateImages, permuteLabels, labelPermutations } from './transform.js';
export {
  partitionDataset,
  parsePartitionSpec,
  peerName,
  type Partition,
  type PartitionSpec,
} from './partition.js';
export { loadDataset, type LoadOptions } from './load.js';
export {
  defaultZeroShotGroups,
  partitionZeroShot,
  zeroShotSplit,
  type ZeroShotInfo,
  type ZeroShotShards,
} from './zeroshot-partition.js';
export { writeCsv, type CsvWriteOptions, type CsvWriteResult } from './csv-write.js';
export { writeCsvDataset, CSV_DATA_FILE, type PartitionFormat, type WritePartitionOptions } from './write.js';
export { applyShift, shiftParameters, type FeatureShift } from './shift.js';
export { makeTabular, logSpacedScales, type TabularOptions } from './tabular.js';
export { checkTrainable, MIN_SAMPLES } from './trainable.js';
export { describeFsError } from './source.js';
export { MANIFEST_KEYS } from './manifest.js';
export { writePartition, readTruth, type PartitionLike, type TruthFile, TRUTH_FILE } from './write.js';
export { type Manifest, type DataFormat, MANIFEST_FILE } from './manifest.js';
export { decodeIdx, type IdxArray } from './idx.js';
export { writeBinDataset } from './bin.js';
