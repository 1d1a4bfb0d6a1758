/**
 * The `/metrics` endpoint of `ppfm start --metrics ADDR` (node:http): Prometheus text from one
 * registry. The address defaults to loopback; binding another one is the user's explicit choice.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface MetricsAddress {
  host: string;
  port: number;
}

export interface MetricsServer {
  /** `http://host:port/metrics`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Parses `PORT`, `HOST:PORT` or `[IPv6]:PORT` (host default 127.0.0.1); throws a one-line message. */
export function parseMetricsAddress(value: string): MetricsAddress {
  const m = /^(?:\[([^\]]+)\]:|([^:[\]]+):)?(\d{1,5})$/.exec(value.trim());
  const port = Number(m?.[3]);
  if (m === null || port > 65535)
    throw new Error(`expected PORT, HOST:PORT or [IPv6]:PORT (port 0..65535), got '${value}'`);
  return { host: m[1] ?? m[2] ?? '127.0.0.1', port };
}

/** Serves `registry` at /metrics on `addr`. */
export async function serveMetrics(registry: Registry, addr: MetricsAddress): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    } else if (path === '/metrics') {
      registry
        .metrics()
        .then((text) => {
          res.writeHead(200, { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' });
          res.end(req.method === 'HEAD' ? undefined : text);
        })
        .catch((err: unknown) => {
          res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`${(err as Error).message}\n`);
        });
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found: metrics are at /metrics\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(addr.port, addr.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = addr.host.includes(':') ? `[${addr.host}]` : addr.host;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
