// The dashboard page: renders a DashboardView into the skeleton html.ts serves. Live mode follows
// the server's Server-Sent Events; a static report renders the view embedded in the file.
import 'uplot/dist/uPlot.min.css';
import './style.css';
import type { ClusterView, DashboardView } from '../view.js';
import { AccuracyChart, TrafficChart } from './charts.js';
import { clusterColor } from './colors.js';
import { byId, h } from './dom.js';
import { bytes, clock, duration, pct, shortId } from './format.js';
import { renderPeers, renderRejections } from './tables.js';
import { renderTimeline } from './timeline.js';
import { Topology } from './topology.js';

/** What html.ts embeds in #ppfm-boot. */
type Boot = { mode: 'live'; stream: string } | { mode: 'static'; view: DashboardView };

interface ClusterCard {
  el: HTMLElement;
  head: HTMLElement;
  chart: AccuracyChart;
}

class App {
  private readonly topology: Topology;
  private readonly traffic: TrafficChart;
  private readonly cards = new Map<string, ClusterCard>();
  private ticker: ReturnType<typeof setInterval> | undefined;
  private view: DashboardView | undefined;
  private receivedAt = 0;
  private updates = 0;
  private ended = false;

  constructor(private readonly live: boolean) {
    this.topology = new Topology(byId('topology'), live);
    this.traffic = new TrafficChart(byId('traffic'));
    if (live) this.ticker = setInterval(() => this.refreshAges(), 1000);
  }

  render(view: DashboardView): void {
    this.view = view;
    this.receivedAt = Date.now();
    document.title = `${view.title} — PPFM dashboard`;
    byId('title').textContent = view.title;
    this.renderStats(view);
    this.topology.update(view);
    this.renderClusters(view);
    this.traffic.update(view.traffic);
    renderRejections(byId('rejections'), view);
    renderTimeline(byId('timeline'), view);
    renderPeers(byId('peers') as HTMLTableElement, view, this.now());
    this.updates++;
    document.body.dataset.updates = String(this.updates);
    document.body.dataset.clusters = String(view.clusters.length);
  }

  status(text: string, kind: 'live' | 'down' | 'static' | 'ended'): void {
    const el = byId('status');
    el.textContent = text;
    el.className = `status ${kind}`;
    document.body.dataset.status = kind;
  }

  /** The run is over: "last seen" stops counting and refers to the end of the logs. */
  end(): void {
    this.ended = true;
    clearInterval(this.ticker);
    this.refreshAges();
  }

  private now(): number {
    const v = this.view;
    if (v === undefined) return Date.now();
    // Live: the server's clock plus the time since it spoke; a report: the end of the logs.
    return this.live && !this.ended ? v.now + (Date.now() - this.receivedAt) : (v.lastAt ?? v.now);
  }

  private refreshAges(): void {
    if (this.view !== undefined) renderPeers(byId('peers') as HTMLTableElement, this.view, this.now());
  }

  private renderStats(v: DashboardView): void {
    const live = v.peers.filter((p) => p.state !== 'departed' && p.state !== 'stopped').length;
    const span = v.firstAt !== null && v.lastAt !== null ? duration(v.lastAt - v.firstAt) : '-';
    const stats: [string, string][] = [
      ['peers', `${live} live / ${v.peers.length}`],
      ['clusters', String(v.clusters.length)],
      [
        'rounds',
        String(
          Math.max(-1, ...v.clusters.map((c) => c.round)) < 0
            ? '-'
            : Math.max(...v.clusters.map((c) => c.round)),
        ),
      ],
      ['mean accuracy', pct(meanOf(v.clusters.map((c) => c.meanAcc)))],
      ['local-only', pct(v.baseline)],
      ['model', bytes(v.modelBytes)],
      ['events', `${v.events}${v.skipped > 0 ? ` (${v.skipped} corrupt skipped)` : ''}`],
      ['span', span],
    ];
    if (v.truth !== null)
      stats.splice(2, 0, [
        'truth',
        v.truth.matches === null
          ? `${v.truth.groups} groups`
          : v.truth.matches
            ? `${v.truth.groups} groups, matched`
            : `${v.truth.groups} groups, not matched`,
      ]);
    byId('stats').replaceChildren(
      ...stats.map(([k, val]) => h('div', { class: 'stat' }, h('span', {}, k), h('b', {}, val))),
    );
    byId('stats').dataset.truth = v.truth === null ? '' : String(v.truth.matches);
  }

  private renderClusters(v: DashboardView): void {
    const root = byId('clusters');
    const seen = new Set<string>();
    for (const c of v.clusters) {
      seen.add(c.id);
      let card = this.cards.get(c.id);
      if (card === undefined) {
        const chartEl = h('div', { class: 'chart' });
        const head = h('div', { class: 'cluster-head' });
        const el = h('section', { class: 'cluster card' }, head, chartEl);
        card = { el, head, chart: new AccuracyChart(chartEl) };
        this.cards.set(c.id, card);
      }
      root.append(card.el); // keeps cards in view order
      this.fillCard(card, c, v);
    }
    for (const [id, card] of this.cards)
      if (!seen.has(id)) {
        card.el.remove();
        this.cards.delete(id);
      }
    byId('clusters-empty').hidden = v.clusters.length > 0;
  }

  private fillCard(card: ClusterCard, c: ClusterView, v: DashboardView): void {
    card.el.dataset.cluster = c.id;
    card.el.dataset.head = c.head ?? '';
    card.el.dataset.headState = c.headState;
    const headName = v.peers.find((p) => p.id === c.head)?.name ?? shortId(c.head);
    card.head.replaceChildren(
      h('h3', {}, h('i', { class: 'dot', style: `background:${clusterColor(c.id)}` }), `cluster ${c.id}`),
      h(
        'div',
        { class: 'facts' },
        h(
          'span',
          {},
          'head ',
          h('b', { title: c.head ?? '' }, c.head === null ? '-' : headName),
          ` (${c.headState})`,
        ),
        h('span', {}, `term ${c.term}`),
        h('span', {}, `round ${c.round < 0 ? '-' : c.round}`),
        h('span', {}, `${c.members.length} members`),
        h('span', {}, `mean ${pct(c.meanAcc)}`),
      ),
    );
    card.chart.update(c, v.baseline);
  }
}

const meanOf = (xs: (number | null)[]): number | null => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length === 0 ? null : v.reduce((a, b) => a + b, 0) / v.length;
};

function main(): void {
  const boot = JSON.parse(byId('ppfm-boot').textContent ?? '{}') as Boot;
  const app = new App(boot.mode === 'live');
  if (boot.mode === 'static') {
    app.status(
      `report of ${boot.view.lastAt !== null ? new Date(boot.view.lastAt).toLocaleString() : 'an empty run'}`,
      'static',
    );
    app.render(boot.view);
    return;
  }
  app.status('connecting…', 'down');
  const es = new EventSource(boot.stream);
  es.addEventListener('view', (e) => {
    app.status(`live · ${clock(Date.now())}`, 'live');
    app.render(JSON.parse((e as MessageEvent<string>).data) as DashboardView);
  });
  // The server says goodbye when it stops (e.g. the testnet finished): keep the last picture.
  es.addEventListener('end', () => {
    app.status('run ended: showing the final state', 'ended');
    app.end();
    es.close();
  });
  es.onerror = () => app.status('disconnected: retrying…', 'down');
}

main();
