/**
 * Class name -> semantic vector. Variant `name`: the mean of the name's word vectors. Variant
 * `name+wordnet`: that, plus the mean of the words of the class's WordNet definition and the mean of its
 * synonyms' and hypernyms' words (the class hierarchy the seed paper takes from CLIP), each part
 * normalised and weighted before the sum is normalised. Deterministic for given vectors and WordNet.
 */
import { hypernymClosure, type Synset, type WordNetNouns } from './wordnet.js';

/** Semantic-vector variants. */
export type SemanticVariant = 'name' | 'name+wordnet';
export const SEMANTIC_VARIANTS: readonly SemanticVariant[] = ['name', 'name+wordnet'];

/** A word -> vector lookup (e.g. GloVe). */
export interface WordVectors {
  dims: number;
  /** The vector of a lower-case word, undefined when out of vocabulary. */
  get(word: string): Float32Array | undefined;
  /** Where the vectors come from (noted in tables). */
  source: string;
}

/** How the name+wordnet parts are weighted (fixed a priori, not tuned on any accuracy). */
export interface WordNetWeights {
  name: number;
  definition: number;
  hierarchy: number;
  /** Hypernym levels taken (1 = direct hypernyms). */
  depth: number;
}

export const DEFAULT_WORDNET_WEIGHTS: WordNetWeights = { name: 1, definition: 0.5, hierarchy: 0.5, depth: 3 };

/** One embedded class, with what went into it (for the table's notes). */
export interface EmbeddedClass {
  name: string;
  vector: Float32Array;
  /** The name's words found in the vocabulary. */
  words: string[];
  /** name+wordnet: the synset chosen, its definition and the hypernyms used. */
  wordnet?: { synset: number; lemmas: string[]; gloss: string; hypernyms: string[] };
}

const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

// Function words carry no class semantics; definitions are full of them.
const STOP = new Set(
  (
    'a an the of to in on at by for from with without and or but nor as is are was were be been being ' +
    'that which who whom whose this these those it its their there than then so such into onto over ' +
    'under up down out off about above below between through during before after usually often ' +
    'especially typically something someone one ones any some each every all other another more most ' +
    'very can may used use worn having has have had not no'
  ).split(' '),
);

/** The name's vocabulary words: lower-cased pieces split at / , _ and spaces, hyphenated words kept when known. */
export function nameWords(name: string, vectors: WordVectors): string[] {
  const trimmed = name.trim().toLowerCase();
  if (/^\d$/.test(trimmed)) return [NUMBER_WORDS[Number(trimmed)]!];
  const out: string[] = [];
  for (const piece of trimmed.split(/[\s/,_]+/)) {
    if (piece === '') continue;
    if (vectors.get(piece)) out.push(piece);
    else for (const sub of piece.split('-')) if (sub !== '' && vectors.get(sub)) out.push(sub);
  }
  return out;
}

function meanOf(words: string[], vectors: WordVectors): Float32Array | undefined {
  const acc = new Float64Array(vectors.dims);
  let n = 0;
  for (const w of words) {
    const v = vectors.get(w);
    if (!v) continue;
    const len = Math.hypot(...v) || 1;
    for (let k = 0; k < acc.length; k++) acc[k]! += v[k]! / len;
    n++;
  }
  if (n === 0) return undefined;
  return normalise(Float32Array.from(acc, (a) => a / n));
}

/** L2-normalised copy (zero stays zero). */
export function normalise(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  const len = Math.sqrt(s);
  return len > 0 ? v.map((x) => x / len) : v.slice();
}

function lemmaWords(lemma: string, vectors: WordVectors): string[] {
  const l = lemma.toLowerCase();
  return vectors.get(l) ? [l] : nameWords(l, vectors);
}

function textWords(text: string, vectors: WordVectors): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9'-]+/)
    .filter((w) => w.length > 1 && !STOP.has(w) && vectors.get(w) !== undefined);
}

