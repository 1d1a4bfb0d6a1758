// One red-team run: honest in-process peers for a fixed number of rounds, an attack started next
// to them, and the honest outcome the issue asks for: every peer completed its rounds (no stall),
// no honest peer followed an attacker as head, every evaluated model finite, no stack trace in
// anything a peer logged, and the honest peers' mean accuracy (to compare with a clean run).
import assert from 'node:assert/strict';
import { createRng, type Dataset } from '@ppfm/meta';
import type { PeerOptions } from '../../src/peer.js';
import { CLASSES, FEATURES, launch, loopback, stopAll, type TestPeer } from './peers.js';
import { until } from './wait.js';

/** What a run measured. */
export interface RunResult {
  peers: TestPeer[];
  /** Mean over honest peers of the last personalised accuracy (after adaptation) and of the cluster model's (before). */
  meanAcc: number;
  meanAccBefore: number;
  /** Every head named by an honest peer's head_elected event. */
  heads: Set<string>;
  wallMs: number;
}

/** Something an attack leaves running until the run is over. */
export interface Running {
  stop(): Promise<void>;
}

export interface RunSpec {
  /** Group of each honest peer. */
  groups: number[];
  rounds: number;
  /** Options for every honest peer (data may be a function of index and group). */
  extra?: Partial<PeerOptions>;
  data?: (group: number, index: number) => Dataset;
  /** Starts the attack once the honest peers are up (`boot`: every honest peer's address). */
  attack?: (peers: TestPeer[], boot: string[]) => Promise<Running | undefined>;
  /** The run fails (stall) when the peers have not all finished by then. */
  timeoutMs?: number;
  /** Ends the run once this holds (re-checked on every logged event) instead of at the peers' own end. */
  until?: (peers: TestPeer[]) => boolean;
}

/** Runs honest peers to the end of `rounds` next to an attack; rejects on a stall. */
export async function redteamRun(spec: RunSpec): Promise<RunResult> {
  const t0 = Date.now();
  const peers: TestPeer[] = [];
  for (let i = 0; i < spec.groups.length; i++) {
    const g = spec.groups[i] as number;
    const boot = peers.slice(0, 1).flatMap(loopback);
    peers.push(
      await launch(g, i, boot, {
        minPeers: spec.groups.length,
        rounds: spec.rounds,
        ...(spec.data !== undefined ? { data: spec.data(g, i) } : {}),
        ...spec.extra,
      }),
    );
  }
  return finish(peers, spec, t0);
}

async function finish(peers: TestPeer[], spec: RunSpec, t0: number): Promise<RunResult> {
  let attack: Running | undefined;
  try {
    attack = await spec.attack?.(peers, peers.flatMap(loopback));
    const timeoutMs = spec.timeoutMs ?? 120_000;
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const st = peers.map((p) => JSON.stringify(p.peer.status())).join('\n');
        reject(
          new Error(`stall: the honest peers did not finish ${spec.rounds} rounds in ${timeoutMs} ms\n${st}`),
        );
      }, timeoutMs);
    });
    try {
      const end =
        spec.until === undefined
          ? Promise.all(peers.map((p) => p.peer.done))
          : until(
              peers,
              () => (spec.until as (p: TestPeer[]) => boolean)(peers),
              'the end condition',
              timeoutMs,
            );
      await Promise.race([end, stalled]);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await attack?.stop().catch(() => undefined);
    await stopAll(peers);
  }
  const last = peers.map((p) => p.log.of('evaluation').at(-1));
  const heads = new Set(peers.flatMap((p) => p.log.of('head_elected').map((e) => e.head)));
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  return {
    peers,
    meanAcc: mean(last.map((e) => e?.accAfter ?? NaN)),
    meanAccBefore: mean(last.map((e) => e?.accBefore ?? NaN)),
    heads,
    wallMs: Date.now() - t0,
  };
}

const STACK = /\n\s+at \S/;

/** Every string anywhere in a logged event. */
function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v !== null && typeof v === 'object') for (const x of Object.values(v)) strings(x, out);
  return out;
}

/**
 * The highest round whose cluster model `p` held (its traffic event: that model fetched, or
 * published as head). From the log, not status(): a model adopted from a new head may be older.
 */
export function roundReached(p: TestPeer): number {
  return Math.max(0, ...p.log.of('traffic').map((e) => e.round));
}

/**
 * How far every honest peer must have got: `rounds` completed (its rounds_completed event, the
 * end of a run that ran to the peers' own end), or `{ reached }`: held that round's model
 * (roundReached), for a run that ended on a condition (no rounds_completed is logged then).
 */
export type RoundsClaim = number | { reached: number };

/**
 * The honest outcome: every peer got as far as `rounds` says, no head_elected names an attacker,
 * every evaluation finite, no stack trace logged; with `clean`, mean accuracy at most 2 points below it.
 */
export function assertHonestOutcome(
  r: RunResult,
  rounds: RoundsClaim,
  attackers: readonly string[],
  clean?: number,
): void {
  for (const p of r.peers) {
    if (typeof rounds === 'number')
      assert.ok(
        p.log.of('rounds_completed').some((e) => e.round >= rounds),
        `${p.peer.peerId} did not complete ${rounds} rounds: ${JSON.stringify(p.peer.status())}`,
      );
    else
      assert.ok(
        roundReached(p) >= rounds.reached,
        `${p.peer.peerId} did not reach round ${rounds.reached}: ${JSON.stringify(p.peer.status())}`,
      );
    for (const e of p.log.of('evaluation'))
      assert.ok(
        Number.isFinite(e.accAfter) && Number.isFinite(e.lossAfter ?? 0),
        `non-finite evaluation ${JSON.stringify(e)}`,
      );
    for (const e of p.log.events)
      for (const s of strings(e))
        assert.ok(!STACK.test(s), `a stack trace in a logged ${e.event}: ${s.slice(0, 300)}`);
  }
  for (const a of attackers) assert.ok(!r.heads.has(a), `an honest peer followed the attacker ${a} as head`);
  if (clean !== undefined)
    assert.ok(
      r.meanAcc >= clean - 0.02,
      `honest mean accuracy ${r.meanAcc.toFixed(3)} more than 2 points below the clean run's ${clean.toFixed(3)}`,
    );
}

/**
 * A harder version of the test data (class centres closer, more noise): accuracy well below 1,
 * so that a poisoned model shows.
 */
export function hardData(group: number, peer: number, n = 600): Dataset {
  const centres = createRng(78);
  const mu: number[][] = [];
  for (let k = 0; k < CLASSES; k++) mu.push(Array.from({ length: FEATURES }, () => centres.normal()));
  const rng = createRng(5000 + peer * 31 + group * 7);
  const x = new Float32Array(n * FEATURES);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % CLASSES;
    const c = mu[k] as number[];
    for (let j = 0; j < FEATURES; j++)
      x[i * FEATURES + j] = (c[j] as number) + rng.normal() * 1.1 + (group === 1 ? 2 : 0);
    y[i] = group === 1 ? (k + 1) % CLASSES : k;
  }
  return { name: `hard-g${group}p${peer}`, inputShape: [FEATURES], numClasses: CLASSES, x, y };
}
