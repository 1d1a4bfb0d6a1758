/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// End-to-end: a real 6-peer testnet with `--dashboard`, watched by headless Debian chromium
// (playwright-core). The page must show the two clusters of the truth with a head each; when
// the testnet SIGKILLs a head its node turns grey and a new head appears; at the end the page
// keeps the final state and report.html renders the same run from disk. Screenshots go to
// $PPFM_ARTIFACTS (default <repo>/artifacts) and, when missing or with
// PPFM_UPDATE_SCREENSHOT=1, to docs/dashboard.png.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { DEFAULTS, parseTestnetArgs } from '../src/testnet/options.js';
import { runTestnet, type RunResult } from '../src/testnet/run.js';
import { formatSummary } from '../src/testnet/summary.js';

const CHROMIUM = '/usr/bin/chromium';
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const ARTIFACTS = process.env.PPFM_ARTIFACTS ?? join(REPO, 'artifacts');
const DOCS_PNG = join(REPO, 'docs', 'dashboard.png');

/** What the page shows, read from its data attributes. */
interface PageState {
  status: string;
  clusters: { id: string; head: string; headState: string }[];
  nodes: { peer: string; state: string; role: string; fill: string }[];
}

function readState(page: Page): Promise<PageState> {
  return page.evaluate(() => ({
    status: document.body.dataset.status ?? '',
    clusters: [...document.querySelectorAll<HTMLElement>('section.cluster')].map((el) => ({
      id: el.dataset.cluster ?? '',
      head: el.dataset.head ?? '',
      headState: el.dataset.headState ?? '',
    })),
    nodes: [...document.querySelectorAll<SVGGElement>('g.node')].map((g) => ({
      peer: g.dataset.peer ?? '',
      state: g.dataset.state ?? '',
      role: g.dataset.role ?? '',
      fill: g.querySelector('path')?.getAttribute('fill') ?? '',
    })),
  }));
}

describe('testnet --dashboard option', () => {
  it('takes an optional port', () => {
    const port = (argv: string[]): number | undefined => {
      const r = parseTestnetArgs(argv);
      return r.kind === 'run' ? r.options.dashboard : undefined;
    };
    assert.equal(port([]), undefined);
    assert.equal(port(['--dashboard']), 8080);
    assert.equal(port(['--dashboard', '9000', '--peers', '4']), 9000);
    assert.equal(port(['--dashboard', '--peers', '4']), 8080);
    assert.equal(port(['--dashboard=0']), 0);
    const bad = parseTestnetArgs(['--dashboard=70000']);
    assert.equal(bad.kind, 'error');
    if (bad.kind === 'error') assert.match(bad.message, /--dashboard takes a port/);
  });
});

