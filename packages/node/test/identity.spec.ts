import assert from 'node:assert/strict';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { mkdtemp, rm, stat, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IdentityError, KEY_FILE, loadOrCreatePrivateKey } from '../src/identity.js';

describe('identity', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ppfm-id-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the data dir and an Ed25519 key with mode 0600, and reloads the same peer id', async () => {
    const dataDir = join(dir, 'nested', 'peer');
    const k1 = await loadOrCreatePrivateKey(dataDir);
    assert.equal(k1.type, 'Ed25519');
    const st = await stat(join(dataDir, KEY_FILE));
    if (process.platform !== 'win32') assert.equal(st.mode & 0o777, 0o600);
    const k2 = await loadOrCreatePrivateKey(dataDir);
    assert.equal(peerIdFromPrivateKey(k2).toString(), peerIdFromPrivateKey(k1).toString());
    const other = await loadOrCreatePrivateKey(join(dir, 'other'));
    assert.notEqual(peerIdFromPrivateKey(other).toString(), peerIdFromPrivateKey(k1).toString());
  });

  it('refuses a corrupt key file and leaves it in place', async () => {
    const file = join(dir, KEY_FILE);
    await writeFile(file, Buffer.from('not a protobuf key'));
    await assert.rejects(loadOrCreatePrivateKey(dir), (err: unknown) => {
      assert.ok(err instanceof IdentityError);
      assert.match(err.message, /identity key .*peer\.key is corrupt/);
      return true;
    });
    assert.equal(await readFile(file, 'utf8'), 'not a protobuf key');
  });
});
