// Cost of secure aggregation per cluster round on the default MLP (784-128-10, 101,770 parameters):
// bytes and milliseconds for the head and for one member, with and without secure aggregation, for
// 4, 8 and 16 members, plus 16 members with one dropout after key sharing (the head then rebuilds
// the dropped member's mask key and strips its 15 pairwise masks). Run:
//   npm run bench -w @ppfm/protocol
// Plain = each member pushes a float32 UpdateEnvelope and the head decodes and averages them.
// Milliseconds are CPU time inside each party (in-memory, no network), best of the runs.
import {
  decodeUpdateEnvelope,
  encodeUpdateEnvelope,
  simulateSecAgg,
  specHash,
  type WeightSet,
} from '../src/index.js';

const SHAPES: [string, number[]][] = [
  ['dense/kernel', [784, 128]],
  ['dense/bias', [128]],
  ['dense_1/kernel', [128, 10]],
  ['dense_1/bias', [10]],
];
const ROUND = { cluster: 'bench', round: 1, term: 1 };
const RUNS = Number(process.env.SECAGG_BENCH_RUNS ?? 3);
/** Process CPU time in ms (robust to other processes on a shared machine, unlike wall time). */
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function update(seed: number): WeightSet {
  let a = seed >>> 0;
  const rnd = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
  return SHAPES.map(([name, shape]) => {
    const values = new Float32Array(shape.reduce((x, y) => x * y, 1));
    for (let i = 0; i < values.length; i++) values[i] = rnd() * 0.02;
    return { name, shape, values };
  });
}

const flat = (ws: WeightSet): Float32Array => {
  const out = new Float32Array(ws.reduce((n, t) => n + t.values.length, 0));
  let at = 0;
  for (const t of ws) {
    out.set(t.values, at);
    at += t.values.length;
  }
  return out;
};

interface Row {
  label: string;
  headBytes: number;
  headMs: number;
  memberBytes: number;
  memberMs: number;
}

function plainRound(n: number, updates: WeightSet[]): Row {
  const hash = specHash(updates[0]!);
  let best = { head: Infinity, member: Infinity };
  let bytes = { head: 0, member: 0 };
  for (let r = 0; r < RUNS; r++) {
    let memberMs = 0;
    const frames: Uint8Array[] = [];
    for (let m = 0; m < n; m++) {
      const t0 = cpuMs();
      frames.push(
        encodeUpdateEnvelope({
          cluster: ROUND.cluster,
          baseRound: 1,
          term: 1,
          sampleCount: 100,
          specHash: hash,
          codec: 'float32',
          weights: updates[m]!,
        }),
      );
      memberMs += cpuMs() - t0;
    }
    const t0 = cpuMs();
    const sum = new Float64Array(flat(updates[0]!).length);
    for (const f of frames) {
      const d = decodeUpdateEnvelope(f, undefined, { specHash: hash });
      if (!d.ok) throw new Error(d.error.message);
      let at = 0;
      for (const t of d.value.weights) for (const v of t.values) sum[at++]! += v * d.value.sampleCount;
    }
    const headMs = cpuMs() - t0;
    best = { head: Math.min(best.head, headMs), member: Math.min(best.member, memberMs / n) };
    bytes = { head: frames.reduce((s, f) => s + f.length, 0), member: frames[0]!.length };
  }
  return {
    label: `${n} plain`,
    headBytes: bytes.head,
    headMs: best.head,
    memberBytes: bytes.member,
    memberMs: best.member,
  };
}

async function secureRound(n: number, updates: WeightSet[], drop: boolean): Promise<Row> {
  const members = Array.from({ length: n }, (_, i) => `member${i}`);
  const inputs = new Map(members.map((m, i) => [m, { update: flat(updates[i]!), weight: 100 }]));
  const length = inputs.get(members[0]!)!.update.length;
  let best: Row | undefined;
  for (let r = 0; r < RUNS; r++) {
    const rep = await simulateSecAgg({
      round: ROUND,
      head: 'head',
      members,
      config: { length, maxWeight: 1000 },
      inputs,
      dropBefore: drop ? { mask: [members[n - 1]!] } : {},
    });
    if (rep.outcome.kind !== 'done') throw new Error(`secagg round failed: ${JSON.stringify(rep.outcome)}`);
    const live = [...rep.members.entries()]
      .filter(([id]) => !drop || id !== members[n - 1])
      .map(([, c]) => c);
    const mean = (f: (c: (typeof live)[0]) => number) => live.reduce((s, c) => s + f(c), 0) / live.length;
    const row: Row = {
      label: `${n} secure${drop ? ', 1 dropped' : ''}`,
      headBytes: rep.head.bytesSent + rep.head.bytesReceived,
      headMs: rep.head.ms,
      memberBytes: mean((c) => c.bytesSent + c.bytesReceived),
      memberMs: mean((c) => c.ms),
    };
    if (!best || row.headMs + row.memberMs < best.headMs + best.memberMs) best = row;
  }
  return best!;
}

const rows: Row[] = [];
const updates = Array.from({ length: 16 }, (_, i) => update(i + 1));
const params = flat(updates[0]!).length;
// Warm-up (JIT, crypto contexts), not reported.
plainRound(4, updates);
await secureRound(4, updates, false);
for (const n of [4, 8, 16]) {
  rows.push(plainRound(n, updates));
  rows.push(await secureRound(n, updates, false));
}
rows.push(await secureRound(16, updates, true));

const kb = (b: number) => (b / 1024).toFixed(0);
const header = ['members', 'head KiB', 'head ms', 'member KiB', 'member ms'];
const cells = rows.map((r) => [
  r.label,
  kb(r.headBytes),
  r.headMs.toFixed(1),
  kb(r.memberBytes),
  r.memberMs.toFixed(1),
]);
const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
const line = (c: string[]) =>
  c.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  ');
console.log(
  `\n@ppfm/protocol secure aggregation: one round, ${params.toLocaleString('en')} parameters (MLP 784-128-10)`,
);
console.log(
  `KiB = bytes sent + received by the party; ms = CPU time inside the party, best of ${RUNS} rounds.`,
);
console.log('Plain: float32 update envelopes pushed to the head, decoded and averaged there.\n');
console.log(line(header));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const c of cells) console.log(line(c));
