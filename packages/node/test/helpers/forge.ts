// Hand-written protobuf for the red-team tests: gossip frames our own encoders refuse to write
// (a head lease or round open with a term beyond 2^31 - 1), laid out as messages.proto says
// (GossipFrame { uint32 version = 1; oneof body { HeadLease head_lease = 4; RoundOpen round_open = 5 } }).
import { PROTOCOL_VERSION } from '@ppfm/protocol';

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

const tag = (field: number, wire: number): number[] => varint(field * 8 + wire);
const uint = (field: number, v: number): number[] => [...tag(field, 0), ...varint(v)];
const bytes = (field: number, b: Uint8Array | number[]): number[] => [
  ...tag(field, 2),
  ...varint(b.length),
  ...b,
];
const str = (field: number, s: string): number[] => bytes(field, [...new TextEncoder().encode(s)]);

/** A HeadLease frame with any term (even ones the encoder refuses). */
export function forgeLease(l: {
  cluster: string;
  head: string;
  term: number;
  round: number;
  leaseMs: number;
  sentAt: number;
}): Uint8Array {
  const body = [
    ...str(1, l.cluster),
    ...str(2, l.head),
    ...uint(3, l.term),
    ...uint(4, l.round),
    ...uint(5, l.leaseMs),
    ...uint(6, l.sentAt),
  ];
  return Uint8Array.from([...uint(1, PROTOCOL_VERSION), ...bytes(4, body)]);
}

/** A RoundOpen frame with any term. */
export function forgeRoundOpen(r: {
  cluster: string;
  round: number;
  term: number;
  head: string;
  deadlineMs: number;
  specHash: string;
  members: string[];
  sentAt: number;
}): Uint8Array {
  const body = [
    ...str(1, r.cluster),
    ...uint(2, r.round),
    ...uint(3, r.term),
    ...str(4, r.head),
    ...uint(5, r.deadlineMs),
    ...str(6, r.specHash),
    ...r.members.flatMap((m) => str(7, m)),
    ...uint(8, r.sentAt),
  ];
  return Uint8Array.from([...uint(1, PROTOCOL_VERSION), ...bytes(5, body)]);
}
