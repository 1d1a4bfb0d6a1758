// Records what secure aggregation did inside in-process peers, from their event buses: each
// member's exact (pre-mask) vector and weight, what the head received, and the sums it decoded.
import type { SecAggResult } from '@ppfm/protocol';
import type { TestPeer } from './peers.js';

/** One peer's contributions and one head's view, per round. */
export interface SecAggRecord {
  /** round -> peer -> the vector it masked and its weight. */
  contributed: Map<number, Map<string, { update: Float32Array; weight: number }>>;
  /** round -> sender -> the masked input the head received. */
  received: Map<number, Map<string, Uint32Array>>;
  /** round -> the head's decoded sum. */
  sums: Map<number, SecAggResult>;
}

const at = <K, V>(m: Map<K, V>, k: K, make: () => V): V => {
  let v = m.get(k);
  if (v === undefined) m.set(k, (v = make()));
  return v;
};

/** Starts recording on every peer's bus. */
export function recordSecAgg(peers: TestPeer[]): SecAggRecord {
  const rec: SecAggRecord = { contributed: new Map(), received: new Map(), sums: new Map() };
  for (const p of peers) {
    const id = p.peer.peerId;
    p.peer.bus.on('secagg:contributed', (e) =>
      at(rec.contributed, e.round, () => new Map()).set(id, { update: e.update, weight: e.weight }),
    );
    p.peer.bus.on('secagg:input', (e) => at(rec.received, e.round, () => new Map()).set(e.from, e.masked));
    p.peer.bus.on('secagg:sum', (e) => rec.sums.set(e.round, e.result));
  }
  return rec;
}

/** Pearson correlation of two equally long sequences. */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] as number;
    mb += b[i] as number;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = (a[i] as number) - ma;
    const y = (b[i] as number) - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return sab / Math.sqrt(saa * sbb);
}
