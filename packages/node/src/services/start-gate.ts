// The start-up gate before a first round: at least --min-peers live peers in the view (self
// included) and, with bootstrap addresses (or a resumed peer's address book), the fingerprint of
// one of them in the view (or the bootstrap wait passed, with a warning). Latched: peers leaving later must not stop a running federation.
// Every wait is said once, with what would end it.
import { notice, type PeerComponents } from '../components.js';

export type GateComponents = Pick<PeerComponents, 'clock' | 'bus' | 'timing' | 'settings' | 'libp2p'>;

/** What the gate reads of the view. */
export interface GateView {
  readonly size: number;
  has(id: string): boolean;
}

/** Holds the first round until the network is there. */
export class StartGate {
  private readonly startedAt: number;
  private readyAt: number | undefined;
  private waitingSaid = '';
  private bootstrapGaveUp = false;

  constructor(
    private readonly c: GateComponents,
    private readonly view: () => GateView,
  ) {
    this.startedAt = c.clock.now();
  }

  /** True once the gate opened (and from then on). */
  isReady(): boolean {
    if (this.readyAt !== undefined) return true;
    const { c } = this;
    const now = c.clock.now();
    const need = c.settings.minPeers;
    const have = this.view().size;
    const waits: string[] = [];
    if (have < need)
      waits.push(
        `${have}/${need} peers in view (--min-peers ${need}): ${plural(need - have, 'more peer')} must join`,
      );
    const wait = c.timing.bootstrapWaitMs;
    const targets = this.gateTargets();
    if (targets.length > 0 && wait > 0 && !this.bootstrapReached(targets)) {
      const what = this.targetNoun();
      if (now - this.startedAt < wait)
        waits.push(`a ${what} to answer (proceeds without after ${Math.round(wait / 1000)} s)`);
      else if (!this.bootstrapGaveUp) {
        this.bootstrapGaveUp = true;
        const connected = new Set(c.libp2p.getPeers().map((p) => p.toString()));
        const silent = targets.some((id) => connected.has(id));
        notice(
          c,
          'warn',
          `${silent ? `connected to a ${what} but heard no fingerprint from it` : `no ${what} reachable`} after ` +
            `${Math.round(wait / 1000)} s; proceeding with the ${plural(have, 'peer')} found so far`,
          'bootstrap_unreachable',
        );
      }
    }
    if (waits.length > 0) {
      const said = `waiting for ${waits.join('; and for ')}`;
      if (said !== this.waitingSaid) {
        this.waitingSaid = said;
        notice(
          c,
          'info',
          `${said} (since ${new Date(this.startedAt).toISOString().slice(11, 19)})`,
          'waiting',
        );
      }
      return false;
    }
    this.readyAt = now;
    if (this.waitingSaid !== '') notice(c, 'info', `ready: ${plural(have, 'peer')} in view`, 'ready');
    return true;
  }

  /** Peers the gate waits for: bootstrap peers, and a resumed peer's known peers. */
  private gateTargets(): string[] {
    return [...this.c.settings.bootstrapIds, ...(this.c.settings.knownIds ?? [])];
  }

  /** What the gate waits for, without an article (the callers say "a" or "no"). */
  private targetNoun(): string {
    const boot = this.c.settings.bootstrapIds.length > 0;
    const known = (this.c.settings.knownIds ?? []).length > 0;
    return boot && known
      ? 'bootstrap peer or peer of the address book'
      : boot
        ? 'bootstrap peer'
        : 'peer of the address book';
  }

  /** Reached = its fingerprint is in our view (merely connected is not yet federating). */
  private bootstrapReached(targets: string[]): boolean {
    const view = this.view();
    return targets.some((id) => view.has(id));
  }
}

/** "1 peer", "3 peers". */
function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
