import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { PeerEvent } from '../src/testnet/events.js';
import { parseSlow, pickSlow, SlowFault, StragglerWatch, Throttler } from '../src/testnet/slow.js';

/** CPU seconds (user + system) of a live process, from /proc. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

describe('testnet --slow', () => {
  it('parses K and K:SHARE, and names what is wrong', () => {
    assert.deepEqual(parseSlow('2', 8), { peers: 2, share: 0.1 });
    assert.deepEqual(parseSlow('1:0.25', 8), { peers: 1, share: 0.25 });
    assert.match(parseSlow('7', 8) as string, /between 1 and 6/);
    assert.match(parseSlow('1:1.5', 8) as string, /SHARE must be in \(0, 1\)/);
    assert.match(parseSlow('x', 8) as string, /K or K:SHARE/);
  });

  it('picks seeded members whatever order they were learnt in', () => {
    const plan = pickSlow(['d', 'b', 'c', 'a'], 2, 1);
    assert.equal(plan.length, 2);
    assert.deepEqual(pickSlow(['a', 'b', 'c', 'd'], 2, 1), plan);
  });

  it('slows members chosen at the first round, never a head, and fails a round held past the deadline', () => {
    const notes: string[] = [];
    const fault = new SlowFault({ peers: 1, share: 0.5 }, 1, {
      pidOf: () => undefined,
      note: (l) => notes.push(l),
    });
    const t = 5_000_000;
    fault.onEvent({
      event: 'cluster_assigned',
      time: t,
      peer: 'H',
      cluster: 'c0',
      members: ['H', 'M'],
      head: 'H',
    });
    fault.onEvent({
      event: 'cluster_assigned',
      time: t,
      peer: 'M',
      cluster: 'c0',
      members: ['H', 'M'],
      head: 'H',
    });
    fault.onEvent({
      event: 'round_opened',
      time: t + 1000,
      peer: 'H',
      cluster: 'c0',
      round: 1,
      term: 1,
      head: 'H',
    });
    assert.deepEqual(fault.report.slow, ['M']);
    assert.match(notes[0] ?? '', /1 member\(s\) run at 50 % CPU from round 1/);
    assert.deepEqual(fault.failures(), []);
    fault.onEvent({
      event: 'round_closed',
      time: t + 50_000,
      peer: 'H',
      cluster: 'c0',
      round: 1,
      updates: 1,
    });
    assert.match(fault.failures()[0] ?? '', /lasted 49.0 s/);
    fault.close();
  });

  it('holds a busy process to about its share of the CPU, and lets it run when closed', async function () {
    if (process.platform !== 'linux') this.skip();
    this.timeout(30_000);
    const child = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
    const pid = child.pid as number;
    const exited = new Promise((r) => child.once('exit', r));
    const throttler = new Throttler(0.1);
    try {
      throttler.add(pid);
      const c0 = await cpuSeconds(pid);
      const t0 = Date.now();
      // The measurement window itself (no event marks "enough CPU time has passed").
      await new Promise((r) => setTimeout(r, 3000));
      const used = (await cpuSeconds(pid)) - c0;
      const wall = (Date.now() - t0) / 1000;
      // 10 % of the period plus scheduling slack; unthrottled it would be close to 100 %.
      assert.ok(used / wall < 0.3, `throttled process used ${((100 * used) / wall).toFixed(0)} % of a core`);
      throttler.close();
      // Running again: a stopped process would never get this far.
      const c1 = await cpuSeconds(pid);
      await new Promise((r) => setTimeout(r, 1000));
      assert.ok((await cpuSeconds(pid)) > c1, 'the process runs again after close()');
    } finally {
      throttler.close();
      child.kill('SIGKILL');
      await exited;
    }
  });

  it('reports rounds that closed without a slow member and its refused late pushes', () => {
    const slow = new Set(['S']);
    const w = new StragglerWatch(() => slow);
    const t = 1_000_000;
    const ev: PeerEvent[] = [
      { event: 'cluster_assigned', time: t, peer: 'S', cluster: 'c0', members: ['H', 'A', 'S'] },
      { event: 'round_opened', time: t + 1000, peer: 'H', cluster: 'c0', round: 1, term: 1, head: 'H' },
      { event: 'update_received', time: t + 2000, peer: 'H', cluster: 'c0', round: 1, from: 'A' },
      { event: 'round_closed', time: t + 6000, peer: 'H', cluster: 'c0', round: 1, updates: 1 },
      {
        event: 'other',
        time: t + 9000,
        peer: 'S',
        name: 'notice',
        raw: {
          code: 'push_refused',
          message: 'round 1: head refused the update: stale_round: got 1, open 2',
        },
      },
      { event: 'round_opened', time: t + 7000, peer: 'H', cluster: 'c0', round: 2, term: 1, head: 'H' },
      { event: 'update_received', time: t + 8000, peer: 'H', cluster: 'c0', round: 2, from: 'S' },
      { event: 'round_closed', time: t + 9000, peer: 'H', cluster: 'c0', round: 2, updates: 1 },
    ];
    for (const e of ev) w.onEvent(e);
    assert.deepEqual(w.report, {
      slow: ['S'],
      accepted: 1,
      refusedLate: 1,
      rounds: 2,
      longestRoundSeconds: 5,
      closedWithout: 1,
    });
  });
});
