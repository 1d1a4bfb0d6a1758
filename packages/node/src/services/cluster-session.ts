// One cluster membership, from joining a cluster to leaving it: the head election, the cluster
// topic, and an AbortSignal that ends every piece of work of this cluster when the peer moves
// to another one (or stops). Leases, RoundOpens and announcements count only from a peer this
// peer's own view lets lead (ClusterElection.mayLead); what is accepted goes to the round drivers.
import {
  clusterTopic,
  decodeGossip,
  encodeGossip,
  type GossipMessage,
  type HeadLeaseMsg,
  type RoundOpenMsg,
} from '@ppfm/protocol';
import type { Cancel } from '../clock.js';
import { logEvent, type PeerComponents } from '../components.js';
import { ClusterElection, type ElectionMember, type ElectionOutput } from '../election.js';
import type { PeerRole } from '../events.js';
import { validateClusterMessage } from '../validation/cluster-topic.js';
import { CONTROL_MAX_BYTES } from './membership.js';

export type SessionComponents = Pick<
  PeerComponents,
  'self' | 'clock' | 'bus' | 'timing' | 'gossip' | 'spec' | 'store' | 'libp2p'
>;

export interface SessionInit {
  cluster: string;
  members: ElectionMember[];
  /** Highest term known for this cluster (restored from a checkpoint). */
  term: number;
  /** Whether a member shows up in this cluster (its heartbeats name it): only those are candidates. */
  eligible?: (id: string) => boolean;
  /** A RoundOpen from the head this peer follows. */
  onRoundOpen: (m: RoundOpenMsg, session: ClusterSession) => void;
  /** A new model announced by the head this peer follows (or its lease says it has a newer one). */
  onNewModel: (head: string, round: number, session: ClusterSession) => void;
}

/** A session's role as the drivers see it. */
export interface SessionRole {
  role: PeerRole;
  head: string | undefined;
  term: number;
}

/** This peer's membership of one cluster. */
export class ClusterSession {
  readonly cluster: string;
  readonly election: ClusterElection;
  private readonly abort = new AbortController();
  private readonly timers: Cancel[] = [];
  private members: ElectionMember[];
  private last: SessionRole = { role: 'member', head: undefined, term: 0 };
  /** Highest round our head announced (leases carry its newest published round). */
  headRound = 0;
  /**
   * The highest round any head of this cluster announced (leases, round opens, announcements),
   * followed or not: a head catching up from its members takes no round above it.
   */
  announcedRound = 0;
  private readonly offDisconnect: () => void;

  constructor(
    private readonly c: SessionComponents,
    private readonly init: SessionInit,
  ) {
    this.cluster = init.cluster;
    this.members = init.members;
    this.election = new ClusterElection({
      selfId: c.self,
      cluster: init.cluster,
      leaseIntervalMs: c.timing.leaseIntervalMs,
      leaseTtlMs: c.timing.leaseTtlMs,
      now: c.clock.now(),
      term: init.term,
      ...(init.eligible ? { eligible: init.eligible } : {}),
    });
    // A head whose connection closed is suspected at once (a killed process resets its sockets),
    // unless it reconnects within a short grace: failover in well under a lease ttl.
    const onDisconnect = (evt: CustomEvent<{ toString(): string }>): void => {
      const id = evt.detail.toString();
      if (id !== this.election.head || id === c.self) return;
      this.timers.push(
        c.clock.after(c.timing.disconnectGraceMs, () => {
          if (this.closed || this.election.head !== id) return;
          if (c.libp2p.getConnections().some((x) => x.remotePeer.toString() === id)) return;
          this.act(this.election.ban(id, c.clock.now(), 0));
        }),
      );
    };
    c.libp2p.addEventListener('peer:disconnect', onDisconnect as never);
    this.offDisconnect = () => c.libp2p.removeEventListener('peer:disconnect', onDisconnect as never);
  }

  /** Aborted when this peer leaves the cluster or stops: all work of the cluster ends. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get closed(): boolean {
    return this.abort.signal.aborted;
  }

  /** Role, head and term right now. */
  get role(): SessionRole {
    return this.last;
  }

  get isHead(): boolean {
    return this.election.state.role === 'head';
  }

  /** Joins the topic and starts the election clock. */
  start(): void {
    const { c } = this;
    c.gossip.join<GossipMessage>(clusterTopic(this.cluster), {
      maxBytes: CONTROL_MAX_BYTES,
      decode: (b) => decodeGossip(b, { maxControlBytes: CONTROL_MAX_BYTES }),
      kindOf: (m) => m.kind,
      validate: (m, from) =>
        validateClusterMessage(m, from, {
          self: c.self,
          freshnessMs: c.timing.freshnessMs,
          cluster: this.cluster,
          election: this.election,
          spec: c.spec,
          now: c.clock.now(),
          heldRound: (src) => {
            const h = c.store.model;
            return h !== undefined && h.source === src && h.cluster === this.cluster ? h.round : undefined;
          },
        }),
      apply: (m, from) => this.apply(m, from),
    });
    this.act(this.election.setMembers(this.members, c.clock.now()));
    this.timers.push(c.clock.every(this.tickMs(), () => this.tick()));
    this.tick();
  }

