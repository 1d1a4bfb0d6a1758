// Where a peer starts from: its checkpoint and address book (read before the network, since a
// resumed peer rejoins rather than starts) and the run settings they shape.
import type { PpfmConfig, WeightSet } from '@ppfm/meta/light';
import type { Checkpoint } from '../checkpoint.js';
import { notice, type PeerComponents, type PeerSettings } from '../components.js';
import { maxEnvelopeBytes } from '../handlers/model-limits.js';
import { DEFAULT_PERSONALISE_EVERY, type PeerOptions } from '../options.js';
import { readAddressBook, type BookRead } from '../services/address-book.js';
import { Checkpointer } from '../services/checkpointer.js';
import type { ModelStore } from '../services/model-store.js';

/** What the peer resumes from, and the settings every service reads. */
export interface Resume {
  checkpointer: Checkpointer;
  /** The restored checkpoint (undefined: none, fresh or refused). */
  cp: Checkpoint | undefined;
  book: BookRead;
  settings: PeerSettings;
}

/** Restores the checkpoint, reads the address book and resolves the run settings. */
export async function resume(
  c: Pick<PeerComponents, 'self' | 'bus' | 'clock' | 'spec' | 'store'>,
  opts: PeerOptions,
  o: { template: WeightSet; cfg: PpfmConfig; seed: number },
): Promise<Resume> {
  const { self, bus, clock } = c;
  const bootstrapIds = (opts.bootstrap ?? [])
    .map((a) => /\/p2p\/([^/]+)/.exec(a)?.[1])
    .filter((id): id is string => id !== undefined && id !== self);

  const checkpointer = new Checkpointer(c, opts.dataDir);
  const restored = await checkpointer.restore(opts.fresh === true);
  const cp = restored.kind === 'restored' ? restored.checkpoint : undefined;
  const resumed = cp !== undefined && cp.round > 0;
  const book = await readAddressBook(opts.dataDir, self, clock.now());
  for (const problem of book.problems)
    notice({ bus }, 'warn', `address book: ${problem}`, 'address_book_invalid');
  const knownIds = resumed ? book.entries.map((e) => e.id).filter((id) => !bootstrapIds.includes(id)) : [];
  const minPeers = opts.minPeers ?? 1;
  if (resumed && minPeers > 1)
    notice(
      { bus },
      'info',
      `resuming at round ${cp.round}: --min-peers ${minPeers} held the first start only`,
      'resumed',
    );
  const settings: PeerSettings = {
    rounds: opts.rounds,
    minPeers: resumed ? 1 : minPeers,
    ...(knownIds.length > 0 ? { knownIds } : {}),
    minClusterSize: opts.minClusterSize ?? 1,
    codec: opts.codec ?? 'float32',
    personaliseEvery: opts.personaliseEvery ?? DEFAULT_PERSONALISE_EVERY,
    seed: o.seed,
    clustering: opts.zeroShot ? 'task' : (opts.clustering ?? 'auto'),
    capacity: opts.capacity ?? 1,
    cfg: o.cfg,
    ...(opts.augment ? { augment: opts.augment.mode } : {}),
    streamMaxBytes: opts.streamMaxBytes ?? maxEnvelopeBytes(o.template),
    bootstrapIds,
  };
  return { checkpointer, cp, book, settings };
}

/** Puts a checkpoint's cluster and global models back into the store. */
export function restoreModels(store: ModelStore, cp: Checkpoint | undefined): void {
  if (cp?.clusterModel === undefined) return;
  store.set({
    cluster: cp.cluster ?? '',
    round: cp.round,
    term: cp.term,
    weights: cp.clusterModel,
    source: '',
  });
  store.global = cp.globalModel;
}
