// The peer's persistent libp2p identity: an Ed25519 key in `<dataDir>/peer.key` (protobuf,
// mode 0600), so a restarted peer keeps its peer id. A corrupt key file is an error, never
// silently replaced: it is the user's identity.
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { makeDir } from './make-dir.js';

export const KEY_FILE = 'peer.key';

// @libp2p/crypto 5.1.23 (the copy libp2p 2.10 itself uses) types its keys against
// @libp2p/interface 3.x; the objects are the same at runtime, only uint8arraylist's typings differ.
const asPrivateKey = (k: unknown): PrivateKey => k as PrivateKey;

/** Raised when the key file exists but cannot be used. */
export class IdentityError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = 'IdentityError';
  }
}

/** Loads `<dataDir>/peer.key`, or creates dataDir and a new Ed25519 key there when absent. */
export async function loadOrCreatePrivateKey(dataDir: string): Promise<PrivateKey> {
  await makeDir(dataDir, 0o700);
  const file = join(dataDir, KEY_FILE);
  let bytes: Buffer | undefined;
  try {
    bytes = await fs.readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT')
      throw new IdentityError(`cannot read identity key ${file}: ${(err as Error).message}`, file);
  }
  if (bytes !== undefined) {
    try {
      return asPrivateKey(privateKeyFromProtobuf(bytes));
    } catch (err) {
      throw new IdentityError(
        `identity key ${file} is corrupt (${(err as Error).message}); ` +
          'restore it from a backup, or move it away to start with a new peer id',
        file,
      );
    }
  }
  const key = await generateKeyPair('Ed25519');
  const tmp = `${file}.tmp`;
  const fh = await fs.open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(privateKeyToProtobuf(key));
    await fh.sync();
  } finally {
    await fh.close();
  }
  // link() fails if another process created the key meanwhile: then use theirs, never overwrite.
  try {
    await fs.link(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    await fs.unlink(tmp);
    return loadOrCreatePrivateKey(dataDir);
  }
  await fs.unlink(tmp);
  return asPrivateKey(key);
}

/** The peer id a peer started with this data dir will have (creating its key when absent). */
export async function peerIdOfDataDir(dataDir: string): Promise<string> {
  return peerIdFromPrivateKey(await loadOrCreatePrivateKey(dataDir)).toString();
}
