// The dashboard server over real HTTP (page, SSE stream, view.json, loopback host check), the
// static report, and the `ppfm dashboard` / `ppfm inspect --html` commands.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { get, request, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeReport } from '../src/dashboard/report.js';
import { startDashboard, type DashboardServer } from '../src/dashboard/server.js';
import { DashboardSource } from '../src/dashboard/source.js';
import type { DashboardView } from '../src/dashboard/view.js';
import type { AnyLoggedEvent } from '../src/inspect/read-logs.js';
import { fixtureByPeer, P0, P3, P4, T0, TRUTH } from './dashboard-fixture.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli.js');
const lines = (events: AnyLoggedEvent[]): string =>
  events
    .map(({ unknown: _u, ...e }: AnyLoggedEvent & { unknown?: true }) => JSON.stringify(e) + '\n')
    .join('');

/** Writes every fixture peer's events up to `until` into `<dir>/<peer>.log`. */
async function writeLogs(dir: string, from: number, until: number): Promise<void> {
  for (const [peer, events] of fixtureByPeer())
    await appendFile(join(dir, `${peer}.log`), lines(events.filter((e) => e.time >= from && e.time < until)));
}

/** A Server-Sent Events reader: resolves `next(pred)` with the first view (or end) matching it. */
class SseClient {
  private buf = '';
  private readonly waiters: {
    pred: (kind: string, data: string) => boolean;
    resolve: (d: string) => void;
  }[] = [];
  readonly events: { kind: string; data: string }[] = [];
  constructor(res: IncomingMessage) {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      this.buf += chunk;
      for (let i = this.buf.indexOf('\n\n'); i >= 0; i = this.buf.indexOf('\n\n')) {
        const block = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 2);
        const kind = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (kind === undefined || data === undefined) continue;
        this.events.push({ kind, data });
        for (const w of [...this.waiters])
          if (w.pred(kind, data)) {
            this.waiters.splice(this.waiters.indexOf(w), 1);
            w.resolve(data);
          }
      }
    });
  }
  next(pred: (kind: string, data: string) => boolean): Promise<string> {
    const hit = this.events.find((e) => pred(e.kind, e.data));
    if (hit) return Promise.resolve(hit.data);
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }
  view(pred: (v: DashboardView) => boolean): Promise<DashboardView> {
    return this.next((k, d) => k === 'view' && pred(JSON.parse(d) as DashboardView)).then(
      (d) => JSON.parse(d) as DashboardView,
    );
  }
}

