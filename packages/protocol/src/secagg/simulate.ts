// An in-memory driver of one secure-aggregation round: a head and n members exchanging encoded
// frames, with members that vanish before a chosen stage and a hook to tamper with what the head
// relays. It is the reference wiring for the peer (same calls in the same order), the test harness
// and the bench: it counts bytes and the CPU time spent inside each party.
import { generateKeyPairSync, sign as edSign, verify as edVerify, type KeyObject } from 'node:crypto';
import { SecAggHead, type SecAggFinished } from './head.js';
import { SecAggMember } from './member.js';
import { decodeSecAgg, encodeSecAgg } from './codec.js';
import type { SecAggMessage } from './messages.js';
import type {
  SecAggAbort,
  SecAggConfig,
  SecAggRound,
  SecAggSign,
  SecAggStage,
  SecAggVerify,
} from './types.js';

/** Identity keys for a simulated round (Ed25519 from node:crypto, like libp2p's default). */
export interface SimulatedIdentities {
  signerFor(peer: string): SecAggSign;
  verify: SecAggVerify;
}

/** Fresh Ed25519 identities for `peers`. */
export function ed25519Identities(peers: readonly string[]): SimulatedIdentities {
  const keys = new Map<string, { privateKey: KeyObject; publicKey: KeyObject }>();
  for (const p of peers) keys.set(p, generateKeyPairSync('ed25519'));
  return {
    signerFor: (peer) => (bytes) => new Uint8Array(edSign(null, bytes, keys.get(peer)!.privateKey)),
    verify: (peer, bytes, sig) => {
      const k = keys.get(peer);
      return k !== undefined && edVerify(null, bytes, k.publicKey, sig);
    },
  };
}

/** One simulated round. */
export interface SimulateOptions {
  round: SecAggRound;
  head: string;
  members: readonly string[];
  config: SecAggConfig;
  /** Each member's update and weight. */
  inputs: ReadonlyMap<string, { update: Float32Array; weight: number }>;
  /** Members that vanish just before sending their message of the given stage. */
  dropBefore?: Partial<Record<SecAggStage, readonly string[]>>;
  /** Rewrites a message the head sends to `to` (a malicious head); default identity. */
  relay?: (to: string, m: SecAggMessage) => SecAggMessage;
  /** Sees every decoded message as it is delivered (e.g. the head's whole view of a round). */
  observe?: (from: string, to: string, m: SecAggMessage) => void;
  identities?: SimulatedIdentities;
}

/** Traffic and CPU time of one party. */
export interface PartyCost {
  bytesSent: number;
  bytesReceived: number;
  ms: number;
}

/** What happened. */
export interface SimulateReport {
  outcome: SecAggFinished;
  /** Members that aborted, with why. */
  memberAborts: Map<string, SecAggAbort>;
  head: PartyCost;
  members: Map<string, PartyCost>;
}

