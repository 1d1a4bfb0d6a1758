/**
 * The dashboard's HTTP server (node:http, read-only): `/` the page, `/events` the page model as
 * Server-Sent Events (a full view on connect, then after every change, at most every throttleMs),
 * `/view.json` the current view. Loopback by default; on a loopback address requests must name a
 * loopback host, so a web page elsewhere cannot read the run through DNS rebinding.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pageCsp, renderPage } from './html.js';
import { hostName, isLoopback } from './loopback.js';
import type { DashboardSource } from './source.js';

export interface DashboardServerOptions {
  source: DashboardSource;
  /** Address to bind (default 127.0.0.1). Anything else exposes the run's information read-only. */
  host?: string;
  /** Port (default 8080; 0 picks a free one). */
  port?: number;
  /** Log polling period (default 250 ms). */
  pollMs?: number;
  /** Minimum time between two pushed views (default 300 ms; more when views take long to build). */
  throttleMs?: number;
}

export interface DashboardServer {
  /** `http://host:port/` as a browser should open it. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Reads the logs now and pushes a view to every page if anything changed. */
  refresh(): Promise<void>;
  /** Tells the pages the run is over (they keep the last view), stops following and closes. */
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

/** Starts the dashboard server; the source is polled until close(). */
export async function startDashboard(opts: DashboardServerOptions): Promise<DashboardServer> {
  const source = opts.source;
  const host = opts.host ?? '127.0.0.1';
  const loopbackOnly = isLoopback(host);
  const throttleMs = opts.throttleMs ?? 300;
  const clients = new Set<ServerResponse>();
  let lastPush = 0;
  // Large networks make large views: space pushes by at least 10x the time a view takes to build.
  let interval = throttleMs;
  let pushedVersion = -1;
  let pending: NodeJS.Timeout | undefined;
  const page = renderPage({ mode: 'live', stream: '/events' }, source.view().title);
  const csp = pageCsp();

  const frame = (): string => `event: view\ndata: ${JSON.stringify(source.view())}\n\n`;
  const push = (): void => {
    pending = undefined;
    lastPush = Date.now();
    pushedVersion = source.version;
    if (clients.size === 0) return;
    const t0 = performance.now();
    const f = frame();
    interval = Math.max(throttleMs, 10 * (performance.now() - t0));
    for (const c of clients) c.write(f);
  };
  const schedule = (): void => {
    if (pending !== undefined || source.version === pushedVersion) return;
    const wait = interval - (Date.now() - lastPush);
    if (wait <= 0) push();
    else pending = setTimeout(push, wait);
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    if (loopbackOnly && !isLoopback(hostName(req.headers.host))) {
      res.writeHead(403, { 'Content-Type': 'text/plain', ...SECURITY_HEADERS }).end('host not allowed\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', ...SECURITY_HEADERS }).end();
      return;
    }
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Security-Policy': csp,
        ...SECURITY_HEADERS,
      });
      res.end(req.method === 'HEAD' ? undefined : page);
    } else if (path === '/view.json') {
      res.writeHead(200, { 'Content-Type': 'application/json', ...SECURITY_HEADERS });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify(source.view()));
    } else if (path === '/events') {
      res.writeHead(200, {
        'Content-Type': 'text/event-stream',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
        ...SECURITY_HEADERS,
      });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      res.write(`retry: 2000\n\n${frame()}`);
      clients.add(res);
      req.on('close', () => clients.delete(res));
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain', ...SECURITY_HEADERS }).end('not found\n');
    }
  };

  // The first page shows what the logs already hold, not an empty network.
  await source.poll();
  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 8080, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  // Comments keep idle connections (and proxies) from timing out.
  const heartbeat = setInterval(() => {
    for (const c of clients) c.write(': ping\n\n');
  }, 15_000);
  heartbeat.unref();
  source.start(opts.pollMs ?? 250, schedule);
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  let closing: Promise<void> | undefined;

  return {
    url: `http://${urlHost}:${port}/`,
    host,
    port,
    async refresh() {
      await source.poll();
      if (source.version !== pushedVersion) {
        if (pending !== undefined) clearTimeout(pending);
        push();
      }
    },
    close() {
      closing ??= (async () => {
        clearInterval(heartbeat);
        await source.stop();
        if (pending !== undefined) clearTimeout(pending);
        if (source.version !== pushedVersion) push();
        for (const c of clients) c.end('event: end\ndata: {}\n\n');
        clients.clear();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}
