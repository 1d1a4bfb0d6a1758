// Records what secure aggregation did inside in-process peers, from their event buses: each
// member's exact (pre-mask) vector and weight, what the head received, and the sums it decoded.
import type { SecAggParams, SecAggResult } from '@ppfm/protocol';
import type { TestPeer } from './peers.js';

/** Names one attempt of a round: a round re-opened under a new term is another secure round. */
export const attempt = (round: number, term: number): string => `${round}/${term}`;

/** One peer's contributions and one head's view, per round attempt (`attempt(round, term)`). */
export interface SecAggRecord {
  /** attempt -> peer -> the vector it masked and its weight. */
  contributed: Map<string, Map<string, { update: Float32Array; weight: number }>>;
  /** attempt -> sender -> the masked input the head received. */
  received: Map<string, Map<string, Uint32Array>>;
  /** attempt -> the head's decoded sum. */
  sums: Map<string, SecAggResult>;
  /** attempt -> the parameters of that round (n, threshold, fraction bits...). */
  params: Map<string, SecAggParams>;
}

const at = <K, V>(m: Map<K, V>, k: K, make: () => V): V => {
  let v = m.get(k);
  if (v === undefined) m.set(k, (v = make()));
  return v;
};

/** Starts recording on every peer's bus. */
export function recordSecAgg(peers: TestPeer[]): SecAggRecord {
  const rec: SecAggRecord = {
    contributed: new Map(),
    received: new Map(),
    sums: new Map(),
    params: new Map(),
  };
  for (const p of peers) {
    const id = p.peer.peerId;
    p.peer.bus.on('secagg:contributed', (e) =>
      at(rec.contributed, attempt(e.round, e.term), () => new Map()).set(id, {
        update: e.update,
        weight: e.weight,
      }),
    );
    p.peer.bus.on('secagg:input', (e) =>
      at(rec.received, attempt(e.round, e.term), () => new Map()).set(e.from, e.masked),
    );
    p.peer.bus.on('secagg:sum', (e) => {
      rec.sums.set(attempt(e.round, e.term), e.result);
      rec.params.set(attempt(e.round, e.term), e.params);
    });
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
