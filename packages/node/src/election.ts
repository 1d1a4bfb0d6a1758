// Per-cluster head election: a deterministic candidate confirmed by lease heartbeats with a term.
// Pure and network-free: the peer feeds leases and the live members in, calls `tick(now)` on a
// timer, and carries out the returned outputs (publish, log). No timers in here.
import {
  compareCandidates,
  MAX_TERM,
  MAX_TERM_STEP,
  type AuthorityRefusal,
  type ElectionMember,
  type ElectionOptions,
  type ElectionOutput,
  type ElectionState,
  type HeadLease,
} from './election-types.js';

// Re-exported: callers and tests import the election's types from here.
export * from './election-types.js';

/**
 * Two heads at one term (a restarted or late peer that claimed before it heard the incumbent):
 * the one further along wins (a higher round in its lease: its cluster made progress under it),
 * then the smaller peer id. By id alone, a peer restarted from an old checkpoint deposed the
 * head that had run rounds 5-8 meanwhile (churn testnet, 2026-12-06).
 */
function sameTermWins(
  lease: { head: string; round: number },
  other: { head: string; round: number },
): boolean {
  return lease.round > other.round || (lease.round === other.round && lease.head < other.head);
}

/**
 * Election state machine for one cluster, held by every member.
 *
 * Rules: a lease with a higher term always wins; at the same term the higher round, then the
 * smaller peer id, wins while both leases are valid; a peer without a valid lease follows any live head. A lease that is not renewed within leaseTtl expires, its head
 * is suspected dead (excluded from candidacy until a lease from it is heard) and the remaining
 * live members re-elect: the best candidate claims at once with term = max known + 1, the
 * r-th best after r * leaseTtl without a head (so divergent views cannot leave a cluster
 * headless). A head that hears a winning lease steps down.
 */
export class ClusterElection {
  readonly selfId: string;
  readonly cluster: string;
  private readonly intervalMs: number;
  private readonly ttlMs: number;
  private readonly listenUntil: number;
  private st: ElectionState;
  private maxTerm: number;
  /** The head seen at maxTerm in this session (self after a claim); undefined when only restored. */
  private termHead: string | undefined;
  private members: ElectionMember[] = [];
  private readonly suspected = new Set<string>();
  private readonly eligible: (id: string) => boolean;
  /** Peers that misbehaved as heads (no progress, bad models): never head until the local time given. */
  private readonly banned = new Map<string, number>();
  /** Local time of the last lease heard from each peer (followed or not): incumbency. */
  private readonly leasedAt = new Map<string, number>();
  private round = 0;
  /** The round the followed head's last lease carried (same-term ties: sameTermWins). */
  private followedRound = 0;
  private nextLeaseAt = 0;
  private headlessSince: number;
  /** Local time the last lease expiry was noticed; cleared once a new head is known. */
  private expiredAt: number | undefined;
  /** When tick() last ran (a long gap is this peer's own stall). */
  private lastTickAt: number | undefined;
  /** Local time the last lease from the followed head arrived. */
  private lastLeaseAt: number | undefined;
  /** lastLeaseAt of the head whose lease expired; cleared with expiredAt. */
  private deadHeadLastLeaseAt: number | undefined;

  constructor(opts: ElectionOptions) {
    if (!(opts.leaseIntervalMs > 0) || !(opts.leaseTtlMs > opts.leaseIntervalMs)) {
      throw new RangeError('need 0 < leaseIntervalMs < leaseTtlMs');
    }
    this.selfId = opts.selfId;
    this.cluster = opts.cluster;
    this.intervalMs = opts.leaseIntervalMs;
    this.ttlMs = opts.leaseTtlMs;
    this.maxTerm = opts.term ?? 0;
    this.eligible = opts.eligible ?? (() => true);
    this.listenUntil = opts.now + (opts.listenMs ?? opts.leaseTtlMs);
    this.headlessSince = opts.now;
    this.st = { role: 'follower', term: this.maxTerm };
  }

  /** Current state (a copy). */
  get state(): ElectionState {
    return { ...this.st };
  }

  /** The current term: that of the head we follow, or ours when head (what rounds and models carry). */
  get term(): number {
    return this.st.term;
  }

  /** Highest term seen so far (>= term); a claim uses highestTerm + 1. Checkpoint this one. */
  get highestTerm(): number {
    return this.maxTerm;
  }

  /** The head this peer currently recognises (self when head). */
  get head(): string | undefined {
    if (this.st.role === 'head') return this.selfId;
    return this.st.role === 'follower' ? this.st.head : undefined;
  }

