// What `ppfm start` reads before a peer starts, each failure a usage error naming its flag: the
// data and data dir paths, the identity, the --model spec and the private-network files.
import { createHash } from 'node:crypto';
import { existsSync, promises as fs, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { ModelSpec } from '@ppfm/meta';
import { KEY_FILE, loadOrCreatePrivateKey } from '../identity.js';
import { fsReason } from '../log/event-log.js';
import { PrivateNetworkError, readAllowList, readSwarmKey } from '../net/private-network.js';
import type { PeerOptions } from '../options.js';
import { UsageError } from './errors.js';
import type { StartFlags } from './start-options.js';

/** Reads --allow-peers / --swarm-key files; a bad file is a usage error naming the flag, file and line. */
export async function privateNetwork(
  flags: StartFlags,
): Promise<Pick<PeerOptions, 'allowPeers' | 'swarmKey'>> {
  const out: Pick<PeerOptions, 'allowPeers' | 'swarmKey'> = {};
  try {
    if (flags.allowPeers !== undefined) out.allowPeers = await readAllowList(flags.allowPeers);
  } catch (err) {
    if (err instanceof PrivateNetworkError) throw new UsageError(`--allow-peers: ${err.message}`);
    throw err;
  }
  try {
    if (flags.swarmKey !== undefined) out.swarmKey = await readSwarmKey(flags.swarmKey);
  } catch (err) {
    if (err instanceof PrivateNetworkError) throw new UsageError(`--swarm-key: ${err.message}`);
    throw err;
  }
  return out;
}

/** `$PPFM_HOME`, defaulting to ~/.ppfm. */
function ppfmHome(): string {
  return process.env.PPFM_HOME ?? join(homedir(), '.ppfm');
}

/**
 * Default data dir: `$PPFM_HOME/<basename of --data>-<8 hex of sha256(real path of --data)>`, so
 * two datasets with the same folder name never share an identity, a log or a checkpoint.
 */
export function defaultDataDir(dataPath: string): string {
  let real = resolve(dataPath);
  try {
    real = realpathSync(real);
  } catch {
    // a path that cannot be resolved is refused by checkPaths; hash it as given
  }
  const hash = createHash('sha256').update(real).digest('hex').slice(0, 8);
  return join(ppfmHome(), `${basename(real)}-${hash}`);
}

/** The default of older versions (`$PPFM_HOME/<basename>`), when it holds an identity. */
export function legacyDataDir(dataPath: string): string | undefined {
  const old = join(ppfmHome(), basename(resolve(dataPath)));
  return existsSync(join(old, KEY_FILE)) ? old : undefined;
}

/** Reads and checks a --model spec file (a usage error naming the file otherwise). */
export async function readModelSpec(path: string): Promise<ModelSpec> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--model: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--model: ${path} is not valid JSON (${(err as Error).message})`);
  }
  const { parseModelSpec } = await import('@ppfm/meta/light');
  try {
    return parseModelSpec(value);
  } catch (err) {
    throw new UsageError(`--model: ${path}: ${(err as Error).message}`);
  }
}

/** Why a path cannot be used, for an error naming it. */
function pathProblem(err: unknown): string {
  return (err as NodeJS.ErrnoException).code === 'ENOENT' ? ' does not exist' : `: ${fsReason(err)}`;
}

/** Validates flags that commander cannot check alone (paths, files). */
export async function checkPaths(flags: StartFlags): Promise<void> {
  try {
    await fs.stat(flags.data);
  } catch (err) {
    throw new UsageError(`--data: ${flags.data}${pathProblem(err)}`);
  }
  if (flags.dataDir !== undefined) {
    const st = await fs.stat(flags.dataDir).catch(() => undefined);
    if (st !== undefined && !st.isDirectory())
      throw new UsageError(`--data-dir: ${flags.dataDir} is not a directory`);
  }
}

/** Creates the data dir and loads the identity, naming the flag when the place is unusable. */
export async function loadIdentity(dataDir: string, flag: string): ReturnType<typeof loadOrCreatePrivateKey> {
  try {
    return await loadOrCreatePrivateKey(dataDir);
  } catch (err) {
    if ((err as Error).name === 'IdentityError') throw err;
    throw new UsageError(`${flag}: cannot use ${dataDir}: ${fsReason(err)}`);
  }
}