describe('dashboard end to end (6 real peers in headless chromium, a head killed)', function () {
  this.timeout(480_000);
  let out: string;
  let profile: string;
  let context: BrowserContext | undefined;
  let run: Promise<RunResult> | undefined;
  let result: RunResult | undefined;

  before(function () {
    if (!existsSync(CHROMIUM)) {
      if (process.env.CI === 'true')
        throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium`);
      process.stderr.write(
        `  skipping the browser test: ${CHROMIUM} is missing (apt-get install chromium)\n`,
      );
      this.skip();
    }
  });

  after(async () => {
    await context?.close();
    // Never leave peers behind, even when an assertion failed mid-run.
    result ??= await run?.catch(() => undefined);
    if (profile !== undefined) await rm(profile, { recursive: true, force: true });
    if (result?.summary.ok === true && out !== undefined) await rm(out, { recursive: true, force: true });
    else if (out !== undefined) process.stderr.write(`  run directory kept: ${out}\n`);
  });

  it('shows the clusters and heads, greys a killed head, shows its successor, and the report', async () => {
    out = await mkdtemp(join(tmpdir(), 'ppfm-dash-e2e-'));
    profile = await mkdtemp(join(tmpdir(), 'ppfm-chromium-'));
    let onUrl: (url: string) => void = () => undefined;
    const url = new Promise<string>((r) => (onUrl = r));
    run = runTestnet(
      {
        ...DEFAULTS,
        peers: 6,
        partition: 'rotate:2',
        rounds: 5,
        seed: 1,
        maxSamples: 3000,
        killHeadAtRound: 2,
        out,
        timeoutSeconds: 300,
        dashboard: 0,
      },
      {
        progress: process.env.PPFM_E2E_VERBOSE === '1' ? 'plain' : 'none',
        baseline: true,
        onDashboard: onUrl,
      },
    );
    // A failing run must fail the test at once, not leave it waiting on the page.
    const failed = run.then(
      () => new Promise<never>(() => undefined),
      (err: unknown) => Promise.reject(err),
    );
    const live = await Promise.race([url, failed]);
    assert.match(live, /^http:\/\/127\.0\.0\.1:\d+\/$/);

    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
      viewport: { width: 1400, height: 1000 },
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => void (m.type() === 'error' && problems.push(`console: ${m.text()}`)));
    page.on('request', (r) => void (r.url().startsWith(live) || problems.push(`fetched ${r.url()}`)));
    await page.goto(live);

    // Two clusters (the truth has two groups), each with a live head, all six peers drawn.
    await Promise.race([
      page.waitForFunction(
        () => {
          const cards = [...document.querySelectorAll<HTMLElement>('section.cluster')];
          return (
            document.querySelectorAll('g.node').length === 6 &&
            cards.length === 2 &&
            cards.every((c) => c.dataset.head !== '' && c.dataset.headState === 'live')
          );
        },
        undefined,
        { timeout: 240_000 },
      ),
      failed,
    ]);
    const before = await readState(page);
    const heads = before.clusters.map((c) => c.head);
    assert.equal(new Set(heads).size, 2);
    for (const h of heads) assert.equal(before.nodes.find((n) => n.peer === h)?.role, 'head');

    // The testnet kills one of them when its round 2 opens: it turns grey, a new head appears.
    await Promise.race([
      page.waitForFunction(
        (old) => {
          const gone = old.find(
            (h) =>
              document.querySelector<SVGGElement>(`g.node[data-peer="${h}"]`)?.dataset.state === 'departed',
          );
          const cards = [...document.querySelectorAll<HTMLElement>('section.cluster')];
          return (
            gone !== undefined &&
            cards.length === 2 &&
            cards.every(
              (c) => c.dataset.headState === 'live' && c.dataset.head !== gone && c.dataset.head !== '',
            )
          );
        },
        heads,
        { timeout: 240_000 },
      ),
      failed,
    ]);
    const after = await readState(page);
    const killed = after.nodes.find((n) => n.state === 'departed');
    assert.ok(killed && heads.includes(killed.peer), 'the departed peer was a head');
    assert.equal(killed.fill, '#c4c4c4', 'drawn grey');
    const newHeads = after.clusters.map((c) => c.head);
    assert.ok(
      newHeads.some((h) => !heads.includes(h)),
      `a new head: ${heads} -> ${newHeads}`,
    );
    assert.equal(
      await page.locator(`#peers tr[data-peer="${killed.peer}"]`).getAttribute('data-state'),
      'departed',
    );

    result = await run;
    if (!result.summary.ok) process.stderr.write(formatSummary(result.summary) + '\n');
    assert.equal(result.kill?.peer, killed.peer, 'the page greyed the peer the testnet killed');
    // The run is over: the page keeps its final picture, with the local-only baseline.
    await page.waitForFunction(() => document.body.dataset.status === 'ended', undefined, {
      timeout: 30_000,
    });
    const final = await readState(page);
    assert.equal(final.clusters.length, 2);
    await mkdir(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    if (!existsSync(DOCS_PNG) || process.env.PPFM_UPDATE_SCREENSHOT === '1') {
      await mkdir(dirname(DOCS_PNG), { recursive: true });
      await copyFile(shot, DOCS_PNG);
    }

    // report.html: the same page from disk, with nothing to fetch.
    assert.equal(result.report, join(out, 'report.html'));
    const report = await context.newPage();
    report.on('pageerror', (e) => problems.push(`report error: ${e.message}`));
    report.on(
      'request',
      (r) => void (r.url().startsWith('file:') || problems.push(`report fetched ${r.url()}`)),
    );
    await report.goto(pathToFileURL(result.report).href);
    await report.waitForFunction(() => document.body.dataset.updates === '1', undefined, { timeout: 30_000 });
    const rs = await readState(report);
    assert.equal(rs.status, 'static');
    assert.equal(rs.clusters.length, 2);
    assert.equal(rs.nodes.find((n) => n.peer === killed.peer)?.state, 'departed');
    await report.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
    assert.deepEqual(problems, []);
  });
});
