/**
 * Pre-created peer identities, so that every peer's id (and the bootstrap peers' full multiaddrs) is
 * known before any process starts and all peers can be launched together. The key file is the one
 * `ppfm start` reads from its --data-dir (Ed25519, libp2p protobuf, `peer.key`, 0600).
 */
import { createServer } from 'node:net';
import { peerIdOfDataDir } from '@ppfm/node';

/** Creates each data dir's `peer.key` with the peer's own code and resolves with the peer ids. */
export async function createIdentities(dataDirs: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const dir of dataDirs) ids.push(await peerIdOfDataDir(dir));
  return ids;
}

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
