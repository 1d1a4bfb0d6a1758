// The incremental log follower shared by the dashboard and the testnet.
import assert from 'node:assert/strict';
import { appendFile, mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPeerLogName, LogFollower } from '../src/dashboard/follow.js';

interface Seen {
  line: string;
  file: string;
  lineNo: number;
}

describe('dashboard log follower', () => {
  let dir: string;
  let seen: Seen[];
  const collect = (line: string, file: string, lineNo: number): void =>
    void seen.push({ line, file, lineNo });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ppfm-follow-'));
    seen = [];
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('delivers appended lines once, holds a partial line until its newline, and finds new files', async () => {
    const f = new LogFollower(dir, collect);
    assert.equal(await f.poll(), 0, 'an empty directory');
    await writeFile(join(dir, 'a.log'), '{"n":1}\n{"n":');
    assert.equal(await f.poll(), 1);
    assert.equal(await f.poll(), 0, 'nothing is read twice');
    await appendFile(join(dir, 'a.log'), '2}\n\n{"n":3}\n');
    await writeFile(join(dir, 'b.jsonl'), '{"b":1}\n');
    assert.equal(await f.poll(), 3, 'blank lines are skipped');
    assert.deepEqual(
      seen.map((s) => [s.line, s.lineNo]),
      [
        ['{"n":1}', 1],
        ['{"n":2}', 2],
        ['{"n":3}', 4],
        ['{"b":1}', 1],
      ],
    );
    assert.equal(seen[3]?.file, join(dir, 'b.jsonl'));
  });

  it('reads *.log and *.jsonl in the directories given and one level down, nothing else', async () => {
    const other = await mkdtemp(join(tmpdir(), 'ppfm-follow2-'));
    try {
      await mkdir(join(dir, 'logs'));
      await writeFile(join(dir, 'logs', 'p.log'), 'sub\n');
      await writeFile(join(dir, 'peer-00.stderr'), 'stderr\n');
      await writeFile(join(dir, '.hidden.log'), 'hidden\n');
      await writeFile(join(other, 'q.jsonl'), 'other\n');
      const f = new LogFollower([dir, other], collect);
      assert.equal(await f.poll(), 2);
      assert.deepEqual(seen.map((s) => s.line).sort(), ['other', 'sub']);
      assert.equal(isPeerLogName('x.log'), true);
      assert.equal(isPeerLogName('x.stderr'), false);
      const flat = new LogFollower(dir, collect, { subdirs: false, accept: (n) => !n.startsWith('.') });
      seen = [];
      await flat.poll();
      assert.deepEqual(
        seen.map((s) => s.line),
        ['stderr'],
      );
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('starts a truncated file again from the top', async () => {
    const f = new LogFollower(dir, collect);
    await writeFile(join(dir, 'a.log'), 'one\ntwo\n');
    await f.poll();
    await truncate(join(dir, 'a.log'), 0);
    await appendFile(join(dir, 'a.log'), 'new\n');
    await f.poll();
    assert.deepEqual(
      seen.map((s) => [s.line, s.lineNo]),
      [
        ['one', 1],
        ['two', 2],
        ['new', 1],
      ],
    );
  });

  it('keeps a multi-byte character split across reads, and long files intact across chunks', async () => {
    const f = new LogFollower(dir, collect);
    const bytes = Buffer.from('{"reason":"über"}\n');
    const cut = bytes.indexOf(0xc3) + 1; // inside the two-byte ü
    await writeFile(join(dir, 'a.log'), bytes.subarray(0, cut));
    await f.poll();
    await appendFile(join(dir, 'a.log'), bytes.subarray(cut));
    await f.poll();
    assert.equal(seen[0]?.line, '{"reason":"über"}');
    // 3 MiB of lines with multi-byte text: reads happen in 1 MiB chunks.
    const line = `{"x":"${'é'.repeat(300)}"}`;
    const n = Math.ceil((3 << 20) / Buffer.byteLength(line + '\n'));
    await writeFile(join(dir, 'big.log'), `${line}\n`.repeat(n));
    seen = [];
    assert.equal(await f.poll(), n);
    assert.ok(seen.every((s) => s.line === line));
  });

  it('polls on an interval until stopped, with a final read at stop', async () => {
    const f = new LogFollower(dir, collect);
    const polled = new Promise<number>((resolve) => f.start(20, resolve));
    await writeFile(join(dir, 'a.log'), 'x\n');
    assert.equal(await polled, 1);
    await appendFile(join(dir, 'a.log'), 'y\n');
    await f.stop();
    assert.deepEqual(
      seen.map((s) => s.line),
      ['x', 'y'],
    );
  });
});
