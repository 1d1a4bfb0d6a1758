/**
 * The static report: the dashboard page with the final view embedded, one self-contained HTML
 * file (inline script, styles and data) that opens from disk with no server and no network.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AnyLoggedEvent } from '../inspect/read-logs.js';
import { DashboardFold } from './fold.js';
import { renderPage } from './html.js';
import { findRunFiles, readBaseline, readTruthFile, type TruthMap } from './run-files.js';
import { buildView } from './snapshot.js';
import { DashboardSource } from './source.js';
import type { DashboardView } from './view.js';

export interface ReportOptions {
  title?: string;
  /** truth.json; default: the one found next to the logs. */
  truth?: string;
  /** Local-only baseline; default: `localAcc` of a summary.json next to the logs. */
  baseline?: number;
}

/** The report of already-read events (e.g. `ppfm inspect --html`). */
export async function reportFromEvents(
  events: readonly AnyLoggedEvent[],
  logDirs: readonly string[],
  opts: ReportOptions & { skipped?: number } = {},
): Promise<{ html: string; view: DashboardView }> {
  const fold = new DashboardFold();
  for (const e of events) fold.apply(e);
  const found = findRunFiles(logDirs);
  const truthFile = opts.truth ?? found.truth;
  const truth: TruthMap | undefined = truthFile !== undefined ? await readTruthFile(truthFile) : undefined;
  const baseline = opts.baseline ?? (found.summary !== undefined ? await readBaseline(found.summary) : null);
  const view = buildView(fold, {
    now: fold.lastAt ?? Date.now(),
    title: opts.title ?? logDirs.join(', '),
    ...(truth !== undefined ? { truth } : {}),
    baseline,
    skipped: opts.skipped ?? 0,
  });
  return { html: renderPage({ mode: 'static', view }, view.title), view };
}

/** Reads every log under `logDirs` and writes the report to `out` (the testnet's report.html). */
export async function writeReport(
  logDirs: string[],
  out: string,
  opts: ReportOptions & { warn?: (message: string) => void } = {},
): Promise<DashboardView> {
  const source = await DashboardSource.open({ dirs: logDirs, ...opts });
  await source.poll();
  const view = source.view(source.fold.lastAt ?? Date.now());
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, renderPage({ mode: 'static', view }, view.title));
  return view;
}
