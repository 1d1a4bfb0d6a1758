// Number, time and id formatting shared by the page's panels.

/** Fraction as a percentage with one decimal, '-' when unknown. */
export const pct = (x: number | null): string => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);

/** Byte counts in B / kB / MB / GB (powers of 1000, like the README's figures). */
export function bytes(n: number | null): string {
  if (n === null) return '-';
  const units = ['B', 'kB', 'MB', 'GB'];
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 ? v.toFixed(0) : v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

/** A duration in ms as "850 ms", "4.2 s", "3 min 5 s". */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** "3 s ago" relative to `now`. */
export const ago = (t: number, now: number): string => (now - t < 1000 ? 'now' : `${duration(now - t)} ago`);

/** The last 8 characters of a peer id (the common 12D3KooW prefix says nothing). */
export const shortId = (id: string | null): string =>
  id === null ? '-' : id.length > 10 ? `…${id.slice(-8)}` : id;

/** Wall-clock time of day of a ms timestamp. */
export const clock = (t: number): string => new Date(t).toLocaleTimeString();
