// The peer table and the rejections table.
import type { DashboardView, PeerView } from '../view.js';
import { clusterColor } from './colors.js';
import { h } from './dom.js';
import { ago, clock, pct, shortId } from './format.js';

const chip = (cluster: string | null): HTMLElement =>
  cluster === null
    ? h('span', {}, '-')
    : h('span', { class: 'chip' }, h('i', { style: `background:${clusterColor(cluster)}` }), cluster);

/** Fills the peer table (id, cluster, role, round, accuracy, state, last seen). */
export function renderPeers(table: HTMLTableElement, view: DashboardView, now: number): void {
  const truth = view.truth !== null;
  const eps = view.peers.some((p) => p.epsilon !== null);
  const head = h(
    'tr',
    {},
    ...[
      'peer',
      'id',
      ...(truth ? ['true group'] : []),
      'cluster',
      'role',
      'round',
      'accuracy',
      'state',
      'last seen',
    ].map((t) => h('th', {}, t)),
    eps ? h('th', {}, 'ε spent') : null,
  );
  const row = (p: PeerView): HTMLElement =>
    h(
      'tr',
      { 'data-peer': p.id, 'data-state': p.state, class: `state-${p.state}` },
      h('td', { title: p.id }, p.name),
      h('td', { class: 'mono', title: p.id }, shortId(p.id)),
      truth ? h('td', {}, p.truth === null ? '-' : String(p.truth)) : null,
      h('td', {}, chip(p.cluster)),
      h('td', {}, p.role ?? '-'),
      h('td', { class: 'num' }, p.round < 0 ? '-' : String(p.round)),
      h('td', { class: 'num' }, pct(p.acc)),
      h('td', {}, p.state),
      h('td', { title: clock(p.lastSeen) }, ago(p.lastSeen, now)),
      eps ? h('td', { class: 'num' }, p.epsilon === null ? '-' : p.epsilon.toFixed(2)) : null,
    );
  table.replaceChildren(h('thead', {}, head), h('tbody', {}, ...view.peers.map(row)));
}

/** Fills the rejections panel: one row per (event, reason, channel), largest first. */
export function renderRejections(el: HTMLElement, view: DashboardView): void {
  if (view.rejections.length === 0) {
    el.replaceChildren(h('p', { class: 'empty' }, 'no rejected or discarded messages'));
    return;
  }
  const max = Math.max(...view.rejections.map((r) => r.count));
  el.replaceChildren(
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['reason', 'count', '', 'event', 'channel', 'senders', 'last'].map((t) => h('th', {}, t)),
        ),
      ),
      h(
        'tbody',
        {},
        ...view.rejections.map((r) =>
          h(
            'tr',
            { 'data-reason': r.reason },
            h('td', { class: 'mono' }, r.reason),
            h('td', { class: 'num' }, String(r.count)),
            h(
              'td',
              { class: 'bar' },
              h('i', { style: `width:${Math.max(2, (100 * r.count) / max).toFixed(0)}%` }),
            ),
            h('td', {}, r.kind),
            h('td', { class: 'mono' }, r.channel || '-'),
            h('td', { class: 'num' }, String(r.senders)),
            h('td', {}, clock(r.lastAt)),
          ),
        ),
      ),
    ),
  );
}
