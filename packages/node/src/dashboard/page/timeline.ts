// The failover timeline: one lane per cluster (elections, lease expiries, failover gaps) and one
// for peers leaving, drawn as SVG against the run's elapsed time.
import type { DashboardView, TimelineItem } from '../view.js';
import { clusterColor, GREY } from './colors.js';
import { h, s } from './dom.js';
import { duration, shortId } from './format.js';

const W = 1100;
const LANE = 30;
const LEFT = 70;
const RIGHT = 20;
const TOP = 10;
/** Above this many items, only failovers and departures keep their text labels. */
const LABEL_MAX = 40;
const LABEL_GAP = 28;

/** Redraws the timeline panel. */
export function renderTimeline(el: HTMLElement, view: DashboardView): void {
  const items = view.timeline;
  if (items.length === 0 || view.firstAt === null) {
    el.replaceChildren(h('p', { class: 'empty' }, 'no elections yet'));
    return;
  }
  const lanes = [
    ...new Set(items.map((i) => (i.kind === 'elected' || i.kind === 'lease_expired' ? i.cluster : null))),
  ]
    .filter((c): c is string => c !== null)
    .sort();
  const peerLane = lanes.length;
  const t0 = view.firstAt;
  const t1 = Math.max(view.lastAt ?? t0, ...items.map((i) => i.time), t0 + 1000);
  const x = (t: number): number => LEFT + ((t - t0) / (t1 - t0)) * (W - LEFT - RIGHT);
  const y = (lane: number): number => TOP + lane * LANE + LANE / 2;
  const height = TOP + (lanes.length + 1) * LANE + 24;
  const svg = s('svg', { viewBox: `0 0 ${W} ${height}`, role: 'img', 'aria-label': 'failover timeline' });
  [...lanes, 'peers'].forEach((name, i) => {
    svg.append(
      s('line', { class: 'lane', x1: LEFT, x2: W - RIGHT, y1: y(i), y2: y(i) }),
      s('text', { class: 'lane-label', x: 4, y: y(i), dy: '0.35em' }, name),
    );
  });
  const span = t1 - t0;
  const step = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800].find((st) => span / 1000 / st <= 10) ?? 3600;
  for (let sec = 0; sec * 1000 <= span; sec += step)
    svg.append(
      s('line', { class: 'tick', x1: x(t0 + sec * 1000), x2: x(t0 + sec * 1000), y1: TOP, y2: height - 20 }),
      s(
        'text',
        { class: 'tick-label', x: x(t0 + sec * 1000), y: height - 6, 'text-anchor': 'middle' },
        `+${sec} s`,
      ),
    );
  const labels = items.length <= LABEL_MAX;
  const names = new Map(view.peers.map((p) => [p.id, p.name]));
  // One text label per lane within LABEL_GAP pixels: bursts of elections (re-clustering) stay legible.
  const lastLabel = new Map<number, number>();
  for (const it of items) {
    const lane = laneOf(it, lanes, peerLane);
    // Lease expiries carry no text: they do not take a label's room.
    const free = it.kind !== 'lease_expired' && x(it.time) - (lastLabel.get(lane) ?? -Infinity) >= LABEL_GAP;
    if (labels && free) lastLabel.set(lane, x(it.time));
    svg.append(mark(it, names.get(it.peer) ?? shortId(it.peer), x, y(lane), labels && free));
  }
  el.replaceChildren(svg);
}

const laneOf = (it: TimelineItem, lanes: string[], peerLane: number): number =>
  it.kind === 'elected' || it.kind === 'lease_expired' ? lanes.indexOf(it.cluster ?? '') : peerLane;

function mark(
  it: TimelineItem,
  name: string,
  x: (t: number) => number,
  cy: number,
  label: boolean,
): SVGGElement {
  const cx = x(it.time);
  const g = s('g', { class: `mark ${it.kind}`, 'data-kind': it.kind });
  const what = `${it.kind.replace('_', ' ')}: ${name}${it.cluster !== null ? ` (cluster ${it.cluster})` : ''}`;
  switch (it.kind) {
    case 'elected': {
      if (it.failoverMs !== null) {
        const x0 = x(it.time - it.failoverMs);
        g.append(
          s('rect', { class: 'failover', x: x0, y: cy - 4, width: Math.max(1, cx - x0), height: 8 }),
          s(
            'text',
            { class: 'failover-label', x: (x0 + cx) / 2, y: cy - 8, 'text-anchor': 'middle' },
            `failover ${duration(it.failoverMs)}`,
          ),
        );
      }
      g.append(s('circle', { cx, cy, r: 6, fill: clusterColor(it.cluster), stroke: '#222' }));
      if (label)
        g.append(
          s('text', { class: 'mark-label', x: cx, y: cy + 17, 'text-anchor': 'middle' }, `t${it.term ?? ''}`),
        );
      break;
    }
    case 'lease_expired':
      g.append(
        s('path', {
          d: `M${cx - 5},${cy - 5}L${cx + 5},${cy + 5}M${cx - 5},${cy + 5}L${cx + 5},${cy - 5}`,
          class: 'expired',
        }),
      );
      break;
    default:
      g.append(
        it.kind === 'departed'
          ? s('path', {
              d: `M${cx - 6},${cy - 5}L${cx + 6},${cy - 5}L${cx},${cy + 6}Z`,
              fill: GREY,
              stroke: '#555',
            })
          : s('rect', { x: cx - 5, y: cy - 5, width: 10, height: 10, fill: GREY, stroke: '#555' }),
        s('text', { class: 'mark-label', x: cx, y: cy + 17, 'text-anchor': 'middle' }, name),
      );
  }
  g.append(
    s(
      'title',
      {},
      `${what}${it.term !== null ? `, term ${it.term}` : ''}${it.failoverMs !== null ? `, failover ${duration(it.failoverMs)}` : ''}`,
    ),
  );
  return g;
}