  /** Sets the round our leases carry while we are head. */
  setRound(round: number): void {
    this.round = round;
  }

  /**
   * Sets the live members of this cluster (self included; from the view). A followed head
   * that leaves the members (expired from the view, or reclustered away) is dropped at once.
   */
  setMembers(members: readonly ElectionMember[], now: number): ElectionOutput[] {
    const had = new Set(this.members.map((m) => m.id));
    this.members = [...members];
    const has = new Set(members.map((m) => m.id));
    for (const id of [...this.suspected]) if (!has.has(id)) this.suspected.delete(id);
    const head = this.st.role === 'follower' ? this.st.head : undefined;
    // Only a head we had seen in the view counts as gone: a late joiner may hear leases first.
    if (head !== undefined && had.has(head) && !has.has(head)) return this.expire(now, 'left_cluster');
    return [];
  }

  /**
   * Whether a message (RoundOpen, model announcement) from `head` at `term` comes from the head
   * this peer follows or would follow if it were a lease: self, the current head at a term not
   * below ours, or a head that wins by the lease rules. Anything else is from a deposed or losing
   * head and must be ignored.
   */
  accepts(head: string, term: number, now: number): boolean {
    if (head === this.selfId) return this.st.role === 'head' && term === this.st.term;
    if (this.st.role === 'head') return term > this.st.term || (term === this.st.term && head < this.selfId);
    if (this.st.role === 'follower' && this.st.head !== undefined) {
      const valid = this.st.leaseExpiresAt !== undefined && now < this.st.leaseExpiresAt;
      if (head === this.st.head) return term >= this.st.term;
      if (!valid) return term >= this.maxTerm;
      return term > this.st.term || (term === this.st.term && head < this.st.head);
    }
    return term >= this.maxTerm;
  }

  /**
   * Authority: whether `peer` may lead this cluster by this peer's own view, before any lease,
   * RoundOpen or announcement of it counts. It must be a live member of the cluster and not
   * banned. While we follow a valid head it must be that head, rank above it, or hold a higher
   * term at most MAX_TERM_STEP ahead (the lease rules then decide). Without a valid head it must
   * be the best candidate, or the next in line once the better ones had their turn (rank r after
   * r lease ttls). Candidates that lease (the sender included) rank first (incumbency), then
   * capacity, then the smaller id.
   */
  mayLead(peer: string, term: number, now: number): { ok: true } | { ok: false; code: AuthorityRefusal } {
    if (!this.members.some((m) => m.id === peer)) return { ok: false, code: 'not_member' };
    const bannedUntil = this.banned.get(peer);
    if (bannedUntil !== undefined && now < bannedUntil) return { ok: false, code: 'banned' };
    if (term > MAX_TERM) return { ok: false, code: 'bad_term' };
    const head = this.validHead(now);
    // Terms advance in bounded steps once this session knows the cluster's term (it followed or
    // was a head): a member cannot push the term to the end of its range. A newcomer (no head
    // seen yet) takes the term it hears, as a late joiner must.
    if ((head !== undefined || this.termHead !== undefined) && term > this.maxTerm + MAX_TERM_STEP)
      return { ok: false, code: 'bad_term' };
    if (head === peer) return { ok: true };
    // The sender proves it is alive and claims incumbency by sending: its own suspicion does not
    // count against it, and among incumbents the lease rules (term, then id) decide.
    const ranked = this.ranked(now, peer);
    const rank = ranked.findIndex((m) => m.id === peer);
    if (head !== undefined) {
      const headRank = ranked.findIndex((m) => m.id === head);
      // A better-ranked candidate, or a higher term (a partition's other head after healing),
      // may challenge; the lease rules then decide. Anyone else is not a candidate while ours lives.
      return headRank < 0 || rank < headRank || term > this.st.term
        ? { ok: true }
        : { ok: false, code: 'not_candidate' };
    }
    if (rank === 0) return { ok: true };
    const since = Math.max(this.listenUntil, this.headlessSince);
    if (now >= since + rank * this.ttlMs - this.ttlMs / 2) return { ok: true };
    return { ok: false, code: 'not_candidate' };
  }

  /**
   * Deposes a head that misbehaved (no progress, a model worse than chance): it is dropped if
   * followed, suspected, and may not lead again for `banMs`.
   */
  ban(peer: string, now: number, banMs: number): ElectionOutput[] {
    this.banned.set(peer, now + banMs);
    const out = this.head === peer && this.st.role === 'follower' ? this.expire(now) : [];
    this.suspected.add(peer);
    return out;
  }

