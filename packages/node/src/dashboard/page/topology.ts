// The topology panel: peers as a force-directed graph (d3-force) drawn in SVG. Nodes take their
// cluster's colour and are pulled towards one anchor per cluster; heads are larger with a dark
// ring; stopped and departed peers are grey; truth groups, when known, set the node's shape.
import {
  forceLink,
  forceManyBody,
  forceSimulation,
  forceX,
  forceY,
  type Simulation,
  type SimulationLinkDatum,
  type SimulationNodeDatum,
} from 'd3-force';
import type { DashboardView, PeerView } from '../view.js';
import { clusterColor, GREY } from './colors.js';
import { h, s } from './dom.js';
import { pct } from './format.js';

interface GraphNode extends SimulationNodeDatum {
  id: string;
  peer: PeerView;
}
type GraphLink = SimulationLinkDatum<GraphNode> & { key: string };

const W = 560;
const H = 420;
const SHAPES = ['circle', 'square', 'diamond', 'triangle', 'triangle-down'] as const;

/** An SVG path of a node shape of radius r centred on 0,0. */
function shapePath(shape: (typeof SHAPES)[number], r: number): string {
  switch (shape) {
    case 'square':
      return `M${-r * 0.9},${-r * 0.9}H${r * 0.9}V${r * 0.9}H${-r * 0.9}Z`;
    case 'diamond':
      return `M0,${-r * 1.3}L${r * 1.3},0L0,${r * 1.3}L${-r * 1.3},0Z`;
    case 'triangle':
      return `M0,${-r * 1.3}L${r * 1.2},${r * 0.9}L${-r * 1.2},${r * 0.9}Z`;
    case 'triangle-down':
      return `M0,${r * 1.3}L${r * 1.2},${-r * 0.9}L${-r * 1.2},${-r * 0.9}Z`;
    default:
      return `M${-r},0a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 ${-2 * r},0`;
  }
}

/** A small offset derived from the id: the same run always lays out the same way. */
function jitter(id: string): [number, number] {
  let x = 2166136261;
  for (const ch of id) x = Math.imul(x ^ ch.charCodeAt(0), 16777619) >>> 0;
  return [((x & 0xffff) / 0xffff - 0.5) * 40, ((x >>> 16) / 0xffff - 0.5) * 40];
}

const gone = (p: PeerView): boolean => p.state === 'departed' || p.state === 'stopped';

/** The force-directed peer graph; `update` keeps node positions across views. */
export class Topology {
  private readonly svg: SVGSVGElement;
  private readonly edgeLayer: SVGGElement;
  private readonly nodeLayer: SVGGElement;
  private readonly legend: HTMLElement;
  private readonly nodes = new Map<string, GraphNode>();
  private readonly nodeEls = new Map<string, SVGGElement>();
  private links: GraphLink[] = [];
  private linkEls: SVGLineElement[] = [];
  private anchors = new Map<string, { x: number; y: number }>();
  private structure = '';
  private readonly sim: Simulation<GraphNode, GraphLink>;