  /** The live members changed (same cluster id). */
  setMembers(members: ElectionMember[]): void {
    this.members = members;
    this.act(this.election.setMembers(members, this.c.clock.now()));
  }

  /** Deposes our head for misbehaving (no progress, a model worse than chance). */
  banHead(head: string, banMs: number): void {
    this.act(this.election.ban(head, this.c.clock.now(), banMs));
  }

  /** Sets the round our leases announce (head only). */
  setRound(round: number): void {
    this.election.setRound(round);
  }

  /** Ends the session: leaves the topic and aborts the cluster's work. */
  close(): void {
    if (this.closed) return;
    this.abort.abort(new Error(`left cluster ${this.cluster}`));
    for (const t of this.timers.splice(0)) t();
    this.offDisconnect();
    this.c.gossip.leave(clusterTopic(this.cluster));
  }

  /** The election's tick period: a quarter of the lease interval. */
  private tickMs(): number {
    return Math.max(20, Math.floor(this.c.timing.leaseIntervalMs / 4));
  }

  private tick(): void {
    if (!this.closed) this.act(this.election.tick(this.c.clock.now(), this.tickMs()));
  }

  private apply(m: GossipMessage, from: string): void {
    if (this.closed) return;
    const now = this.c.clock.now();
    if (m.kind === 'head_lease') {
      this.announcedRound = Math.max(this.announcedRound, m.round);
      this.act(
        this.election.onLease(
          { cluster: this.cluster, head: m.head, term: m.term, round: m.round, expiry: now + m.leaseMs },
          now,
        ),
      );
      if (this.election.head === from) {
        this.headRound = Math.max(this.headRound, m.round);
        // Late joiner or a missed announcement: catch up with the head's newest model.
        const held = this.c.store.model;
        const behind =
          held === undefined || held.cluster !== this.cluster || held.source !== from || m.round > held.round;
        if (behind && !this.isHead) this.init.onNewModel(from, m.round, this);
      }
    } else if (m.kind === 'round_open') {
      this.announcedRound = Math.max(this.announcedRound, m.round - 1);
      // A RoundOpen vouches for its head like a lease does (a new head's first round may
      // overtake its first lease); a losing same-term head steps down on it at once.
      if (this.election.head !== from)
        this.act(
          this.election.onLease(
            {
              cluster: this.cluster,
              head: from,
              term: m.term,
              round: m.round - 1,
              expiry: now + this.c.timing.leaseTtlMs,
            },
            now,
          ),
        );
      if (this.election.head !== from || this.isHead) return;
      this.init.onRoundOpen(m, this);
    } else if (m.kind === 'model_announce') {
      this.announcedRound = Math.max(this.announcedRound, m.round);
      if (this.isHead || this.election.head !== from) return;
      this.headRound = Math.max(this.headRound, m.round);
      this.init.onNewModel(from, m.round, this);
    }
  }

  /** Carries out election outputs: publish leases, log, and announce role changes. */
  private act(outs: ElectionOutput[]): void {
    const { c } = this;
    for (const o of outs) {
      switch (o.kind) {
        case 'publish_lease': {
          const m: HeadLeaseMsg = {
            kind: 'head_lease',
            cluster: o.lease.cluster,
            head: o.lease.head,
            term: o.lease.term,
            round: o.lease.round,
            leaseMs: c.timing.leaseTtlMs,
            sentAt: c.clock.now(),
          };
          void c.gossip.publish(clusterTopic(o.lease.cluster), encodeGossip(m));
          break;
        }
        case 'became_head':
        case 'head_changed':
          logEvent(c, {
            event: 'head_elected',
            cluster: o.cluster,
            head: o.kind === 'became_head' ? c.self : o.head,
            term: o.term,
            ...(o.electionMs !== undefined ? { electionMs: o.electionMs } : {}),
            ...(o.failoverMs !== undefined ? { failoverMs: o.failoverMs } : {}),
          });
          break;
        case 'stepped_down':
          logEvent(c, { event: 'head_elected', cluster: o.cluster, head: o.newHead, term: o.term });
          break;
        case 'lease_expired':
          logEvent(c, {
            event: 'lease_expired',
            cluster: o.cluster,
            head: o.head,
            term: o.term,
            reason: o.reason,
          });
          break;
      }
    }
    const now: SessionRole = {
      role: this.isHead ? 'head' : 'member',
      head: this.election.head,
      term: this.election.term,
    };
    if (now.role !== this.last.role || now.head !== this.last.head || now.term !== this.last.term) {
      this.last = now;
      if (!this.closed) c.bus.emit('role:changed', { cluster: this.cluster, ...now });
    }
  }
}

export type { RoundOpenMsg };
