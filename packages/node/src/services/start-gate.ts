// The start-up gate before a first round: at least --min-peers live peers in the view (self
// included) and, with bootstrap addresses, a connection to one of them (or the bootstrap wait
// passed, with a warning). Latched: peers leaving later must not stop a running federation.
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
    if (have < need) waits.push(`${have}/${need} peers in view (--min-peers ${need})`);
    const wait = c.timing.bootstrapWaitMs;
    if (c.settings.bootstrapIds.length > 0 && wait > 0 && !this.bootstrapReached()) {
      if (now - this.startedAt < wait)
        waits.push(`a connection to a bootstrap peer (gives up after ${Math.round(wait / 1000)} s)`);
      else if (!this.bootstrapGaveUp) {
        this.bootstrapGaveUp = true;
        notice(
          c,
          'warn',
          `no bootstrap peer reachable after ${Math.round(wait / 1000)} s; proceeding with the ${have} peers found so far`,
          'bootstrap_unreachable',
        );
      }
    }
    if (waits.length > 0) {
      const said = `waiting for ${waits.join(' and ')}`;
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
    if (this.waitingSaid !== '') notice(c, 'info', `ready: ${have} peers in view`, 'ready');
    return true;
  }

  private bootstrapReached(): boolean {
    const connected = new Set(this.c.libp2p.getPeers().map((p) => p.toString()));
    const view = this.view();
    return this.c.settings.bootstrapIds.some((id) => connected.has(id) || view.has(id));
  }
}