/** Candidate WordNet senses of a class name: its whole name, then its pieces, then its last word. */
function candidates(name: string, wn: WordNetNouns): Synset[] {
  const lower = name.trim().toLowerCase();
  const numbers = /^\d$/.test(lower) ? [NUMBER_WORDS[Number(lower)]!] : [];
  const pieces = lower.split(/[/,]+/).map((p) => p.trim());
  const last = lower.split(/[\s/,_]+/).filter((p) => p !== '');
  const lemmas = [...numbers, lower, ...pieces, last[last.length - 1] ?? ''];
  const seen = new Set<number>();
  const out: Synset[] = [];
  for (const l of lemmas) {
    if (l === '') continue;
    for (const s of wn.senses(l)) {
      if (seen.has(s.offset)) continue;
      seen.add(s.offset);
      out.push(s);
    }
  }
  return out;
}

/**
 * Picks each class's WordNet sense with the other classes as context: starting from every class's most
 * frequent sense, each class in turn takes the sense sharing the most ancestors with the others' current
 * senses, until nothing changes (so `top` among garments is the garment, and digits stay numbers rather than
 * playing cards). Ties keep WordNet's order. Undefined when a class has no sense.
 */
export function chooseSenses(names: string[], wn: WordNetNouns): (Synset | undefined)[] {
  const cands = names.map((n) => candidates(n, wn));
  const closures = cands.map((cs) => cs.map((s) => new Set([s.offset, ...hypernymClosure(wn, s).keys()])));
  const chosen = cands.map(() => 0);
  const shared = (a: Set<number>, b: Set<number>): number => {
    let n = 0;
    for (const x of a) if (b.has(x)) n++;
    return n;
  };
  for (let sweep = 0; sweep < 20; sweep++) {
    let changed = false;
    closures.forEach((mine, i) => {
      let best = chosen[i]!;
      let bestScore = -1;
      mine.forEach((c, a) => {
        let score = 0;
        closures.forEach((other, j) => {
          if (j !== i && other.length > 0) score += shared(c, other[chosen[j]!]!);
        });
        if (score > bestScore) {
          bestScore = score;
          best = a;
        }
      });
      if (best !== chosen[i]) {
        chosen[i] = best;
        changed = true;
      }
    });
    if (!changed) break;
  }
  return cands.map((cs, i) => cs[chosen[i]!]);
}

/**
 * Embeds class names. Throws when no word of a name is in the vocabulary. With `wordnet`, classes
 * without a WordNet sense keep their name vector.
 */
export function embedClassNames(
  names: string[],
  vectors: WordVectors,
  wordnet?: WordNetNouns,
  weights: WordNetWeights = DEFAULT_WORDNET_WEIGHTS,
): EmbeddedClass[] {
  const senses = wordnet ? chooseSenses(names, wordnet) : [];
  return names.map((name, i) => {
    const words = nameWords(name, vectors);
    const base = meanOf(words, vectors);
    if (!base) {
      throw new Error(
        `class '${name}': none of its words is in the vocabulary of ${vectors.source}; rename the class`,
      );
    }
    const sense = senses[i];
    if (!wordnet || !sense) return { name, vector: base, words };
    const ancestors = [...hypernymClosure(wordnet, sense).entries()]
      .filter(([, d]) => d <= weights.depth)
      .sort((a, b) => a[1] - b[1] || a[0] - b[0])
      .map(([o]) => wordnet.synset(o));
    const relWords = [
      ...sense.lemmas.flatMap((l) => lemmaWords(l, vectors)),
      ...ancestors.flatMap((s) => s.lemmas.flatMap((l) => lemmaWords(l, vectors))),
    ];
    const acc = new Float32Array(vectors.dims);
    const parts: [Float32Array | undefined, number][] = [
      [base, weights.name],
      [meanOf(textWords(sense.gloss, vectors), vectors), weights.definition],
      [meanOf(relWords, vectors), weights.hierarchy],
    ];
    for (const [v, w] of parts) if (v) for (let k = 0; k < acc.length; k++) acc[k]! += w * v[k]!;
    return {
      name,
      vector: normalise(acc),
      words,
      wordnet: {
        synset: sense.offset,
        lemmas: sense.lemmas,
        gloss: sense.gloss,
        hypernyms: ancestors.map((s) => s.lemmas[0]!),
      },
    };
  });
}