/** Runs one round in memory through encoded frames and reports the outcome and its costs. */
export async function simulateSecAgg(o: SimulateOptions): Promise<SimulateReport> {
  const ids = o.identities ?? ed25519Identities(o.members);
  const cost = new Map<string, PartyCost>();
  const costOf = (p: string): PartyCost => {
    let c = cost.get(p);
    if (!c) cost.set(p, (c = { bytesSent: 0, bytesReceived: 0, ms: 0 }));
    return c;
  };
  // CPU time, not wall time: on a shared machine the neighbours' load would otherwise count.
  const timed = async <T>(party: string, f: () => T | Promise<T>): Promise<T> => {
    const c0 = process.cpuUsage();
    const r = await f();
    const d = process.cpuUsage(c0);
    costOf(party).ms += (d.user + d.system) / 1000;
    return r;
  };
  /** Encodes on one side and decodes on the other, counting bytes (and encode/decode time). */
  const wire = async <M extends SecAggMessage>(from: string, to: string, m: M): Promise<M> => {
    const bytes = await timed(from, () => encodeSecAgg(m));
    costOf(from).bytesSent += bytes.length;
    costOf(to).bytesReceived += bytes.length;
    const d = await timed(to, () => decodeSecAgg(bytes));
    if (!d.ok) throw new Error(`simulated wire: ${d.error.code} ${d.error.message}`);
    o.observe?.(from, to, d.value);
    return d.value as M;
  };
  const gone = (stage: SecAggStage, p: string) => o.dropBefore?.[stage]?.includes(p) ?? false;
  const relayed = <M extends SecAggMessage>(to: string, m: M): M => (o.relay ? (o.relay(to, m) as M) : m);

  const head = new SecAggHead({ round: o.round, members: o.members, config: o.config, verify: ids.verify });
  costOf(o.head);
  const members = new Map(
    o.members.map((id) => {
      const init = { self: id, head: o.head, round: o.round, members: o.members, config: o.config };
      return [id, new SecAggMember({ ...init, sign: ids.signerFor(id), verify: ids.verify })] as const;
    }),
  );
  const memberAborts = new Map<string, SecAggAbort>();
  const live = new Set(o.members);
  const note = (id: string, step: { kind: string; abort?: SecAggAbort }): boolean => {
    if (step.kind === 'aborted' && step.abort) {
      memberAborts.set(id, step.abort);
      live.delete(id);
    }
    return step.kind !== 'aborted';
  };
  const report = (outcome: SecAggFinished): SimulateReport => {
    const ms = new Map([...members.keys()].map((id) => [id, costOf(id)]));
    return { outcome, memberAborts, head: costOf(o.head), members: ms };
  };

  for (const [id, m] of members) {
    if (gone('advertise', id)) live.delete(id);
    if (!live.has(id)) continue;
    const s = await timed(id, () => m.advertise());
    if (s.kind !== 'send') continue;
    const got = await wire(id, o.head, s.message);
    await timed(o.head, () => head.onKeyAdvert(id, got));
  }
  const roster = await timed(o.head, () => head.closeAdverts());
  if (roster.kind !== 'send') return report(roster);
  for (const to of roster.message.to) {
    const got = await wire(o.head, to, relayed(to, roster.message.message));
    if (gone('share', to)) live.delete(to);
    if (!live.has(to)) continue;
    const s = await timed(to, () => members.get(to)!.onRoster(o.head, got));
    if (!note(to, s) || s.kind !== 'send') continue;
    const back = await wire(to, o.head, s.message);
    await timed(o.head, () => head.onShareKeys(to, back));
  }
  const deliveries = await timed(o.head, () => head.closeShares());
  if (deliveries.kind !== 'send') return report(deliveries);
  for (const d of deliveries.message) {
    const got = await wire(o.head, d.recipient, relayed(d.recipient, d));
    if (gone('mask', d.recipient)) live.delete(d.recipient);
    if (!live.has(d.recipient)) continue;
    const m = members.get(d.recipient)!;
    if (!note(d.recipient, await timed(d.recipient, () => m.onShareDelivery(o.head, got)))) continue;
    const input = o.inputs.get(d.recipient);
    if (!input) throw new Error(`no input for ${d.recipient}`);
    const s = await timed(d.recipient, () => m.maskInput(input.update, input.weight));
    if (!note(d.recipient, s) || s.kind !== 'send') continue;
    const back = await wire(d.recipient, o.head, s.message);
    await timed(o.head, () => head.onMaskedInput(d.recipient, back));
  }
  const request = await timed(o.head, () => head.closeInputs());
  if (request.kind !== 'send') return report(request);
  for (const to of request.message.to) {
    if (gone('unmask', to)) live.delete(to);
    if (!live.has(to)) continue;
    const got = await wire(o.head, to, relayed(to, request.message.message));
    const s = await timed(to, () => members.get(to)!.onUnmaskRequest(o.head, got));
    if (!note(to, s) || s.kind !== 'send') continue;
    const back = await wire(to, o.head, s.message);
    await timed(o.head, () => head.onUnmaskResponse(to, back));
  }
  return report(await timed(o.head, () => head.finish()));
}
