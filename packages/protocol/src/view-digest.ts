// Anti-entropy: a heartbeat carries a digest of its sender's view, so a receiver whose digest
// differs knows it misses something (and asks for it) without exchanging whole views.
import { createHash } from 'node:crypto';

/** One peer as a view knows it: its id and the seq of its latest fingerprint. */
export interface ViewEntry {
  peerId: string;
  seq: number;
}

/**
 * The 16-hex-char digest of a view: the first 8 bytes of sha256 over "peerId:seq\n" lines sorted
 * by peer id (ids are alphanumeric, so the lines cannot be confused). Order-independent: two peers
 * with the same view compute the same digest.
 */
export function viewDigest(entries: Iterable<ViewEntry>): string {
  const lines = [...entries].map((e) => `${e.peerId}:${e.seq}\n`);
  lines.sort();
  const h = createHash('sha256');
  for (const l of lines) h.update(l);
  return h.digest('hex').slice(0, 16);
}
