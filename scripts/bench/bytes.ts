/**
 * Bandwidth per codec (issue 16): bytes each peer sent over TCP during the rounds (kernel socket
 * counters, so framing, encryption and gossip relay count) per round, over the model's size; the
 * start-up (everything a peer sent before its cluster opened round 1) reported apart, in bytes.
 * Members and heads apart; what members send is split with their own payload counters (`traffic`
 * events: direct streams such as the update push, and their own gossip publishes).
 */
import type { PeerEvent } from '../src/testnet/events.js';
import type { RunResult } from '../src/testnet/run.js';
import { benchRun, figure, out, type BenchOptions } from './common.js';

const KIB = 1024;
const mean = (xs: readonly number[]): number | null =>
  xs.length === 0 ? null : xs.reduce((a, c) => a + c, 0) / xs.length;
const kib = (v: number | null): string => (v === null ? 'n/a' : `${(v / KIB).toFixed(1)} KiB`);

/** One role's figures in one run. */
export interface RoleBytes {
  peers: number;
  /** Mean bytes sent before round 1 opened. */
  startupBytes: number | null;
  /** Mean bytes sent per round after that. */
  perRoundBytes: number | null;
}

/** Per-round payload a member logged itself (rounds 2.., whose windows hold no start-up). */
export interface MemberPayload {
  /** Direct streams: its update push, peer exchange, requests of model fetches. */
  direct: number | null;
  /** Its own gossip publishes times their direct recipients (heartbeats, loss reports, ...). */
  gossip: number | null;
}

/**
 * Splits a run's socket bytes by role, start-up apart. A head is a peer that published its
 * cluster's model in most rounds, a member one that published none (the clusters' final heads
 * may have led only at the end); peers that did both are left out.
 */
export function roleBytes(
  r: RunResult,
  events: readonly PeerEvent[],
  rounds: number,
): { members: RoleBytes; heads: RoleBytes; headIds: Set<string> } {
  const published = new Map<string, number>();
  for (const e of events)
    if (e.event === 'cluster_model_published') published.set(e.peer, (published.get(e.peer) ?? 0) + 1);
  const peers = r.summary.peerTable;
  const headIds = new Set(peers.filter((p) => (published.get(p.id) ?? 0) > rounds / 2).map((p) => p.id));
  const of = (pick: (id: string) => boolean): RoleBytes => {
    const idx = peers.filter((p) => pick(p.id)).map((p) => p.index);
    const startup = idx.map((i) => r.resources.startupSocketBytes[i] ?? 0);
    const known = startup.every((x) => x > 0);
    const runs = idx.map((i, k) => (r.resources.socketBytes[i] ?? 0) - (startup[k] ?? 0));
    return {
      peers: idx.length,
      startupBytes: known ? mean(startup) : null,
      perRoundBytes: known && runs.length > 0 ? (mean(runs) as number) / Math.max(1, rounds) : null,
    };
  };
  return {
    members: of((id) => !published.has(id)),
    heads: of((id) => headIds.has(id)),
    headIds,
  };
}

/** Mean per-round payload of members from their `traffic` events of rounds >= 2. */
export function memberPayload(events: readonly PeerEvent[], heads: ReadonlySet<string>): MemberPayload {
  const direct: number[] = [];
  const gossip: number[] = [];
  for (const e of events) {
    if (e.event !== 'traffic' || heads.has(e.peer)) continue;
    const { round, roundBytesSent, roundDirectBytesSent } = e;
    if (round === undefined || round < 2) continue;
    if (roundBytesSent === undefined || roundDirectBytesSent === undefined) continue;
    direct.push(roundDirectBytesSent);
    gossip.push(roundBytesSent - roundDirectBytesSent);
  }
  return { direct: mean(direct), gossip: mean(gossip) };
}

/**
 * Seconds from the first round 1 opened to the last model published: the rounds' span, over
 * which the gossip a member relays (heartbeats, fingerprints, leases) accrues whatever the codec.
 */
export function roundsSpanSeconds(events: readonly PeerEvent[]): number | null {
  let first: number | undefined;
  let last: number | undefined;
  for (const e of events) {
    if (e.event === 'round_opened' && e.round === 1) first = Math.min(first ?? e.time, e.time);
    if (e.event === 'cluster_model_published') last = Math.max(last ?? e.time, e.time);
  }
  return first === undefined || last === undefined || last <= first ? null : (last - first) / 1000;
}

/** (2) Bytes sent per member (and head) per round relative to the model size, per codec. */
export async function benchBytes(b: BenchOptions): Promise<Record<string, unknown>> {
  out(`\n== bytes per round / model bytes (${b.peers} peers, ${b.rounds} rounds; start-up apart) ==`);
  const res: Record<string, unknown> = {};
  let float32Model: number | null = null;
  for (const codec of ['float32', 'float16', 'int8'] as const) {
    const events: PeerEvent[] = [];
    const r = await benchRun(b, `bytes-${codec}`, { codec }, (e) => void events.push(e));
    const s = r.summary;
    const model = s.modelBytes;
    if (codec === 'float32') float32Model = model;
    const { members, heads, headIds } = roleBytes(r, events, b.rounds);
    const pay = memberPayload(events, headIds);
    const span = roundsSpanSeconds(events);
    // On the wire beyond the member's own payload (relayed gossip, framing), per second of rounds.
    const beyond =
      members.perRoundBytes !== null && pay.direct !== null && pay.gossip !== null && span !== null
        ? ((members.perRoundBytes - pay.direct - pay.gossip) * b.rounds) / span
        : null;
    const ratio = (v: number | null, m: number | null): number | null => (v === null || !m ? null : v / m);
    out(`  ${codec}: model ${model ?? 'n/a'} B`);
    out(figure(`${codec} members, own model size`, ratio(members.perRoundBytes, model), ''));
    out(
      figure(
        `${codec} members, float32 model size`,
        ratio(members.perRoundBytes, float32Model),
        '',
        codec === 'float32' ? { max: 1.2 } : codec === 'int8' ? { max: 0.35 } : undefined,
      ),
    );
    out(
      `    members (${members.peers}): ${kib(members.perRoundBytes)}/round on the wire, of which payload ` +
        `${kib(pay.direct)} direct (update push) + ${kib(pay.gossip)} own gossip; start-up ${kib(members.startupBytes)}`,
    );
    out(
      `    rounds took ${span === null ? 'n/a' : span.toFixed(1) + ' s'} (${span === null ? 'n/a' : (span / b.rounds).toFixed(1)} s/round); ` +
        `a member sent ${kib(beyond)}/s beyond its own payload (relayed gossip, framing)`,
    );
    out(
      `    heads (${heads.peers}): ${kib(heads.perRoundBytes)}/round = ` +
        `${ratio(heads.perRoundBytes, model)?.toFixed(2) ?? 'n/a'} x model (the round's model to each member ` +
        `that fetches it, announcements); start-up ${kib(heads.startupBytes)}`,
    );
    if (!s.ok)
      out(`  (${codec} run not ok: ${s.failures.slice(0, 2).join('; ')}; its bytes are not representative)`);
    res[codec] = {
      modelBytes: model,
      members,
      heads,
      memberPayload: pay,
      roundsSpanSeconds: span,
      memberBeyondPayloadBytesPerSecond: beyond,
      memberRatio: ratio(members.perRoundBytes, model),
      memberVsFloat32: ratio(members.perRoundBytes, float32Model),
      headRatio: ratio(heads.perRoundBytes, model),
      ok: s.ok,
    };
  }
  return res;
}
