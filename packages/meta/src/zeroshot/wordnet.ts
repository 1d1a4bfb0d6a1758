/**
 * A reader of WordNet 3.0's noun database (Debian `wordnet-base`, /usr/share/wordnet): senses of a lemma,
 * definitions, synonyms and hypernyms. Only the class-vector builder uses it, never a running peer.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where Debian's `wordnet-base` installs the database. */
export const WORDNET_DIR = '/usr/share/wordnet';
/** The Debian package that ships it. */
export const WORDNET_PACKAGE = 'wordnet-base';

/** One noun synset. */
export interface Synset {
  /** Byte offset in data.noun: WordNet's synset id. */
  offset: number;
  /** The synset's words, underscores kept (e.g. `tee_shirt`). */
  lemmas: string[];
  /** The definition, without the quoted examples. */
  gloss: string;
  /** Offsets of the direct hypernyms (`@`) and instance hypernyms (`@i`). */
  hypernyms: number[];
}

/** Read access to WordNet nouns. */
export interface WordNetNouns {
  /** The noun senses of a lemma (spaces or underscores, any case), most frequent first; [] when unknown. */
  senses(lemma: string): Synset[];
  /** The synset at an offset. */
  synset(offset: number): Synset;
}

/** Opens the noun database under `dir`; throws a message naming the Debian package when it is missing. */
export async function openWordNet(dir: string = WORDNET_DIR): Promise<WordNetNouns> {
  let index: string;
  let data: Buffer;
  try {
    index = await readFile(join(dir, 'index.noun'), 'utf8');
    data = await readFile(join(dir, 'data.noun'));
  } catch (e) {
    throw new Error(
      `WordNet not found in ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): ` +
        `install the Debian package '${WORDNET_PACKAGE}' (apt-get install ${WORDNET_PACKAGE})`,
    );
  }
  const byLemma = new Map<string, number[]>();
  for (const line of index.split('\n')) {
    if (line === '' || line.startsWith(' ')) continue; // licence header lines start with spaces
    const f = line.trim().split(' ');
    const pCnt = Number(f[3]);
    const synsetCnt = Number(f[2]);
    const offsets = f.slice(4 + pCnt + 2, 4 + pCnt + 2 + synsetCnt).map(Number);
    byLemma.set(f[0]!, offsets);
  }
  const cache = new Map<number, Synset>();
  const synset = (offset: number): Synset => {
    const hit = cache.get(offset);
    if (hit) return hit;
    const end = data.indexOf(0x0a, offset);
    const line = data.toString('utf8', offset, end < 0 ? data.length : end);
    const s = parseDataLine(line, offset);
    cache.set(offset, s);
    return s;
  };
  return {
    senses: (lemma) => (byLemma.get(lemma.trim().toLowerCase().replace(/\s+/g, '_')) ?? []).map(synset),
    synset,
  };
}

function parseDataLine(line: string, offset: number): Synset {
  const bar = line.indexOf(' | ');
  const head = (bar < 0 ? line : line.slice(0, bar)).trim().split(' ');
  if (Number(head[0]) !== offset) throw new Error(`WordNet data.noun: no synset at offset ${offset}`);
  const wCnt = parseInt(head[3]!, 16);
  const lemmas: string[] = [];
  for (let i = 0; i < wCnt; i++) lemmas.push(head[4 + 2 * i]!.replace(/\(.*\)$/, ''));
  let k = 4 + 2 * wCnt;
  const pCnt = Number(head[k++]);
  const hypernyms: number[] = [];
  for (let i = 0; i < pCnt; i++, k += 4) {
    if ((head[k] === '@' || head[k] === '@i') && head[k + 2] === 'n') hypernyms.push(Number(head[k + 1]));
  }
  const full = bar < 0 ? '' : line.slice(bar + 3).trim();
  // The gloss is "definition; \"example\"; ...": keep the definition parts, drop quoted examples.
  const gloss = full
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p !== '' && !p.startsWith('"'))
    .join('; ');
  return { offset, lemmas, gloss, hypernyms };
}

/** Every ancestor of a synset through hypernym links, with its depth (1 = direct hypernym). */
export function hypernymClosure(wn: WordNetNouns, s: Synset): Map<number, number> {
  const out = new Map<number, number>();
  let frontier = s.hypernyms;
  for (let depth = 1; frontier.length > 0; depth++) {
    const next: number[] = [];
    for (const o of frontier) {
      if (out.has(o)) continue;
      out.set(o, depth);
      next.push(...wn.synset(o).hypernyms);
    }
    frontier = next;
  }
  return out;
}
