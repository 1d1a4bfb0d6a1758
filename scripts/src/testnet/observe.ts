/**
 * What a person sees of a run besides the terminal: the live dashboard (`--dashboard [port]`,
 * @ppfm/node's server over the run's log directory) and, at the end of every run, `report.html`,
 * the same page with the final state embedded, openable from disk.
 */
import { join } from 'node:path';
import { DashboardSource, startDashboard, writeReport, type DashboardServer } from '@ppfm/node';

export interface RunObserverOptions {
  logDir: string;
  truthPath: string;
  title: string;
  /** Serve the live dashboard on this port of 127.0.0.1 (0: a free one); undefined: no dashboard. */
  port?: number;
  log: (line: string) => void;
}

/** The live dashboard of a run (if asked for) and its final report. */
export class RunObserver {
  private constructor(
    private readonly opts: RunObserverOptions,
    private readonly source: DashboardSource | undefined,
    private readonly server: DashboardServer | undefined,
  ) {}

  /** Starts the dashboard when `opts.port` is set. */
  static async start(opts: RunObserverOptions): Promise<RunObserver> {
    if (opts.port === undefined) return new RunObserver(opts, undefined, undefined);
    const source = await DashboardSource.open({
      dirs: [opts.logDir],
      truth: opts.truthPath,
      title: opts.title,
      warn: (m) => opts.log(`dashboard: ${m}`),
    });
    const server = await startDashboard({ source, port: opts.port });
    opts.log(`dashboard: ${server.url}`);
    return new RunObserver(opts, source, server);
  }

  /** The live dashboard's address, when there is one. */
  get url(): string | undefined {
    return this.server?.url;
  }

  /** Writes `<outDir>/report.html`, shows the final state (with the baseline) on the live page and closes it. */
  async finish(outDir: string, localAcc: number | null): Promise<string> {
    const file = join(outDir, 'report.html');
    try {
      await writeReport([this.opts.logDir], file, {
        truth: this.opts.truthPath,
        title: this.opts.title,
        ...(localAcc !== null ? { baseline: localAcc } : {}),
      });
    } finally {
      this.source?.setBaseline(localAcc);
      await this.server?.refresh();
      await this.server?.close();
    }
    return file;
  }

  /** Closes the live dashboard without a report (a run that failed to start). */
  async close(): Promise<void> {
    await this.server?.close();
  }
}
