// The peer's privacy accountant on disk (<data dir>/privacy-accountant.json): every Gaussian release
// this peer made, written before the release leaves the peer. Restarts, --fresh and new checkpoints
// never reset it; a damaged file stops the peer (silently starting over would reset the budget).
import { join } from 'node:path';
import { PrivacyAccountant, type GaussianRelease } from '@ppfm/meta';
import { readJsonFile, writeJsonDurably } from './json-file.js';

export const ACCOUNTANT_FILE = 'privacy-accountant.json';

/** The file's content (version 1). */
interface AccountantFile {
  version: 1;
  peerId: string;
  releases: GaussianRelease[];
}

/** Path of the accountant file in a data dir. */
export function accountantPath(dataDir: string): string {
  return join(dataDir, ACCOUNTANT_FILE);
}

function isRelease(r: unknown): r is GaussianRelease {
  const x = r as GaussianRelease;
  return (
    typeof x === 'object' &&
    x !== null &&
    Number.isFinite(x.sigma) &&
    x.sigma >= 0 &&
    Number.isInteger(x.count) &&
    x.count >= 0 &&
    Number.isFinite(x.sampleRate) &&
    x.sampleRate >= 0 &&
    x.sampleRate <= 1
  );
}

/**
 * Loads the accountant of `peerId` from `path` (a fresh one when the file is absent) with the current
 * delta and budget. Throws a one-line error naming the file when it is damaged or another peer's.
 */
export async function loadAccountant(
  path: string,
  peerId: string,
  opts: { delta: number; maxEpsilon: number },
): Promise<PrivacyAccountant> {
  const raw = (await readJsonFile(path)) as Partial<AccountantFile> | undefined;
  const acc = new PrivacyAccountant({ delta: opts.delta, maxEpsilon: opts.maxEpsilon });
  if (raw === undefined) return acc;
  const bad = (why: string): Error =>
    new Error(
      `${path}: ${why}; it records the privacy budget already spent, so it is not replaced (move it away knowingly to reset)`,
    );
  if (typeof raw !== 'object' || raw === null || raw.version !== 1) throw bad('unknown format');
  if (raw.peerId !== peerId) throw bad(`written by peer ${String(raw.peerId)}, not this peer`);
  if (!Array.isArray(raw.releases)) throw bad('field "releases" is not an array');
  raw.releases.forEach((r, i) => {
    if (!isRelease(r)) throw bad(`releases[${i}] is not {sigma >= 0, count >= 0, sampleRate in [0, 1]}`);
    acc.record(r.sigma, r.count, r.sampleRate);
  });
  return acc;
}

/** Writes the accountant durably. */
export async function saveAccountant(path: string, peerId: string, acc: PrivacyAccountant): Promise<void> {
  const file: AccountantFile = { version: 1, peerId, releases: acc.toJSON().releases };
  await writeJsonDurably(path, file);
}
