/**
 * A throw-away multi-host network on one machine: network namespaces ("hosts"), each joined by a
 * veth pair to one bridge that lives in a namespace of its own, with addresses in 198.18.0.0/15
 * (RFC 2544's benchmarking range: never routed, and nothing outside these namespaces is reachable).
 * A host is cut off by taking its veth down on the bridge side and healed by bringing it back up.
 * Names carry this process's pid, so a later run can remove what a killed run left behind.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** Prefix of every namespace this module creates (then `<pid>-<tag>-<role>`). */
const PREFIX = 'ppfmnet-';
/** The test range's /24 every run uses (each run has its own bridge, so runs never share it). */
const SUBNET = '198.18.0';

/** One simulated host: its namespace, its address, and the bridge-side end of its link. */
export interface NetnsHost {
  ns: string;
  addr: string;
  /** Name of the veth end inside the bridge namespace (what a cut takes down). */
  port: string;
}

/** Runs `ip ARGS`; throws with ip's own message on failure. */
function ip(args: readonly string[]): string {
  try {
    return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`ip ${args.join(' ')}: ${(e.stderr ?? '').trim() || e.message}`);
  }
}

/** Why namespaces cannot be used here (one line), or undefined when they can. */
export function netnsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    return 'network namespaces need root (ip netns add)';
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore', timeout: 5000 });
  } catch {
    return "the 'ip' command (iproute2) is not installed";
  }
  const probe = `${PREFIX}${process.pid}-probe-${randomBytes(3).toString('hex')}`;
  try {
    ip(['netns', 'add', probe]);
  } catch (err) {
    return `cannot create a network namespace: ${(err as Error).message}`;
  }
  try {
    ip(['netns', 'del', probe]);
  } catch {
    // removed with the rest of the stale ones next time
  }
  return undefined;
}

/** Deletes namespaces left by runs whose process is gone (a SIGKILLed test cannot clean up). */
export function removeStaleNamespaces(): string[] {
  let list: string;
  try {
    list = ip(['netns', 'list']);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const line of list.split('\n')) {
    const name = line.trim().split(/\s+/)[0] ?? '';
    const m = new RegExp(`^${PREFIX}(\\d+)-`).exec(name);
    if (m === null || pidAlive(Number(m[1]))) continue;
    try {
      ip(['netns', 'del', name]);
      removed.push(name);
    } catch {
      // somebody else removed it
    }
  }
  return removed;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The namespaces, the bridge and the links of one run; destroy() removes all of them. */
export class NetnsTopology {
  readonly hosts: NetnsHost[] = [];
  readonly bridgeNs: string;
  private readonly created: string[] = [];
  private readonly onExit = (): void => this.destroy();

  private constructor(readonly tag: string) {
    this.bridgeNs = `${PREFIX}${process.pid}-${tag}-br`;
  }

  /** Creates `count` hosts (198.18.0.1, .2, ...) on one bridge; on any failure removes what it made. */
  static create(count: number): NetnsTopology {
    if (!Number.isInteger(count) || count < 1 || count > 200)
      throw new RangeError(`hosts: 1..200, got ${count}`);
    removeStaleNamespaces();
    const t = new NetnsTopology(randomBytes(3).toString('hex'));
    process.on('exit', t.onExit);
    try {
      t.addNs(t.bridgeNs);
      ip(['-n', t.bridgeNs, 'link', 'add', 'br0', 'type', 'bridge']);
      ip(['-n', t.bridgeNs, 'link', 'set', 'br0', 'up']);
      for (let i = 0; i < count; i++) {
        const ns = `${PREFIX}${process.pid}-${t.tag}-h${i}`;
        const port = `v${i}`;
        const addr = `${SUBNET}.${i + 1}`;
        t.addNs(ns);
        // Created straight into the two namespaces: nothing appears in the caller's namespace.
        ip(['link', 'add', port, 'netns', t.bridgeNs, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
        ip(['-n', t.bridgeNs, 'link', 'set', port, 'master', 'br0']);
        ip(['-n', t.bridgeNs, 'link', 'set', port, 'up']);
        ip(['-n', ns, 'addr', 'add', `${addr}/24`, 'dev', 'eth0']);
        ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
        t.hosts.push({ ns, addr, port });
      }
    } catch (err) {
      t.destroy();
      throw err;
    }
    return t;
  }

  /** The command prefix that runs a program inside host `i`. */
  exec(i: number): string[] {
    return ['ip', 'netns', 'exec', this.host(i).ns];
  }

  /** Cuts host `i` off the bridge (its link goes down: packets are dropped, sockets are not reset). */
  cut(i: number): void {
    ip(['-n', this.bridgeNs, 'link', 'set', this.host(i).port, 'down']);
  }

  /** Reconnects host `i` to the bridge. */
  heal(i: number): void {
    ip(['-n', this.bridgeNs, 'link', 'set', this.host(i).port, 'up']);
  }

  /** Removes every namespace this topology created (their veths go with them); idempotent. */
  destroy(): void {
    for (const ns of this.created.splice(0).reverse()) {
      try {
        ip(['netns', 'del', ns]);
      } catch {
        // already gone
      }
    }
    process.off('exit', this.onExit);
  }

  /** Namespaces this topology still holds (for tests of the clean-up). */
  namespaces(): string[] {
    return [...this.created];
  }

  private host(i: number): NetnsHost {
    const h = this.hosts[i];
    if (h === undefined) throw new RangeError(`no host ${i} (have ${this.hosts.length})`);
    return h;
  }

  private addNs(ns: string): void {
    ip(['netns', 'add', ns]);
    this.created.push(ns);
    ip(['-n', ns, 'link', 'set', 'lo', 'up']);
  }
}
