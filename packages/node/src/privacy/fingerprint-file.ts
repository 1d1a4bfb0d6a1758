// --fingerprint-noise: the published fingerprint is noised once per dataset and the same noised copy
// is republished, also after a restart (<data dir>/fingerprint-noised.json): fresh noise on every
// publication, or on every start, would average out for whoever collects them.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { noiseFingerprint, secureNormals, type Fingerprint, type NormalSource } from '@ppfm/meta';
import { readJsonFile, writeJsonDurably } from './json-file.js';

export const NOISED_FINGERPRINT_FILE = 'fingerprint-noised.json';

interface NoisedFile {
  version: 1;
  scale: number;
  /** SHA-256 of the exact fingerprint it noises: new data gets new noise. */
  source: string;
  fingerprint: Fingerprint;
}

function digest(fp: Fingerprint): string {
  return createHash('sha256').update(JSON.stringify(fp)).digest('hex');
}

/** What noisedFingerprint did. */
export interface NoisedFingerprint {
  fingerprint: Fingerprint;
  /** True when an earlier noised copy of the same data at the same scale was reused. */
  reused: boolean;
}

/**
 * The noised copy of `fp` at `scale` for this data dir: the stored one when it noises the same
 * fingerprint at the same scale, else a new one (platform CSPRNG noise) that is stored first.
 */
export async function noisedFingerprint(
  dataDir: string,
  fp: Fingerprint,
  scale: number,
  rng: NormalSource = secureNormals(),
): Promise<NoisedFingerprint> {
  const path = join(dataDir, NOISED_FINGERPRINT_FILE);
  const source = digest(fp);
  // An unreadable or foreign file is replaced: a new noised copy costs nothing but a new draw.
  const old = (await readJsonFile(path).catch(() => undefined)) as Partial<NoisedFile> | undefined;
  if (old?.version === 1 && old.scale === scale && old.source === source && old.fingerprint !== undefined)
    return { fingerprint: old.fingerprint, reused: true };
  const fingerprint = noiseFingerprint(fp, scale, rng);
  const file: NoisedFile = { version: 1, scale, source, fingerprint };
  await writeJsonDurably(path, file);
  return { fingerprint, reused: false };
}