  /** Handle a lease received on the cluster (any sender, already validated by the protocol layer). */
  onLease(lease: HeadLease, now: number): ElectionOutput[] {
    if (lease.cluster !== this.cluster) return [];
    if (lease.head === this.selfId) {
      // Our own lease (echo, or from before a restart): only remember its term.
      if (this.st.role !== 'head') this.maxTerm = Math.max(this.maxTerm, lease.term);
      return [];
    }
    this.leasedAt.set(lease.head, now);
    const bannedUntil = this.banned.get(lease.head);
    if (bannedUntil === undefined || now >= bannedUntil) this.suspected.delete(lease.head);

    if (this.st.role === 'head') {
      const wins =
        lease.term > this.st.term ||
        (lease.term === this.st.term && sameTermWins(lease, { head: this.selfId, round: this.round }));
      if (!wins) return [{ kind: 'publish_lease', lease: this.makeLease(now) }]; // assert ourselves now
      this.follow(lease, now);
      return [{ kind: 'stepped_down', cluster: this.cluster, newHead: lease.head, term: lease.term }];
    }

    const current = this.st.role === 'follower' ? this.st : undefined;
    const valid =
      current?.head !== undefined && current.leaseExpiresAt !== undefined && now < current.leaseExpiresAt;
    if (valid && current?.head !== undefined) {
      // Following a valid lease: only a higher term, or the same term from a smaller id, replaces it.
      const sameHead = lease.head === current.head;
      const wins = sameHead
        ? lease.term >= current.term
        : lease.term > current.term ||
          (lease.term === current.term &&
            sameTermWins(lease, { head: current.head, round: this.followedRound }));
      if (!wins) return [];
    }
    // A different head at a term we already saw another head hold (e.g. a late joiner that never
    // heard the dead head claimed the same term): claim above it when we may lead, so terms never
    // repeat with different heads; the stale head steps down on our higher term.
    if (
      !valid &&
      this.termHead !== undefined &&
      lease.head !== this.termHead &&
      lease.term <= this.maxTerm &&
      this.maxTerm < MAX_TERM &&
      this.claimTime(now) !== undefined
    )
      return this.claim(now);
    // Without a valid lease any live head is accepted, even one behind our highest known term:
    // a head beats none, and it steps down as soon as it hears a higher-term lease.
    const changed = current?.head !== lease.head;
    const timing = this.failoverTiming(now);
    this.follow(lease, now);
    if (!changed) return [];
    return [{ kind: 'head_changed', cluster: this.cluster, head: lease.head, term: lease.term, ...timing }];
  }

  /**
   * Advance time: expire leases, claim the headship when due, renew our lease. `tickMs`: the
   * caller's tick period, when it ticks periodically (a tick much later than that is our stall).
   */
  tick(now: number, tickMs?: number): ElectionOutput[] {
    const out: ElectionOutput[] = [];
    if (tickMs !== undefined) this.forgiveStall(now, tickMs);
    if (this.st.role === 'head') {
      if (now >= this.nextLeaseAt) out.push({ kind: 'publish_lease', lease: this.makeLease(now) });
      return out;
    }
    if (this.st.role === 'follower' && this.st.head !== undefined) {
      if (this.st.leaseExpiresAt !== undefined && now < this.st.leaseExpiresAt) return out;
      out.push(...this.expire(now));
    }
    const electAt = this.claimTime(now);
    if (electAt === undefined) {
      this.st = { role: 'follower', term: this.maxTerm };
      return out;
    }
    if (now < electAt) {
      this.st = { role: 'candidate', term: this.maxTerm, electAt };
      return out;
    }
    // The better-ranked candidates had their turn and said nothing: suspect them, so that the next
    // election does not wait for them again (a lease from one of them clears it).
    const ranked = this.ranked(now);
    for (const m of ranked.slice(
      0,
      ranked.findIndex((x) => x.id === this.selfId),
    ))
      this.suspected.add(m.id);
    out.push(...this.claim(now));
    return out;
  }

  /**
   * A tick far behind the previous one means this peer was not running (CPU starvation, a paused
   * process): the leases it did not hear meanwhile say nothing about the head, so the followed
   * lease is extended by the stall. Without this a starved member deposed healthy heads with a
   * higher term each time it woke up, and its cluster churned (testnet --slow).
   */
  private forgiveStall(now: number, tickMs: number): void {
    const prev = this.lastTickAt;
    this.lastTickAt = now;
    if (prev === undefined) return;
    // As liveness.ts forgives it: only the lateness, and only a clear one.
    const late = now - prev - tickMs;
    if (late <= Math.max(tickMs, this.intervalMs / 2)) return;
    if (this.st.role === 'follower' && this.st.leaseExpiresAt !== undefined)
      this.st = { ...this.st, leaseExpiresAt: this.st.leaseExpiresAt + late };
  }

