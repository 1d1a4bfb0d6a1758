/**
 * The dashboard page as one self-contained HTML document: the skeleton, the bundled script and
 * styles inline (built by build/bundle-page.mjs), and a boot object saying whether to follow the
 * server's event stream (live) or to draw an embedded view (a static report openable from disk).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { DashboardView } from './view.js';

/** How the page starts: follow an SSE stream, or draw a view embedded in the file. */
export type PageBoot = { mode: 'live'; stream: string } | { mode: 'static'; view: DashboardView };

interface Assets {
  js: string;
  css: string;
  /** CSP source for the inline script. */
  scriptHash: string;
}

let cached: Assets | undefined;

function loadAssets(): Assets {
  if (cached !== undefined) return cached;
  const dir = new URL('./assets/', import.meta.url);
  let js: string;
  let css: string;
  try {
    // `</script` inside the bundle would end the inline script early.
    js = readFileSync(new URL('page.js', dir), 'utf8').replace(/<\/script/gi, '<\\/script');
    css = readFileSync(new URL('page.css', dir), 'utf8').replace(/<\/style/gi, '<\\/style');
  } catch {
    throw new Error(
      `the dashboard page is not built (${dir.pathname}page.js is missing): run \`npm run build\``,
    );
  }
  const scriptHash = `'sha256-${createHash('sha256').update(js).digest('base64')}'`;
  cached = { js, css, scriptHash };
  return cached;
}

/** JSON safe inside a <script> element: no `<` (so no `</script>`), no JS-hostile line separators. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The Content-Security-Policy of the page: its own inline script only, no fetches but the event stream. */
export function pageCsp(): string {
  const { scriptHash } = loadAssets();
  return [
    "default-src 'none'",
    `script-src ${scriptHash}`,
    "style-src 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Renders the complete page. */
export function renderPage(boot: PageBoot, title = 'PPFM'): string {
  const { js, css } = loadAssets();
  const heading = boot.mode === 'static' ? 'PPFM run report' : 'PPFM dashboard';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(pageCsp())}">
<title>${escapeHtml(title)} — ${heading}</title>
<style>${css}</style>
</head>
<body>
<header><h1>${heading}</h1><span id="title">${escapeHtml(title)}</span><span id="status" class="status">loading…</span></header>
<div id="stats"></div>
<main>
<section class="card"><h2>Topology</h2><div id="topology"></div></section>
<section class="card"><h2>Clusters: personalised accuracy per round</h2><p id="clusters-empty" class="empty">no clusters yet</p><div id="clusters"></div></section>
<section class="card"><h2>Traffic per round (payload bytes sent)</h2><div id="traffic"></div></section>
<section class="card"><h2>Rejected messages by reason</h2><div id="rejections"></div></section>
<section class="card wide"><h2>Heads and failovers</h2><div id="timeline"></div></section>
<section class="card wide"><h2>Peers</h2><table id="peers"></table></section>
</main>
<script type="application/json" id="ppfm-boot">${scriptJson(boot)}</script>
<script>${js}</script>
</body>
</html>
`;
}
