/**
 * Bytes each peer process sent over TCP, read from the kernel's per-socket counters (`ss -tinp`,
 * tcp_info bytes_sent). Independent of what the peers log; sampled periodically because a closed
 * socket's counters disappear with it.
 */
import { execFile } from 'node:child_process';

/** One established TCP socket's counters. */
export interface SocketSample {
  pid: number;
  local: string;
  peer: string;
  bytesSent: number;
}

/** Parses `ss -tinpH` output (a socket line followed by an indented info line). */
export function parseSs(text: string): SocketSample[] {
  const out: SocketSample[] = [];
  let cur: { pids: number[]; local: string; peer: string } | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (!/^\s/.test(line)) {
      const cols = line.trim().split(/\s+/);
      // [State] Recv-Q Send-Q Local Peer [users:(...)]; with a state filter ss omits the State column.
      const addrStart = /^\d+$/.test(cols[0] ?? '') ? 2 : 3;
      const pids = [...line.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
      cur = { pids, local: cols[addrStart] ?? '', peer: cols[addrStart + 1] ?? '' };
      continue;
    }
    const m = /bytes_sent:(\d+)/.exec(line);
    if (cur && m)
      for (const pid of cur.pids)
        out.push({ pid, local: cur.local, peer: cur.peer, bytesSent: Number(m[1]) });
    cur = undefined;
  }
  return out;
}

/** Accumulates the highest bytes_sent seen per socket, summed per process. */
export class TrafficMeter {
  private readonly sockets = new Map<string, { pid: number; bytes: number }>();
  /** Per pid: what it had sent when its cluster opened round 1 (start-up, reported apart). */
  private readonly startup = new Map<number, number>();
  available = true;

  /** Folds one set of samples in (only those of the given pids). */
  add(samples: SocketSample[], pids: ReadonlySet<number>): void {
    for (const s of samples) {
      if (!pids.has(s.pid)) continue;
      const key = `${s.pid}|${s.local}|${s.peer}`;
      const prev = this.sockets.get(key);
      if (!prev || s.bytesSent > prev.bytes) this.sockets.set(key, { pid: s.pid, bytes: s.bytesSent });
    }
  }

  /** Runs `ss` once and folds its output in; marks the meter unavailable if `ss` is missing. */
  async sample(pids: ReadonlySet<number>): Promise<void> {
    if (!this.available || pids.size === 0) return;
    const text = await new Promise<string | undefined>((resolve) => {
      execFile('ss', ['-tinpH'], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout) =>
        resolve(err ? undefined : stdout),
      );
    });
    if (text === undefined) {
      this.available = false;
      return;
    }
    this.add(parseSs(text), pids);
  }

  /** Records, once per pid, its total so far as its start-up bytes (call right after a sample). */
  markStartup(pids: Iterable<number>): void {
    const now = this.perPid();
    for (const pid of pids) if (!this.startup.has(pid)) this.startup.set(pid, now.get(pid) ?? 0);
  }

  /** Start-up bytes per pid (only the pids marked). */
  startupPerPid(): ReadonlyMap<number, number> {
    return this.startup;
  }

  /** Total bytes sent per pid. */
  perPid(): Map<number, number> {
    const m = new Map<number, number>();
    for (const { pid, bytes } of this.sockets.values()) m.set(pid, (m.get(pid) ?? 0) + bytes);
    return m;
  }
}
