// Checkpoints: restore at start (never silently: a corrupt file is named, kept aside and the
// backup used with a warning; both bad starts over loudly), save after every evaluated round
// and at stop.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { CHECKPOINT_FILE, decodeCheckpoint, saveCheckpoint, type Checkpoint } from '../checkpoint.js';
import { logEvent, notice, type PeerComponents } from '../components.js';

export type CheckpointerComponents = Pick<PeerComponents, 'self' | 'bus' | 'clock' | 'spec' | 'store'>;

/** Why a restore did not happen, or what it restored. */
export type RestoreOutcome =
  | { kind: 'none' }
  | { kind: 'restored'; checkpoint: Checkpoint; from: 'current' | 'backup' }
  | { kind: 'fresh'; reason: string }
  | { kind: 'refused'; reason: string };

/** Saves and restores this peer's checkpoints in its data dir. */
export class Checkpointer {
  constructor(
    private readonly c: CheckpointerComponents,
    private readonly dataDir: string,
  ) {}

  /**
   * Restores the newest usable checkpoint. A corrupt file is moved to
   * `checkpoint.bin.corrupt-<time>` (never overwritten) and the backup tried; when both are bad
   * the peer starts over with a loud warning. A checkpoint of another identity or model spec is
   * set aside too (the data dir was reused for something else). `fresh`: ignore what is there.
   */
  async restore(fresh: boolean): Promise<RestoreOutcome> {
    const path = join(this.dataDir, CHECKPOINT_FILE);
    const candidates: [string, 'current' | 'backup'][] = [
      [path, 'current'],
      [`${path}.bak`, 'backup'],
    ];
    if (fresh) {
      const moved = await Promise.all(candidates.map(([f]) => this.setAside(f, 'old')));
      if (moved.some((m) => m !== undefined))
        notice(
          this.c,
          'info',
          `--fresh: previous checkpoints kept as ${moved.filter(Boolean).join(', ')}`,
          'checkpoint_fresh',
        );
      return { kind: 'fresh', reason: '--fresh' };
    }
    const problems: string[] = [];
    for (const [file, from] of candidates) {
      let buf: Buffer;
      try {
        buf = await fs.readFile(file);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') continue;
        problems.push(`${file}: cannot read (${code ?? (err as Error).message})`);
        continue;
      }
      const r = decodeCheckpoint(buf);
      let why: string | undefined;
      if (!r.ok) why = r.error;
      else if (r.checkpoint.peerId !== this.c.self)
        why = `written by peer ${r.checkpoint.peerId}, not this peer`;
      else if (r.checkpoint.specHash !== this.c.spec) why = 'for another model (spec hash differs)';
      if (why === undefined && r.ok) {
        if (problems.length > 0)
          notice(this.c, 'warn', `${problems.join('; ')}; restored ${file} instead`, 'checkpoint_fallback');
        logEvent(this.c, {
          event: 'checkpoint_restored',
          round: r.checkpoint.round,
          path: file,
          source: from,
        });
        return { kind: 'restored', checkpoint: r.checkpoint, from };
      }
      const aside = await this.setAside(file, r.ok ? 'other' : 'corrupt');
      const problem = `${file}: ${why}${aside ? ` (kept as ${aside})` : ''}`;
      problems.push(problem);
      logEvent(this.c, {
        event: 'checkpoint_rejected',
        path: file,
        reason: why ?? 'unknown',
        ...(aside ? { keptAs: aside } : {}),
      });
    }
    if (problems.length === 0) return { kind: 'none' };
    const reason = `no usable checkpoint: ${problems.join('; ')}`;
    notice(this.c, 'warn', `${reason}. STARTING OVER FROM ROUND 0`, 'checkpoint_lost');
    return { kind: 'fresh', reason };
  }

  /** Saves the current models; returns the path, or undefined when there is nothing to save. */
  async save(term: number): Promise<string | undefined> {
    const m = this.c.store.model;
    if (m === undefined) return undefined;
    const cp: Checkpoint = {
      version: 1,
      peerId: this.c.self,
      cluster: m.cluster,
      round: m.round,
      term: Math.max(m.term, term),
      specHash: this.c.spec,
      clusterModel: m.weights,
      ...(this.c.store.global ? { globalModel: this.c.store.global } : {}),
      ...(this.c.store.personal ? { personalModel: this.c.store.personal } : {}),
      savedAt: this.c.clock.now(),
    };
    const path = await saveCheckpoint(this.dataDir, cp);
    logEvent(this.c, { event: 'checkpoint_saved', round: m.round, path });
    return path;
  }

  /** Renames `file` to `<file>.<tag>-<time>` when it exists; returns the new name. */
  private async setAside(file: string, tag: string): Promise<string | undefined> {
    const to = `${file}.${tag}-${new Date(this.c.clock.now()).toISOString().replace(/[:.]/g, '-')}`;
    try {
      await fs.rename(file, to);
      return to;
    } catch {
      return undefined;
    }
  }
}