function http(
  url: string,
  opts: { method?: string; host?: string } = {},
): Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: opts.method ?? 'GET', headers: opts.host ? { host: opts.host } : {} },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('dashboard server', function () {
  this.timeout(30_000);
  let dir: string;
  let server: DashboardServer | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ppfm-dash-'));
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the page and pushes a new view when the logs grow, then says goodbye', async () => {
    await writeLogs(dir, -Infinity, T0 + 3000);
    const source = await DashboardSource.open({ dirs: [dir], title: 'test run' });
    server = await startDashboard({ source, port: 0, pollMs: 20, throttleMs: 10 });
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);

    const page = await http(server.url);
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-security-policy']), /script-src 'sha256-[A-Za-z0-9+/=]+'/);
    assert.match(
      page.body,
      /<script type="application\/json" id="ppfm-boot">\{"mode":"live","stream":"\/events"\}/,
    );
    assert.ok(page.body.length > 50_000, 'the bundled page is inline');

    const res = await new Promise<IncomingMessage>((resolve) => get(`${server?.url}events`, resolve));
    assert.equal(res.headers['content-type'], 'text/event-stream');
    const sse = new SseClient(res);
    const first = await sse.view(() => true);
    assert.equal(first.title, 'test run');
    assert.equal(first.clusters.find((c) => c.id === 'c1')?.head, P3);

    await writeLogs(dir, T0 + 3000, Infinity);
    const later = await sse.view((v) => v.clusters.find((c) => c.id === 'c1')?.head === P4);
    assert.equal(later.peers.find((p) => p.id === P3)?.state, 'departed');

    const json = await http(`${server.url}view.json`);
    assert.equal((JSON.parse(json.body) as DashboardView).events, later.events);
    const ended = sse.next((k) => k === 'end');
    await server.close();
    server = undefined;
    await ended;
  });

  it('answers only loopback host names, only GET and HEAD, and 404 elsewhere', async () => {
    const source = await DashboardSource.open({ dirs: [dir] });
    server = await startDashboard({ source, port: 0 });
    assert.equal((await http(server.url, { host: 'evil.example:8080' })).status, 403);
    assert.equal((await http(server.url, { host: `localhost:${server.port}` })).status, 200);
    assert.equal((await http(server.url, { method: 'POST' })).status, 405);
    assert.equal((await http(`${server.url}nope`)).status, 404);
    assert.equal((await http(server.url, { method: 'HEAD' })).body, '');
  });

  it('counts corrupt lines on the page and prints only the first few', async () => {
    await writeFile(join(dir, 'other.log'), 'not json\n'.repeat(30));
    await writeLogs(dir, -Infinity, T0 + 200);
    const warnings: string[] = [];
    const source = await DashboardSource.open({ dirs: [dir], warn: (m) => warnings.push(m) });
    await source.poll();
    const v = source.view();
    assert.equal(v.skipped, 30);
    assert.equal(v.peers.length, 6, 'the good files still count');
    assert.equal(warnings.length, 21);
    assert.match(warnings[0] ?? '', /other\.log:1: not valid JSON/);
  });

  it('writes a self-contained report whose embedded data cannot break out of its script', async () => {
    await mkdir(join(dir, 'logs'));
    await mkdir(join(dir, 'data'));
    await writeFile(join(dir, 'data', 'truth.json'), JSON.stringify({ peers: Object.fromEntries(TRUTH) }));
    await writeFile(join(dir, 'summary.json'), JSON.stringify({ localAcc: 0.61 }));
    await writeLogs(join(dir, 'logs'), -Infinity, Infinity);
    const hostile = { level: 30, time: T0 + 9, peer: P0, event: 'message_rejected', topic: 't', from: P4 };
    await appendFile(
      join(dir, 'logs', `${P0}.log`),
      JSON.stringify({ ...hostile, reason: '</script><script>alert(1)</script>' }) + '\n',
    );
    const out = join(dir, 'report.html');
    const view = await writeReport([join(dir, 'logs')], out);
    assert.equal(view.baseline, 0.61, 'baseline from summary.json next to the logs');
    assert.deepEqual(view.truth, { groups: 2, matches: true }, 'truth from data/truth.json');
    const html = await readFile(out, 'utf8');
    assert.equal(html.match(/<\/script>/g)?.length, 2, 'only the two script elements close');
    const boot = /<script type="application\/json" id="ppfm-boot">(.*)<\/script>/.exec(html)?.[1] ?? '';
    const parsed = JSON.parse(boot) as { mode: string; view: DashboardView };
    assert.equal(parsed.mode, 'static');
    assert.ok(parsed.view.rejections.some((r) => r.reason.startsWith('</script>')));
    assert.doesNotMatch(html, /src="http|href="http/, 'nothing is loaded from the network');
  });
});

function ppfm(args: string[]): {
  child: ReturnType<typeof spawn>;
  out: Promise<{ code: number | null; stdout: string; stderr: string }>;
} {
  const child = spawn(process.execPath, [CLI, ...args]);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const out = once(child, 'close').then(([code]) => ({ code: code as number | null, stdout, stderr }));
  return { child, out };
}

describe('ppfm dashboard and ppfm inspect --html', function () {
  this.timeout(30_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ppfm-dash-cli-'));
    await writeLogs(dir, -Infinity, Infinity);
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('serves a log directory until SIGTERM and rejects bad arguments', async () => {
    const run = ppfm(['dashboard', dir, '--port', '0']);
    const url = await new Promise<string>((resolve) => {
      let seen = '';
      run.child.stdout?.on('data', (d: Buffer) => {
        seen += d.toString();
        const m = /dashboard: (http:\/\/\S+)/.exec(seen);
        if (m?.[1] !== undefined) resolve(m[1]);
      });
    });
    const v = JSON.parse((await http(`${url}view.json`)).body) as DashboardView;
    assert.equal(v.clusters.length, 2);
    run.child.kill('SIGTERM');
    assert.equal((await run.out).code, 0);

    const [missing, badPort, badTruth] = await Promise.all([
      ppfm(['dashboard', join(dir, 'nope')]).out,
      ppfm(['dashboard', dir, '--port', 'x']).out,
      ppfm(['dashboard', dir, '--truth', join(dir, 'none.json')]).out,
    ]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /log directory .*nope does not exist/);
    assert.equal(badPort.code, 2);
    assert.match(badPort.stderr, /--port/);
    assert.equal(badTruth.code, 2);
    assert.match(badTruth.stderr, /--truth: .*none\.json: no such truth file/);
  });

  it('writes the HTML report with inspect --html', async () => {
    const out = join(dir, 'r.html');
    const r = await ppfm(['inspect', dir, '--json', '--html', out]).out;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      (JSON.parse(r.stdout) as { clusters: unknown[] }).clusters.length,
      2,
      'stdout keeps its JSON',
    );
    assert.match(r.stderr, /wrote .*r\.html \(6 peers, 2 clusters\)/);
    assert.match(await readFile(out, 'utf8'), /"mode":"static"/);
  });
});
