// Multi-peer test fixtures: a synthetic 2-group dataset, in-memory event logs, and networks of
// real peers in this process over @libp2p/memory (or TCP on 127.0.0.1) with short timings.
import '../../src/polyfill.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng, type Dataset, type ModelSpec } from '@ppfm/meta';
import type { LogEvent } from '../../src/log/events.js';
import { startPeer, type Peer, type PeerLog, type PeerOptions, type PeerTiming } from '../../src/peer.js';

export const FEATURES = 12;
export const CLASSES = 4;
export const SMALL_MODEL: ModelSpec = { layers: [{ type: 'dense', units: 16, activation: 'relu' }] };

/**
 * Fast timings for tests on 2 cores, with leases and view ttls long enough to survive a loaded
 * machine (a crashed head is still suspected at once: its connections close).
 */
export const FAST_TIMING: Partial<PeerTiming> = {
  heartbeatMs: 400,
  fingerprintEveryMs: 1000,
  viewTtlMs: 5000,
  leaseIntervalMs: 400,
  leaseTtlMs: 3000,
  tickMs: 50,
  reclusterDelayMs: 150,
  reclusterMaxDelayMs: 1000,
  settleMs: 1200,
  roundDeadlineMs: 5000,
  quorumFraction: 0.6,
  quorumGraceMs: 800,
  roundGapMs: 100,
  globalSyncMs: 4000,
  graceMs: 1000,
  fetchTimeoutMs: 4000,
  pushTimeoutMs: 4000,
  soloStartMs: 3000,
  progressTimeoutMs: 15_000,
};

/**
 * One peer's data from group `group` (0 or 1): Gaussian classes around shared class centres;
 * group 1 shifts the inputs and rotates the labels, so one model cannot fit both groups.
 */
export function groupData(group: number, peer: number, n = 200): Dataset {
  const centres = createRng(77);
  const mu: number[][] = [];
  for (let k = 0; k < CLASSES; k++) mu.push(Array.from({ length: FEATURES }, () => centres.normal() * 1.5));
  const rng = createRng(1000 + peer * 31 + group * 7);
  const x = new Float32Array(n * FEATURES);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % CLASSES;
    const c = mu[k] as number[];
    for (let j = 0; j < FEATURES; j++)
      x[i * FEATURES + j] = (c[j] as number) + rng.normal() * 0.8 + (group === 1 ? 1.5 : 0);
    y[i] = group === 1 ? (k + 1) % CLASSES : k;
  }
  return { name: `g${group}p${peer}`, inputShape: [FEATURES], numClasses: CLASSES, x, y };
}

/** Collects one peer's events in memory. */
export class MemoryLog implements PeerLog {
  readonly events: LogEvent[] = [];
  readonly times: number[] = [];
  peerId = '';
  emit(e: LogEvent): void {
    this.events.push(e);
    this.times.push(Date.now());
  }
  setPeerId(id: string): void {
    this.peerId = id;
  }
  /** Events of one kind. */
  of<K extends LogEvent['event']>(kind: K): Extract<LogEvent, { event: K }>[] {
    return this.events.filter((e) => e.event === kind) as Extract<LogEvent, { event: K }>[];
  }
}

export interface TestPeer {
  peer: Peer;
  log: MemoryLog;
  dataDir: string;
  group: number;
  opts: PeerOptions;
}

/** A fresh temporary data dir. */
export function tempDir(prefix = 'ppfm-node-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

let memoryNames = 0;

/** Starts one peer with test timings: in memory (default) or on TCP 127.0.0.1 (`transport: 'tcp'`). */
export async function launch(
  group: number,
  index: number,
  bootstrap: string[],
  extra: Partial<PeerOptions> = {},
): Promise<TestPeer> {
  const dataDir = extra.dataDir ?? tempDir();
  const transport = extra.transport ?? 'memory';
  const opts: PeerOptions = {
    data: groupData(group, index),
    dataDir,
    listen: [
      transport === 'memory' ? `/memory/ppfm-test-${process.pid}-${++memoryNames}` : '/ip4/127.0.0.1/tcp/0',
    ],
    bootstrap,
    oneHost: true,
    transport,
    backend: 'wasm',
    // Training in a worker thread per peer, as in production: timers (leases, heartbeats) keep
    // their timing while six in-process peers train.
    learner: 'worker',
    model: SMALL_MODEL,
    seed: index + 1,
    timing: FAST_TIMING,
    // The rule's defaults (Adam, clipping, input scaling), with a short personalisation for speed.
    config: { adaptSteps: 20 },
    ...extra,
  };
  const log = new MemoryLog();
  const peer = await startPeer(opts, log);
  return { peer, log, dataDir, group, opts };
}

/** Dialable addresses of a peer (with /p2p/): its memory or loopback addresses. */
export function loopback(p: TestPeer): string[] {
  return p.peer.addrs.filter((a) => a.startsWith('/memory/') || a.includes('/ip4/127.0.0.1/'));
}

/**
 * Starts `groups.length` peers one after the other. Like the testnet script, every peer
 * bootstraps to the first peer only (peer exchange finds the rest) and knows how many peers to
 * expect before its first round.
 */
export async function launchNet(groups: number[], extra: Partial<PeerOptions> = {}): Promise<TestPeer[]> {
  const out: TestPeer[] = [];
  for (let i = 0; i < groups.length; i++) {
    const boot = out.slice(0, 1).flatMap(loopback);
    out.push(await launch(groups[i] as number, i, boot, { minPeers: groups.length, ...extra }));
  }
  return out;
}

/** Stops every peer still running. */
export async function stopAll(peers: TestPeer[]): Promise<void> {
  await Promise.all(peers.map((p) => p.peer.stop('test_end').catch(() => undefined)));
}

/** True when all peers hold the same view and the same k clusters, each with one agreed head. */
export function converged(peers: TestPeer[], k: number): boolean {
  const st = peers.map((p) => p.peer.status());
  const first = st[0];
  if (first === undefined || first.view.length !== peers.length || first.clusters.length !== k) return false;
  const key = JSON.stringify(first.clusters);
  if (!st.every((s) => s.viewDigest === first.viewDigest && JSON.stringify(s.clusters) === key)) return false;
  for (const c of first.clusters) {
    const heads = st.filter((s) => s.cluster === c.id && s.role === 'head');
    if (heads.length !== 1) return false;
    if (!st.filter((s) => s.cluster === c.id).every((s) => s.head === heads[0]?.peerId)) return false;
  }
  return true;
}
