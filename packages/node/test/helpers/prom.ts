// Reading Prometheus text exposition in tests.

/** The value of one sample line (`name{labels} value`) in Prometheus text, or undefined. */
export function sample(text: string, name: string, labels = ''): number | undefined {
  const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`^${esc(name)}${labels === '' ? '' : esc(`{${labels}}`)} (\\S+)$`, 'm').exec(text);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}