  constructor(
    container: HTMLElement,
    private readonly live: boolean,
  ) {
    this.edgeLayer = s('g', { class: 'edges' });
    this.nodeLayer = s('g', { class: 'nodes' });
    this.svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'peer topology' });
    this.svg.append(this.edgeLayer, this.nodeLayer);
    this.legend = h('div', { class: 'legend' });
    container.append(this.svg, this.legend);
    const anchor = (n: GraphNode): { x: number; y: number } =>
      this.anchors.get(n.peer.cluster ?? '') ?? { x: W / 2, y: H / 2 };
    this.sim = forceSimulation<GraphNode, GraphLink>()
      .force('charge', forceManyBody<GraphNode>().strength(-320))
      .force(
        'link',
        forceLink<GraphNode, GraphLink>()
          .id((n) => n.id)
          .distance(110)
          .strength(0.04),
      )
      .force('x', forceX<GraphNode>((n) => anchor(n).x).strength(0.12))
      .force('y', forceY<GraphNode>((n) => anchor(n).y).strength(0.12))
      .stop();
    if (live) this.sim.on('tick', () => this.place());
  }

  /** Redraws for a new view; restarts the layout only when nodes, clusters or edges changed. */
  update(view: DashboardView): void {
    const clusters = [
      ...new Set(view.peers.map((p) => p.cluster).filter((c): c is string => c !== null)),
    ].sort();
    this.anchors = new Map(
      clusters.map((c, i) => {
        // Anchors on an ellipse starting on the left: two clusters sit side by side.
        const a = (2 * Math.PI * i) / Math.max(1, clusters.length) + Math.PI;
        const k = clusters.length > 1 ? 1 : 0;
        return [c, { x: W / 2 + k * W * 0.3 * Math.cos(a), y: H / 2 + k * H * 0.3 * Math.sin(a) }];
      }),
    );
    for (const p of view.peers) {
      let n = this.nodes.get(p.id);
      if (n === undefined) {
        const a = this.anchors.get(p.cluster ?? '') ?? { x: W / 2, y: H / 2 };
        const j = jitter(p.id);
        n = { id: p.id, peer: p, x: a.x + j[0], y: a.y + j[1] };
        this.nodes.set(p.id, n);
      }
      n.peer = p;
    }
    const structure = JSON.stringify([view.peers.map((p) => [p.id, p.cluster]), view.edges]);
    const changed = structure !== this.structure;
    this.structure = structure;
    if (changed) {
      this.links = view.edges.map(([a, b]) => ({ source: a, target: b, key: `${a}|${b}` }));
      this.sim.nodes([...this.nodes.values()]);
      (this.sim.force('link') as ReturnType<typeof forceLink<GraphNode, GraphLink>>).links(this.links);
      this.drawEdges();
    }
    this.drawNodes(view);
    this.drawLegend(view, clusters);
    if (!changed) return;
    if (this.live) this.sim.alpha(0.6).restart();
    else {
      // A static report lays the graph out once, synchronously, so that it opens settled.
      this.sim.alpha(1).tick(300);
      this.place();
    }
  }

  private drawEdges(): void {
    this.edgeLayer.replaceChildren();
    this.linkEls = this.links.map(() => s('line', { class: 'edge' }));
    this.edgeLayer.append(...this.linkEls);
  }

  private drawNodes(view: DashboardView): void {
    for (const p of view.peers) {
      let g = this.nodeEls.get(p.id);
      if (g === undefined) {
        g = s('g', { class: 'node' });
        this.nodeEls.set(p.id, g);
        this.nodeLayer.append(g);
      }
      const head = p.role === 'head';
      const r = head ? 14 : 10;
      const shape = view.truth !== null && p.truth !== null ? SHAPES[p.truth % SHAPES.length] : 'circle';
      const fill = gone(p) ? GREY : clusterColor(p.cluster);
      const title = [
        p.id,
        `${p.name}: ${p.state}`,
        `cluster ${p.cluster ?? '-'} (${p.role ?? 'unassigned'}), round ${p.round < 0 ? '-' : p.round}`,
        `accuracy ${pct(p.acc)}`,
        p.truth !== null ? `true group ${p.truth}` : '',
      ]
        .filter((l) => l !== '')
        .join('\n');
      const parts: Node[] = [
        s('path', {
          d: shapePath(shape ?? 'circle', r),
          fill,
          stroke: head ? '#222' : '#fff',
          'stroke-width': head ? 3 : 1.5,
          'stroke-dasharray': gone(p) ? '3 2' : undefined,
        }),
        s('text', { class: 'label', 'text-anchor': 'middle', y: r + 12 }, p.name),
        s('title', {}, title),
      ];
      if (head) parts.push(s('text', { class: 'head-mark', 'text-anchor': 'middle', dy: '0.35em' }, 'H'));
      g.replaceChildren(...parts);
      g.setAttribute('data-peer', p.id);
      g.setAttribute('data-state', p.state);
      g.setAttribute('data-role', p.role ?? 'none');
      g.setAttribute('data-cluster', p.cluster ?? '');
      g.classList.toggle('gone', gone(p));
    }
  }

  private drawLegend(view: DashboardView, clusters: string[]): void {
    const items: Node[] = clusters.map((c) =>
      h('span', { class: 'key' }, h('i', { style: `background:${clusterColor(c)}` }), c),
    );
    items.push(h('span', { class: 'key' }, h('i', { class: 'ring' }), 'head'));
    items.push(h('span', { class: 'key' }, h('i', { style: `background:${GREY}` }), 'stopped / departed'));
    if (view.truth !== null) {
      const shapes = Array.from({ length: Math.min(view.truth.groups, SHAPES.length) }, (_, g) => SHAPES[g]);
      items.push(
        h('span', { class: 'key' }, `true groups by shape: ${shapes.map((x, g) => `${g} ${x}`).join(', ')}`),
      );
    }
    this.legend.replaceChildren(...items);
  }

  private place(): void {
    const pad = 24;
    const clampX = (v: number | undefined): number => Math.max(pad, Math.min(W - pad, v ?? W / 2));
    const clampY = (v: number | undefined): number => Math.max(pad, Math.min(H - pad, v ?? H / 2));
    for (const n of this.nodes.values()) {
      n.x = clampX(n.x);
      n.y = clampY(n.y);
      this.nodeEls.get(n.id)?.setAttribute('transform', `translate(${n.x.toFixed(1)},${n.y.toFixed(1)})`);
    }
    this.links.forEach((l, i) => {
      const a = l.source as GraphNode;
      const b = l.target as GraphNode;
      const el = this.linkEls[i];
      if (el === undefined) return;
      el.setAttribute('x1', String(a.x ?? 0));
      el.setAttribute('y1', String(a.y ?? 0));
      el.setAttribute('x2', String(b.x ?? 0));
      el.setAttribute('y2', String(b.y ?? 0));
    });
  }
}
