/** Public API of zero-shot learning: semantic class tables, zero-shot models and their federated rule. */
export {
  DEFAULT_WORDNET_WEIGHTS,
  SEMANTIC_VARIANTS,
  chooseSenses,
  embedClassNames,
  nameWords,
  normalise,
  type EmbeddedClass,
  type SemanticVariant,
  type WordNetWeights,
  type WordVectors,
} from './embed.js';
export {
  WORDNET_DIR,
  WORDNET_PACKAGE,
  hypernymClosure,
  openWordNet,
  type Synset,
  type WordNetNouns,
} from './wordnet.js';
export {
  WORD_VECTORS_INSTALL,
  WORD_VECTORS_PACKAGE,
  WORD_VECTORS_VERSION,
  loadWordVectors,
  wordVectorsMissing,
  wordVectorsPath,
} from './word-vectors.js';
export {
  SEMANTIC_DATASETS,
  SEMANTIC_TABLE_DIR,
  alignTable,
  builtinSemanticTable,
  cosine,
  parseClassEmbeddings,
  readSemanticTable,
  semanticTableJson,
  type SemanticDataset,
  type SemanticTable,
} from './semantic.js';
export { SEMANTIC_DATASET_CLASSES, SEMANTIC_LICENCE, builtinTableJson } from './builtin-tables.js';
export {
  DEFAULT_ZS_CONFIG,
  INPUT_CLIP,
  ZS_METHODS,
  inputScale,
  makeZsTask,
  type InputScale,
  type ZsConfig,
  type ZsEncoder,
  type ZsGeneratorLoss,
  type ZsGeneratorSpace,
  type ZsMethod,
  type ZsTask,
} from './task.js';
export { bestPenalty, calibrate, harmonic, zsScores, type ZsScores } from './metrics.js';
export {
  ZS_LOCAL_PREFIXES,
  ZS_SHARED_PREFIXES,
  zsAggregate,
  zsEvaluate,
  zsInit,
  zsLogits,
  zsMemberUpdate,
  zsPersonalise,
  zsShared,
  type ZsAggregateOptions,
  type ZsMemberUpdate,
  type ZsState,
  type ZsUpdateOptions,
} from './rule.js';
export { parseZeroShotManifest, readZeroShotManifest, type ZeroShotManifest } from './manifest.js';
