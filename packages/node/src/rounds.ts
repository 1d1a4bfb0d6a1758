// Head-side round bookkeeping: which members may contribute, which updates arrived, and
// when the round closes (everyone reported, or quorum + grace, or the deadline), so that
// stragglers never stall a cluster. Pure logic with an injected clock.

/** One member's contribution to a round. */
export interface RoundUpdate<W> {
  from: string;
  samples: number;
  delta: W;
}

/** Why an update was refused. */
export type UpdateVerdict =
  | { ok: true }
  | {
      ok: false;
      reason: 'stale_round' | 'not_member' | 'duplicate' | 'closed' | 'bad_samples';
      detail: string;
    };

export interface RoundTiming {
  /** Hard deadline after opening (ms). */
  deadlineMs: number;
  /** Fraction of members whose updates form a quorum, in (0, 1]. */
  quorumFraction: number;
  /** After quorum, wait at most this long for the rest (ms). */
  quorumGraceMs: number;
}

/** Quorum size for `members` members (at least 1). */
export function quorumSize(members: number, fraction: number): number {
  return Math.max(1, Math.ceil(members * fraction - 1e-9));
}

/** Collects the updates of one open round on the head. */
export class RoundCollector<W> {
  readonly updates = new Map<string, RoundUpdate<W>>();
  readonly quorum: number;
  /** The members the round waits for (all members by default); the others may still contribute. */
  readonly expected: ReadonlySet<string>;
  private quorumAt: number | undefined;
  private closed = false;

  constructor(
    readonly cluster: string,
    readonly round: number,
    readonly term: number,
    readonly members: ReadonlySet<string>,
    readonly openedAt: number,
    private readonly timing: RoundTiming,
    expected?: ReadonlySet<string>,
  ) {
    this.expected = expected ?? members;
    this.quorum = quorumSize(this.expected.size, timing.quorumFraction);
  }

  /** Records an update for this round unless it is stale, duplicate or from a non-member. */
  add(round: number, u: RoundUpdate<W>, now: number): UpdateVerdict {
    if (this.closed) return { ok: false, reason: 'closed', detail: `round ${this.round} closed` };
    if (round !== this.round)
      return { ok: false, reason: 'stale_round', detail: `got ${round}, open ${this.round}` };
    if (!this.members.has(u.from)) return { ok: false, reason: 'not_member', detail: u.from };
    if (this.updates.has(u.from)) return { ok: false, reason: 'duplicate', detail: u.from };
    if (!Number.isFinite(u.samples) || u.samples <= 0)
      return { ok: false, reason: 'bad_samples', detail: String(u.samples) };
    this.updates.set(u.from, u);
    if (this.quorumAt === undefined && this.expectedIn() >= this.quorum) this.quorumAt = now;
    return { ok: true };
  }

  /** True when the round should be aggregated now. */
  shouldClose(now: number): boolean {
    if (this.closed) return false;
    if (this.expectedIn() >= this.expected.size) return true;
    if (this.quorumAt !== undefined && now - this.quorumAt >= this.timing.quorumGraceMs) return true;
    return now - this.openedAt >= this.timing.deadlineMs;
  }

  /** How many of the expected members reported. */
  private expectedIn(): number {
    let n = 0;
    for (const id of this.updates.keys()) if (this.expected.has(id)) n++;
    return n;
  }

  /** Closes the round and returns its updates in a deterministic (sender) order. */
  close(): RoundUpdate<W>[] {
    this.closed = true;
    return [...this.updates.values()].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  }

  /** Whether `close()` was called. */
  isClosed(): boolean {
    return this.closed;
  }
}
