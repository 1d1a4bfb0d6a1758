// Colours: one per cluster (stable across updates: derived from the id, not the order).

const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#e15759',
  '#b07aa1',
  '#76b7b2',
  '#edc948',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

export const GREY = '#c4c4c4';

/** The colour of a cluster: ids ending in a number (c0, c1, l2) take that slot, others a hash. */
export function clusterColor(id: string | null): string {
  if (id === null) return GREY;
  const m = /(\d+)$/.exec(id);
  let n = m ? Number(m[1]) : 0;
  if (!m) for (const ch of id) n = (n * 31 + ch.charCodeAt(0)) >>> 0;
  return PALETTE[n % PALETTE.length] as string;
}

/** `color` with an alpha, for faint series. */
export function withAlpha(color: string, alpha: number): string {
  const a = Math.round(alpha * 255)
    .toString(16)
    .padStart(2, '0');
  return `${color}${a}`;
}
