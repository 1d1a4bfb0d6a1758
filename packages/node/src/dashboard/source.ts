/**
 * The dashboard's data: follows the peers' log directories, validates each line with the log
 * schema, folds the events and builds page views on demand, with the truth groups and the
 * local-only baseline found next to the logs (or given).
 */
import { parseLogLine } from '../log/schema.js';
import { LogFollower } from './follow.js';
import { DashboardFold } from './fold.js';
import { findRunFiles, readBaseline, readTruthFile, type TruthMap } from './run-files.js';
import { buildView } from './snapshot.js';
import type { DashboardView } from './view.js';

export interface DashboardSourceOptions {
  /** Log directories (each with `*.log` / `*.jsonl` files, or sub-directories holding them). */
  dirs: string[];
  /** truth.json to use; default: `data/truth.json` of the run around the logs, when there is one. */
  truth?: string;
  /** Local-only baseline; default: `localAcc` of the run's summary.json once it exists. */
  baseline?: number;
  title?: string;
  /** Warnings (corrupt lines, an unreadable auto-detected truth file); default: dropped. */
  warn?: (message: string) => void;
}

/** Corrupt lines reported one by one before the rest are only counted. */
const MAX_WARNINGS = 20;

/** How often a missing baseline is looked for again (a testnet writes summary.json at its end). */
const BASELINE_RECHECK_MS = 5000;

/** Follows logs into a fold and renders views of it. */
export class DashboardSource {
  readonly fold = new DashboardFold();
  private readonly follower: LogFollower;
  private truth: TruthMap | undefined;
  private baseline: number | null;
  private baselineCheckedAt = 0;
  private skipped = 0;
  private changes = 0;
  private timer: NodeJS.Timeout | undefined;

  private constructor(private readonly opts: DashboardSourceOptions) {
    this.baseline = opts.baseline ?? null;
    this.follower = new LogFollower(opts.dirs, (line, file, lineNo) => {
      const r = parseLogLine(line, file, lineNo);
      if (r.ok) this.fold.apply(r.event);
      else {
        this.skipped++;
        // A directory holding some other program's *.log would flood the terminal: say it a few times.
        if (this.skipped <= MAX_WARNINGS) opts.warn?.(`skipped corrupt line ${r.error}`);
        if (this.skipped === MAX_WARNINGS)
          opts.warn?.('further corrupt lines are counted on the page, not printed');
      }
      this.changes++;
    });
  }

  /** Creates a source and loads the truth groups (an explicit truth file that cannot be read is an error). */
  static async open(opts: DashboardSourceOptions): Promise<DashboardSource> {
    const src = new DashboardSource(opts);
    const found = findRunFiles(opts.dirs);
    if (opts.truth !== undefined) src.truth = await readTruthFile(opts.truth);
    else if (found.truth !== undefined) {
      src.truth = await readTruthFile(found.truth).catch((err: unknown) => {
        opts.warn?.(`ignoring ${found.truth}: ${(err as Error).message}`);
        return undefined;
      });
    }
    await src.refreshBaseline();
    return src;
  }

  /** A counter that grows whenever the data changed (new lines, a new baseline). */
  get version(): number {
    return this.changes;
  }

  /** Reads what the logs gained since the last poll; returns the number of lines read. */
  async poll(): Promise<number> {
    const n = await this.follower.poll();
    if (this.baseline === null && Date.now() - this.baselineCheckedAt >= BASELINE_RECHECK_MS)
      await this.refreshBaseline();
    return n;
  }

  /** Polls every `intervalMs` and calls `onChange` after polls that changed something. */
  start(intervalMs: number, onChange: () => void): void {
    if (this.timer) return;
    let busy = false;
    this.timer = setInterval(() => {
      if (busy) return;
      busy = true;
      const before = this.changes;
      void this.poll()
        .catch((err: unknown) => this.opts.warn?.(`reading logs failed: ${(err as Error).message}`))
        .finally(() => {
          busy = false;
          if (this.changes !== before) onChange();
        });
    }, intervalMs);
  }

  /** Stops polling after one last read. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.follower.stop();
  }

  /** Sets the local-only baseline (the testnet knows it at the end of a run). */
  setBaseline(acc: number | null): void {
    if (acc === this.baseline) return;
    this.baseline = acc;
    this.changes++;
  }

  /** The page model now. */
  view(now = Date.now()): DashboardView {
    return buildView(this.fold, {
      now,
      title: this.opts.title ?? this.opts.dirs.join(', '),
      ...(this.truth !== undefined ? { truth: this.truth } : {}),
      baseline: this.baseline,
      skipped: this.skipped,
    });
  }

  private async refreshBaseline(): Promise<void> {
    this.baselineCheckedAt = Date.now();
    if (this.baseline !== null) return;
    const summary = findRunFiles(this.opts.dirs).summary;
    if (summary !== undefined) this.setBaseline(await readBaseline(summary));
  }
}
