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
