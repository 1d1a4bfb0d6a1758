// Keeps this peer's connections to the bounded set the connection policy wants (handlers/peers.ts:
// the head, part of the cluster, a few others; a head also the other heads), re-applied when the
// view, the clusters or the role change (coalesced) and periodically (failed dials are retried).
import type { Cancel } from '../clock.js';
import type { PeerComponents } from '../components.js';
import {
  applyConnectionPolicy,
  DEFAULT_CONNECTION_BUDGET,
  knownPeers,
  learnAddresses,
  wantedPeers,
  type ConnectionBudget,
  type ConnectionNeeds,
} from '../handlers/peers.js';

export type KeeperComponents = Pick<PeerComponents, 'clock' | 'libp2p'>;

/** Re-applies the connection policy. */
export class ConnectionKeeper {
  private due: Cancel | undefined;
  private timer: Cancel | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly c: KeeperComponents,
    private readonly needs: () => ConnectionNeeds,
    private readonly onInvalid: (from: string, reason: string, detail: string) => void,
    private readonly periodMs = 10_000,
    private readonly budget: ConnectionBudget = DEFAULT_CONNECTION_BUDGET,
  ) {}

  start(): void {
    this.timer = this.c.clock.every(this.periodMs, () => this.soon(0));
    this.soon(0);
  }

  stop(): void {
    this.stopped = true;
    this.timer?.();
    this.due?.();
  }

  /** One application: learn candidates if we know too few, then dial and prune. */
  private async apply(): Promise<void> {
    const { libp2p } = this.c;
    let known = await knownPeers(libp2p);
    // A joining peer knows only its bootstrap peers: ask them for more, to find mesh neighbours.
    if (known.length <= this.budget.clusterPeers + this.budget.otherPeers) {
      await learnAddresses(libp2p, 'any', this.onInvalid);
      known = await knownPeers(libp2p);
    }
    // Connection ages are wall-clock times (libp2p's timeline), not the injected clock's.
    await applyConnectionPolicy(libp2p, wantedPeers({ ...this.needs(), known }, this.budget), this.onInvalid);
  }

  /** Something changed: apply the policy after `delayMs` (coalesced; never two at once). */
  soon(delayMs = 100): void {
    if (this.stopped || this.due !== undefined) return;
    this.due = this.c.clock.after(delayMs, () => {
      this.due = undefined;
      if (this.running !== undefined) {
        this.again = true;
        return;
      }
      this.running = this.apply()
        .catch(() => undefined)
        .finally(() => {
          this.running = undefined;
          if (this.again && !this.stopped) {
            this.again = false;
            this.soon(0);
          }
        });
    });
  }
}