  /**
   * Self becomes head at highestTerm + 1. A term space exhausted (a newcomer took a hostile
   * peer's MAX_TERM) is not a dead end: the claim stays at MAX_TERM and the others, without a
   * valid lease, follow it; at equal terms the smaller id wins.
   */
  private claim(now: number): ElectionOutput[] {
    const timing = this.failoverTiming(now);
    this.maxTerm = Math.min(this.maxTerm + 1, MAX_TERM);
    this.termHead = this.selfId;
    this.expiredAt = undefined;
    this.deadHeadLastLeaseAt = undefined;
    this.st = { role: 'head', term: this.maxTerm, since: now };
    return [
      { kind: 'became_head', cluster: this.cluster, term: this.maxTerm, ...timing },
      { kind: 'publish_lease', lease: this.makeLease(now) },
    ];
  }

  /** When self claims if no lease arrives: rank r waits r * leaseTtl after the listen window / the expiry. */
  private claimTime(now?: number): number | undefined {
    const ranked = this.ranked(now ?? this.headlessSince);
    const rank = ranked.findIndex((m) => m.id === this.selfId);
    if (rank < 0) return undefined;
    return Math.max(this.listenUntil, this.headlessSince) + rank * this.ttlMs;
  }

  /** Members not suspected (but `alive`), incumbents (leased within a ttl) first, then by capacity and id. */
  private ranked(now: number, alive?: string): ElectionMember[] {
    const recent = (id: string): boolean => {
      if (id === alive) return true; // it is leasing right now
      if (id === this.selfId) return this.st.role === 'head';
      const at = this.leasedAt.get(id);
      return at !== undefined && now - at <= this.ttlMs;
    };
    return this.members
      .filter(
        (m) =>
          m.id === alive ||
          m.id === this.selfId ||
          (!this.suspected.has(m.id) && (recent(m.id) || this.eligible(m.id))),
      )
      .sort((a, b) => Number(recent(b.id)) - Number(recent(a.id)) || compareCandidates(a, b));
  }

  /** The head we follow under a lease still valid at `now` (self when head). */
  private validHead(now: number): string | undefined {
    if (this.st.role === 'head') return this.selfId;
    if (this.st.role === 'follower' && this.st.head !== undefined && this.st.leaseExpiresAt !== undefined)
      return now < this.st.leaseExpiresAt ? this.st.head : undefined;
    return undefined;
  }

  /** Drop the followed head: log it, suspect it, start the headless clock. */
  private expire(now: number, reason: 'expired' | 'left_cluster' = 'expired'): ElectionOutput[] {
    if (this.st.role !== 'follower' || this.st.head === undefined) return [];
    const { head, term } = this.st;
    this.suspected.add(head);
    this.expiredAt = now;
    this.deadHeadLastLeaseAt = this.lastLeaseAt;
    this.headlessSince = now;
    this.st = { role: 'follower', term: this.maxTerm };
    return [{ kind: 'lease_expired', cluster: this.cluster, head, term, reason }];
  }

  private follow(lease: HeadLease, now: number): void {
    this.followedRound = lease.round;
    if (lease.term >= this.maxTerm) this.termHead = lease.head;
    this.maxTerm = Math.max(this.maxTerm, lease.term);
    this.expiredAt = undefined;
    this.deadHeadLastLeaseAt = undefined;
    this.lastLeaseAt = now;
    this.st = { role: 'follower', head: lease.head, term: lease.term, leaseExpiresAt: now + this.ttlMs };
  }

  /** electionMs / failoverMs of a head change happening at `now`, when a lease expiry preceded it. */
  private failoverTiming(now: number): { electionMs?: number; failoverMs?: number } {
    return {
      ...(this.expiredAt === undefined ? {} : { electionMs: now - this.expiredAt }),
      ...(this.deadHeadLastLeaseAt === undefined ? {} : { failoverMs: now - this.deadHeadLastLeaseAt }),
    };
  }

  private makeLease(now: number): HeadLease {
    this.nextLeaseAt = now + this.intervalMs;
    return {
      cluster: this.cluster,
      head: this.selfId,
      term: this.st.term,
      round: this.round,
      expiry: now + this.ttlMs,
    };
  }
}
