// Time-series panels drawn with uPlot: personalised accuracy per round of one cluster (a thin
// line per peer, the cluster mean bold, the local-only baseline dashed) and traffic per round.
import uPlot from 'uplot';
import type { ClusterView, TrafficView } from '../view.js';
import { clusterColor, withAlpha } from './colors.js';
import { h } from './dom.js';
import { bytes } from './format.js';

const HEIGHT = 190;
/** Beyond this many series the legend would drown the plot: hover titles are enough. */
const LEGEND_MAX = 12;

type Row = (number | null)[];

/** A uPlot chart that is re-created when its series change and only re-fed otherwise. */
class Chart {
  private plot: uPlot | undefined;
  private signature = '';
  private readonly empty: HTMLElement;

  constructor(private readonly el: HTMLElement) {
    this.empty = h('div', { class: 'empty' }, 'no data yet');
    el.append(this.empty);
  }

  protected draw(signature: string, opts: () => Omit<uPlot.Options, 'width' | 'height'>, data: Row[]): void {
    const xs = data[0] ?? [];
    this.empty.hidden = xs.length > 0;
    const width = Math.max(260, this.el.clientWidth || 420);
    if (this.plot === undefined || signature !== this.signature) {
      this.plot?.destroy();
      this.signature = signature;
      this.plot = new uPlot({ ...opts(), width, height: HEIGHT }, data as uPlot.AlignedData, this.el);
      return;
    }
    if (Math.abs(this.plot.width - width) > 8) this.plot.setSize({ width, height: HEIGHT });
    this.plot.setData(data as uPlot.AlignedData);
  }
}

/** Rows aligned on the sorted union of x values; gaps are null. */
function align(xs: number[], series: [number, number][][]): Row[] {
  const idx = new Map(xs.map((x, i) => [x, i]));
  return [
    xs,
    ...series.map((pts) => {
      const row: Row = xs.map(() => null);
      for (const [x, y] of pts) row[idx.get(x) as number] = y;
      return row;
    }),
  ];
}

const roundAxis: uPlot.Axis = {
  label: 'round',
  incrs: [1, 2, 5, 10, 20, 50, 100],
  values: (_u, v) => v.map(String),
};

/** Personalised accuracy over rounds of one cluster. */
export class AccuracyChart extends Chart {
  update(c: ClusterView, baseline: number | null): void {
    const color = clusterColor(c.id);
    const xs = [
      ...new Set([...c.mean.map((p) => p[0]), ...c.series.flatMap((s) => s.points.map((p) => p[0]))]),
    ].sort((a, b) => a - b);
    const rows = align(xs, [...c.series.map((s) => s.points), c.mean]);
    if (baseline !== null) rows.push(xs.map(() => baseline));
    const signature = JSON.stringify([c.id, c.series.map((s) => [s.peer, s.gone]), baseline !== null]);
    const lo = Math.min(baseline ?? 1, ...c.series.flatMap((s) => s.points.map((p) => p[1])));
    this.draw(
      signature,
      () => ({
        legend: { show: c.series.length + 2 <= LEGEND_MAX, live: false },
        cursor: { points: { show: false } },
        scales: {
          x: { time: false },
          y: { range: () => [Math.max(0, Math.floor((lo - 0.05) * 20) / 20), 1] },
        },
        axes: [roundAxis, { values: (_u, v) => v.map((x) => `${Math.round(x * 100)}%`), size: 48 }],
        series: [
          { label: 'round' },
          ...c.series.map((s) => ({
            label: s.name,
            stroke: withAlpha(color, s.gone ? 0.3 : 0.6),
            width: 1.25,
            dash: s.gone ? [4, 4] : undefined,
            spanGaps: true,
            points: { show: xs.length <= 25, size: 4 },
          })),
          { label: 'cluster mean', stroke: color, width: 3.5, spanGaps: true, points: { show: false } },
          ...(baseline !== null
            ? [{ label: 'local-only', stroke: '#555', width: 1.5, dash: [6, 5], points: { show: false } }]
            : []),
        ],
      }),
      rows,
    );
  }
}

/** Payload bytes sent per round: bars for the total, a line per cluster. */
export class TrafficChart extends Chart {
  update(traffic: TrafficView[]): void {
    const clusters = [...new Set(traffic.flatMap((t) => Object.keys(t.byCluster)))].sort();
    const xs = traffic.map((t) => t.round);
    const rows: Row[] = [
      xs,
      traffic.map((t) => t.sent),
      ...clusters.map((c) => traffic.map((t) => t.byCluster[c] ?? null)),
    ];
    const bars = uPlot.paths.bars?.({ size: [0.6, 48] });
    this.draw(
      JSON.stringify(clusters),
      () => ({
        legend: { show: true, live: false },
        cursor: { points: { show: false } },
        scales: {
          x: { time: false, range: (_u, lo, hi) => [lo - 0.5, hi + 0.5] },
          y: { range: (_u, _lo, hi) => [0, hi * 1.1 || 1] },
        },
        axes: [roundAxis, { values: (_u, v) => v.map((x) => bytes(x)), size: 64 }],
        series: [
          { label: 'round' },
          {
            label: 'all peers, sent',
            stroke: '#888',
            fill: '#8883',
            width: 1,
            paths: bars,
            points: { show: false },
          },
          ...clusters.map((c) => ({
            label: c,
            stroke: clusterColor(c),
            width: 2,
            points: { show: true, size: 5 },
          })),
        ],
      }),
      rows,
    );
  }
}
